"""Backups: one archive with a consistent database dump, the stored files and a manifest;
verify without restoring; restore into an empty database; scheduled backups."""
