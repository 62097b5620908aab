"""The Compose file, checked by Compose v2 itself (no engine needed for `config`), and the
Dockerfile's and the build context's promises."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import compose
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"


def _config(
    env_file: Path | None, *extra: str, compose_file: Path = ROOT / "docker-compose.yml"
) -> subprocess.CompletedProcess[str]:
    args = [str(COMPOSE_BIN)]
    if env_file is not None:
        args += ["--env-file", str(env_file)]
    args += ["-f", str(compose_file), "config", *extra]
    return subprocess.run(args, capture_output=True, text=True, cwd=compose_file.parent, timeout=60)


def _services(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    services: dict[str, Any] = json.loads(result.stdout)["services"]
    return services


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the Compose file in a directory of its own, where a test puts its .env."""
    directory = tmp_path / "project"
    directory.mkdir()
    shutil.copy(ROOT / "docker-compose.yml", directory / "docker-compose.yml")
    return directory / "docker-compose.yml"


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
    assert "HEALTHCHECK" in dockerfile and "/api/health" in dockerfile
    assert '"/usr/bin/tini", "--"' in dockerfile
    assert dockerfile.count("FROM python:3.11-slim") == 2
    # Started as root only for the entry point's hand-over; the app runs as `scriptsensei`.
    assert "useradd --system --uid 10001" in dockerfile
    assert "ENV SCRIPTSENSEI_USER=scriptsensei" in dockerfile
    assert not re.search(r"^USER ", dockerfile, re.MULTILINE)
    assert "setpriv" in (ROOT / "docker" / "entrypoint.sh").read_text()
    # `scriptsensei` on PATH (what `docker compose exec` runs) is the dropping wrapper.
    assert "COPY docker/scriptsensei.sh /opt/scriptsensei/bin/scriptsensei" in dockerfile
    assert "ENV PATH=/opt/scriptsensei/bin:/opt/venv/bin:$PATH" in dockerfile
    assert "setpriv" in (ROOT / "docker" / "scriptsensei.sh").read_text()


def test_the_worker_has_a_health_check_of_its_own(env_file: Path) -> None:
    """The image's check asks /api/health, which a worker does not serve."""
    worker = _services(_config(env_file, "--format", "json"))["worker"]
    assert worker["healthcheck"]["test"][:2] == ["CMD", "scriptsensei-worker-health"]
    assert "/api/health" not in " ".join(worker["healthcheck"]["test"])
    heartbeat = worker["environment"]["SCRIPTSENSEI_WORKER_HEARTBEAT_FILE"]
    assert heartbeat.startswith("/tmp/")  # per container, not on the shared volume
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY docker/worker-health.sh /opt/scriptsensei/bin/scriptsensei-worker-health" in (
        dockerfile
    )


def test_every_setting_in_dot_env_reaches_app_and_worker(project: Path) -> None:
    dot_env = project.parent / ".env"
    shutil.copy(ROOT / ".env.example", dot_env)
    with dot_env.open("a") as out:
        out.write("SCRIPTSENSEI_LOG_LEVEL=DEBUG\nSCRIPTSENSEI_MAX_FILES_PER_REQUEST=7\n")
    services = _services(_config(None, "--format", "json", compose_file=project))
    for name in ("app", "worker"):
        environment = services[name]["environment"]
        assert environment["SCRIPTSENSEI_LOG_LEVEL"] == "DEBUG"
        assert environment["SCRIPTSENSEI_MAX_FILES_PER_REQUEST"] == "7"
        assert environment["SCRIPTSENSEI_DATA_DIR"] == "/data"  # the container's own paths win
    assert "SCRIPTSENSEI_LOG_LEVEL" not in services["db"].get("environment", {})


def test_config_is_valid_without_a_dot_env_file(project: Path, env_file: Path) -> None:
    """The secrets come from elsewhere (`--env-file`); the optional .env is absent."""
    assert not (project.parent / ".env").exists()
    result = _config(env_file, "-q", compose_file=project)
    assert result.returncode == 0, result.stderr


def test_compose_does_not_force_insecure_cookies(env_file: Path) -> None:
    """Left unset, production makes cookies Secure; only the operator's .env turns it off."""
    services = _services(_config(env_file, "--format", "json"))
    for name in ("app", "worker"):
        assert "SCRIPTSENSEI_COOKIE_SECURE" not in services[name]["environment"]


def _dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, close enough here: the last matching pattern wins, `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.removeprefix("!").removeprefix("**/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, bare) or fnmatch.fnmatch(p.rsplit("/", 1)[-1], bare)
               for p in prefixes):  # fmt: skip
            ignored = not negated
    return ignored


def test_build_context_leaves_out_local_and_secret_files() -> None:
    patterns = _dockerignore_patterns()
    for path in (".venv/bin/python", ".git/HEAD", ".env", "data/scriptsensei.db",
                 "backups/scriptsensei-backup-1.tar", "test-output/report.txt",
                 "src/scriptsensei/__pycache__/app.cpython-311.pyc",
                 "src/scriptsensei.egg-info/PKG-INFO"):  # fmt: skip
        assert _ignored(path, patterns), path
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", (ROOT / "Dockerfile").read_text(), re.M)
    sources = [source for line in copied for source in line.split()]
    assert "src" in sources and "docker/entrypoint.sh" in sources
    for source in [*sources, ".env.example", "src/scriptsensei/app.py"]:
        assert not _ignored(source, patterns), source
