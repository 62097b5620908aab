"""Engines' per-field values (the earlier app's `extraction_results`): listing, and the
earlier app's update, saved as a reviewer decision."""
