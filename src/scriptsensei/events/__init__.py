"""Live events: recorded in the database, delivered after commit to every process."""
