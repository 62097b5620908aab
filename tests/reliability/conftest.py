"""Fault tests: real `serve` and `worker` processes on a private PostgreSQL database (the
fixtures `pg_url`, `processes` and `deployment` come from tests/support/deployment_fixtures)."""
