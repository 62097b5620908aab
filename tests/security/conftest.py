"""Security test fixtures: the API test app (two fast fake engines) with small intake
limits, so that "too large" and "too many" cases are cheap to send, and clients per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptsensei.core.settings import Settings
from tests.api.conftest import ENGINE_NAMES, app, engines, start_worker  # noqa: F401
from tests.conftest import make_settings
from tests.support.auth_clients import (  # noqa: F401
    admin_client,
    anonymous_client,
    operator_client,
    reviewer_client,
    role_clients,
    viewer_client,
)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_FILES = 5


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "data",
        local_engines=ENGINE_NAMES,
        max_file_bytes=MAX_FILE_BYTES,
        max_request_bytes=MAX_REQUEST_BYTES,
        max_files_per_request=MAX_FILES,
        retry_backoff_seconds=0.05,
        run_lease_seconds=5.0,
        shutdown_grace_seconds=2.0,
        upload_and_process_timeout=20.0,
    )
