"""Measuring engines against samples with known truth: accuracy, recall, time and cost."""
