"""The data-loss guard: a start-up check that refuses writes when the database looks like
it was replaced or rolled back while the file store still holds data."""
