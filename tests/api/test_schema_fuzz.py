"""Schemathesis over every JSON API operation of the OpenAPI schema, as an admin, against
a live server: bounded examples, and not one server error (5xx) allowed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from tests.conftest import make_settings
from tests.support import databases
from tests.support.live_server import LiveServer, live_server

MAX_EXAMPLES = int(os.environ.get("SCRIPTSENSEI_FUZZ_EXAMPLES", "20"))  # the longer run sets more


def _openapi() -> dict[str, object]:
    scratch = Path(tempfile.gettempdir())
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:", scratch))
    return app.openapi()


schema = (
    schemathesis.openapi.from_dict(_openapi())
    .include(path_regex="^/api/")
    # Signing out is the auth tests' business; here it would only end the fuzzing session.
    .exclude(path="/api/auth/logout")
)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    directory = tmp_path_factory.mktemp("fuzz")
    config = make_settings(
        databases.sqlite_url(directory),
        directory / "data",
        upload_and_process_timeout=0.2,
        login_attempts_per_minute=1000,
    )
    with live_server(config) as server:
        yield server, server.api_key(Role.ADMIN, "fuzz-admin")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, fuzz_server: tuple[LiveServer, str]) -> None:
    server, key = fuzz_server
    response = case.call(base_url=server.base_url, headers={"X-API-Key": key}, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )
