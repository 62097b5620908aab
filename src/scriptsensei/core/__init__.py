"""Shared plumbing: settings, logging, database access, errors, migrations."""
