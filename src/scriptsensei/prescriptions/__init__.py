"""Prescriptions: intake of uploads, the operations on a prescription, and their queries."""
