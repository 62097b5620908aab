"""The container start-up script, run directly: waits for a database that comes up late,
migrates, serves, and stops cleanly on SIGTERM; started as root, it hands the data and
backup directories to the app's user and runs nothing else as root. The image's
`scriptsensei` (run by `docker compose exec`) drops to that user the same way."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy.conftest import APP_USER, DOCKER, RUNNING_AS_ROOT
from tests.support import databases
from tests.support.tcp_proxy import TcpProxy, free_port

ENTRYPOINT = DOCKER / "entrypoint.sh"
WRAPPER = DOCKER / "scriptsensei.sh"
SCRIPTSENSEI = Path(sys.executable).parent / "scriptsensei"
# Stands in for `scriptsensei`: records who ran it with which arguments.
RECORDER = """#!/bin/sh
mkdir -p "$SCRIPTSENSEI_DATA_DIR"
echo "$(id -u) $*" >> "$SCRIPTSENSEI_DATA_DIR/calls"
"""
# Handing the folders over needs root; CI runs as root, so there a missing root fails.
root_only = pytest.mark.skipif(
    not RUNNING_AS_ROOT and not databases.IN_CI, reason="handing over needs root"
)


def _wait_healthy(port: int, deadline: float) -> httpx.Response:
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("the app did not become healthy")


@pytest.mark.postgres
def test_entrypoint_waits_for_a_late_database_then_migrates_and_serves(tmp_path: Path) -> None:
    with databases.empty_postgres_database() as url:
        proxy = TcpProxy(target_port=5432)
        late_url = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        port = free_port()
        env = {
            **os.environ,
            "SCRIPTSENSEI_BIN": str(SCRIPTSENSEI),
            "SCRIPTSENSEI_DATABASE_URL": late_url,
            "SCRIPTSENSEI_DATA_DIR": str(tmp_path),
            "SCRIPTSENSEI_PORT": str(port),
            "SCRIPTSENSEI_DB_WAIT_SECONDS": "60",
            "SCRIPTSENSEI_EMBEDDED_WORKERS": "false",
            "SCRIPTSENSEI_LLM_ENGINES": "[]",
        }
        proc = subprocess.Popen(
            ["sh", str(ENTRYPOINT)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
        reader.start()
        try:
            time.sleep(3)  # the database is "down" while the script starts
            assert proc.poll() is None, "".join(output)
            proxy.start()
            health = _wait_healthy(port, time.monotonic() + 90).json()
            assert health["database"]["current"] is True
            proc.send_signal(signal.SIGTERM)
            # Uvicorn shuts down gracefully, then re-raises the signal so the exit status
            # says why it stopped (143 under tini).
            assert proc.wait(timeout=40) in (0, -signal.SIGTERM)
        finally:
            if proc.poll() is None:
                proc.kill()
            proxy.shutdown()
        reader.join(5)
        log = "".join(output)
        assert "Waiting for the database" in log
        assert "Migrations completed" in log
        assert "app_stopped" in log  # the lifespan ran to its end: a graceful shutdown


def test_entrypoint_gives_up_when_the_database_never_comes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SCRIPTSENSEI_BIN": str(SCRIPTSENSEI),
        "SCRIPTSENSEI_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x",
        "SCRIPTSENSEI_DATA_DIR": str(tmp_path),
        "SCRIPTSENSEI_DB_WAIT_SECONDS": "2",
    }
    result = subprocess.run(
        ["sh", str(ENTRYPOINT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "did not answer within 2s" in result.stderr


def _recorder(directory: Path) -> Path:
    recorder = directory / "scriptsensei"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    return recorder


def _run_entrypoint(
    shared_dir: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Runs a copy installed where the app's user can read it, as in the image: the script
    runs itself again after dropping root, and the checkout may be private to root."""
    installed = shared_dir / "entrypoint.sh"
    shutil.copyfile(ENTRYPOINT, installed)
    installed.chmod(0o755)
    return subprocess.run(
        ["sh", str(installed), *args], env=env, capture_output=True, text=True, timeout=30
    )


def test_outside_the_image_it_runs_as_whoever_starts_it(shared_dir: Path) -> None:
    """No SCRIPTSENSEI_USER (a host install): no ownership is touched, no user switched."""
    data = shared_dir / "data"
    env = {k: v for k, v in os.environ.items() if k != "SCRIPTSENSEI_USER"}
    env |= {"SCRIPTSENSEI_BIN": str(_recorder(shared_dir)), "SCRIPTSENSEI_DATA_DIR": str(data)}
    result = _run_entrypoint(shared_dir, env, "backup")
    assert result.returncode == 0, result.stderr
    assert "Giving" not in result.stdout
    me = os.geteuid()
    assert (data / "calls").read_text().splitlines() == [
        f"{me} db wait --timeout 90",
        f"{me} db upgrade",
        f"{me} backup",
    ]
    assert data.stat().st_uid == me


@root_only
def test_started_as_root_it_hands_the_directories_over_and_drops_root(shared_dir: Path) -> None:
    backups = shared_dir / "backups"  # as Docker creates a bind mount: root's
    backups.mkdir()
    (backups / "scriptsensei-backup-old.tar").write_bytes(b"an older archive")
    data = shared_dir / "data"  # missing: created
    env = {
        **os.environ,
        "SCRIPTSENSEI_USER": APP_USER,
        "SCRIPTSENSEI_BIN": str(_recorder(shared_dir)),
        "SCRIPTSENSEI_DATA_DIR": str(data),
        "SCRIPTSENSEI_BACKUP_DIR": str(backups),
    }
    result = _run_entrypoint(shared_dir, env, "worker")
    assert result.returncode == 0, result.stderr
    app_uid = pwd.getpwnam(APP_USER).pw_uid
    for path in (data, backups, backups / "scriptsensei-backup-old.tar"):
        assert path.stat().st_uid == app_uid, path
    calls = (data / "calls").read_text().splitlines()
    assert calls == [
        f"{app_uid} db wait --timeout 90",
        f"{app_uid} db upgrade",
        f"{app_uid} worker",
    ]


@root_only
def test_directories_already_the_users_are_left_alone(shared_dir: Path) -> None:
    data = shared_dir / "data"
    data.mkdir()
    app_uid = pwd.getpwnam(APP_USER).pw_uid
    os.chown(data, app_uid, -1)
    kept = data / "root-owned"  # not walked: the directory is already the user's
    kept.write_text("x")
    kept.chmod(0o644)
    env = {
        **os.environ,
        "SCRIPTSENSEI_USER": APP_USER,
        "SCRIPTSENSEI_BIN": str(_recorder(shared_dir)),
        "SCRIPTSENSEI_DATA_DIR": str(data),
    }
    result = _run_entrypoint(shared_dir, env)
    assert result.returncode == 0, result.stderr
    assert kept.stat().st_uid == 0
    assert "Giving" not in result.stdout
    assert (data / "calls").read_text().splitlines()[-1] == f"{app_uid} serve"


@root_only
def test_the_app_is_never_run_as_root(shared_dir: Path) -> None:
    env = {
        **os.environ,
        "SCRIPTSENSEI_USER": "root",
        "SCRIPTSENSEI_BIN": str(_recorder(shared_dir)),
        "SCRIPTSENSEI_DATA_DIR": str(shared_dir / "data"),
    }
    result = _run_entrypoint(shared_dir, env)
    assert result.returncode == 1
    assert "Refusing to run the app as root" in result.stderr
    assert not (shared_dir / "data" / "calls").exists()
    wrapped = subprocess.run(
        ["sh", str(WRAPPER), "--help"],
        env={**env, "SCRIPTSENSEI_APP": str(SCRIPTSENSEI)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert wrapped.returncode == 1
    assert "Refusing to run the app as root" in wrapped.stderr


def test_the_images_scriptsensei_runs_as_the_app_user(shared_dir: Path) -> None:
    """`docker compose exec app scriptsensei backup` starts as root; the command does not."""
    probe = shared_dir / "probe"
    probe.write_text('#!/bin/sh\necho "$(id -u) $HOME $*"\n')
    probe.chmod(0o755)
    env = {**os.environ, "SCRIPTSENSEI_USER": APP_USER, "SCRIPTSENSEI_APP": str(probe)}
    result = subprocess.run(
        ["sh", str(WRAPPER), "backup", "--output", "/backups"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    expected = pwd.getpwnam(APP_USER) if RUNNING_AS_ROOT else pwd.getpwuid(os.geteuid())
    uid, home, *args = result.stdout.split()
    assert int(uid) == expected.pw_uid
    assert args == ["backup", "--output", "/backups"]
    if RUNNING_AS_ROOT:
        assert home == expected.pw_dir
