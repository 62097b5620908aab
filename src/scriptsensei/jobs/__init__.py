"""The job queue (engine runs in the database) and the workers that run it."""
