"""What tests of the container scripts need: the unprivileged user they hand over to when
the tests run as root, and a directory that user can enter."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
# As root the scripts drop to SCRIPTSENSEI_USER; `nobody` exists on every Debian host.
APP_USER = "nobody"
RUNNING_AS_ROOT = os.geteuid() == 0


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory the app's user can reach (pytest's own are private to whoever runs it)."""
    path = Path(tempfile.mkdtemp(prefix="scriptsensei-deploy-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
