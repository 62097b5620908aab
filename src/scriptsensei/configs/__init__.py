"""Extraction configs (engines, fields, per-field prompts, consensus thresholds) and the
engine registry's statuses, for the settings page and integrators."""
