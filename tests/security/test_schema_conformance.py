"""Schemathesis over the whole OpenAPI schema, checking more than "no 5xx" (which
`tests/api/test_schema_fuzz.py` covers): every answer's status is one the schema
documents, its body matches the documented model, and its content type is the documented
one. Authenticated as admin, against a live server.

Bounded in `make test` (a few examples per operation, SQLite). The longer documented run
(see "Security" in bench/RESULTS.md) sets SCRIPTSENSEI_FUZZ_EXAMPLES and SCRIPTSENSEI_FUZZ_BACKEND
(sqlite or postgres).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scriptsensei.auth.permissions import Role
from tests.api.test_schema_fuzz import schema
from tests.conftest import make_settings
from tests.support import databases
from tests.support.live_server import LiveServer, live_server

EXAMPLES = int(os.environ.get("SCRIPTSENSEI_FUZZ_EXAMPLES", "3"))
BACKEND = os.environ.get("SCRIPTSENSEI_FUZZ_BACKEND", "sqlite")
# uvicorn's own plain-text answer to bytes that are not HTTP (a raw control character in
# a header, say); it is below the application and outside the schema.
UVICORN_REFUSAL = "Invalid HTTP request received."
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


def _database_url(stack: ExitStack, directory: str) -> str:
    if BACKEND == "postgres":
        return stack.enter_context(databases.empty_postgres_database())
    return databases.sqlite_url(Path(directory))


@pytest.fixture(scope="module")
def conformance_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, str]]:
    directory = tmp_path_factory.mktemp("conformance")
    with ExitStack() as stack:
        config = make_settings(
            _database_url(stack, str(directory)),
            directory / "data",
            upload_and_process_timeout=0.2,
            login_attempts_per_minute=100_000,
        )
        server = stack.enter_context(live_server(config))
        yield server, server.api_key(Role.ADMIN, "conformance-admin")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_schema(
    case: schemathesis.Case, conformance_server: tuple[LiveServer, str]
) -> None:
    server, key = conformance_server
    response = case.call(base_url=server.base_url, headers={"X-API-Key": key}, timeout=60)
    if response.text == UVICORN_REFUSAL:
        return  # the HTTP server refused the bytes; the application never saw the request
    case.validate_response(response, checks=CHECKS)
