"""Uploaded files: type detection by content, streaming intake with limits, page rendering
and the storage backend that keeps originals and pages outside the database."""
