"""Figures for the dashboard: prescriptions per status, engines' success, time and cost,
and the review backlog."""
