"""Config fixtures: the app with its default engines and an admin client."""

from __future__ import annotations

from tests.support.auth_clients import admin_client, role_clients  # noqa: F401
