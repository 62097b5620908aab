"""How well each engine reads each field, measured against reviewers' final values."""
