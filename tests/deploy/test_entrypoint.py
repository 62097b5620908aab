"""The container start-up script, run directly: waits for a database that comes up late,
migrates, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support import databases
from tests.support.tcp_proxy import TcpProxy, free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
SCRIPTSENSEI = Path(sys.executable).parent / "scriptsensei"


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
