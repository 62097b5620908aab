"""`python -m scriptsensei` runs the command line."""

from scriptsensei.cli import app

app()
