"""The Compose file, checked by Compose v2 itself (no engine needed for `config`), and the
Dockerfile's promises."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import compose
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"


def _config(env_file: Path | None, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [str(COMPOSE_BIN)]
    if env_file is not None:
        args += ["--env-file", str(env_file)]
    args += ["-f", str(ROOT / "docker-compose.yml"), "config", *extra]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=60)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    target = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", target)
    return target


def test_compose_config_is_valid(env_file: Path) -> None:
    result = _config(env_file, "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = _config(empty, "-q")
    assert result.returncode != 0
    assert "SCRIPTSENSEI_SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_compose_services_as_documented(env_file: Path) -> None:
    result = _config(env_file, "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    services = config["services"]
    assert services["app"]["container_name"] == "scriptsensei-app"
    assert services["db"]["container_name"] == "scriptsensei-db"
    assert services["db"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["deploy"]["replicas"] == 0
    assert {"postgres_data", "scriptsensei_files"} <= set(config["volumes"])
    db_volumes = [v["source"] for v in services["db"]["volumes"]]
    assert "postgres_data" in db_volumes
    app_targets = {v["target"] for v in services["app"]["volumes"]}
    assert {"/data", "/backups"} <= app_targets
    for name in ("app", "worker", "db"):
        assert services[name]["restart"] == "unless-stopped"


def test_dockerfile_installs_like_make_and_runs_safely() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/install-python.sh /opt/venv runtime" in dockerfile
    assert "scripts/install-python.sh $(VENV) editable-dev" in makefile
    assert "USER scriptsensei" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/api/health" in dockerfile
    assert '"/usr/bin/tini", "--"' in dockerfile
    assert dockerfile.count("FROM python:3.11-slim") == 2
