"""Liveness and readiness: is the app up, is its database reachable, is its schema current."""
