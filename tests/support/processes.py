"""Real app processes for fault tests: `scriptsensei serve` and `scriptsensei worker` as
subprocesses on 127.0.0.1, sharing one database and one data directory, started,
killed (SIGKILL) or stopped (SIGTERM) one at a time.

The processes load the sleeping engines of `tests.support.sleepy_engines` through the
`scriptsensei.engines` entry point: a small distribution-info directory written next to
the data directory and put on their PYTHONPATH, so nothing test-only is installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from tests.support.sleepy_engines import SECONDS_VARIABLE
from tests.support.tcp_proxy import free_port

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
Role = Literal["web", "worker"]


def write_engine_plugin(directory: Path) -> Path:
    """A directory that, on sys.path, registers the sleeping engines as a plugin."""
    dist = directory / "scriptsensei_test_engines-0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: scriptsensei-test-engines\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[scriptsensei.engines]\nsleepy = tests.support.sleepy_engines:plugin_engines\n"
    )
    return directory


@dataclass
class Deployment:
    """What every process of one installation shares: database, data directory, settings."""

    database_url: str
    root: Path
    engine_seconds: str = "0.1,0.3"
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "files"

    def environment(self, role: Role, embedded: bool) -> dict[str, str]:
        plugin = write_engine_plugin(self.root / "plugin")
        values = {
            "SCRIPTSENSEI_ENV": "test",
            "SCRIPTSENSEI_DATABASE_URL": self.database_url,
            "SCRIPTSENSEI_DATA_DIR": str(self.data_dir),
            "SCRIPTSENSEI_HOST": "127.0.0.1",
            "SCRIPTSENSEI_EMBEDDED_WORKERS": "true" if role == "web" and embedded else "false",
            "SCRIPTSENSEI_LOCAL_ENGINES": "[]",
            "SCRIPTSENSEI_LLM_ENGINES": "[]",
            "SCRIPTSENSEI_LOG_FORMAT": "console",
            "SCRIPTSENSEI_RUN_LEASE_SECONDS": "3",
            "SCRIPTSENSEI_RETRY_BACKOFF_SECONDS": "0.2",
            "SCRIPTSENSEI_SHUTDOWN_GRACE_SECONDS": "5",
            "SCRIPTSENSEI_DB_POOL_TIMEOUT": "3",
            "SCRIPTSENSEI_DB_CONNECT_TIMEOUT": "3",
            SECONDS_VARIABLE: self.engine_seconds,
            "PYTHONPATH": os.pathsep.join([str(plugin), str(REPO)]),
        }
        return {**os.environ, **values, **self.settings}

    def web(self, name: str = "web", embedded: bool = False) -> AppProcess:
        return AppProcess(self, "web", name, embedded)

    def worker(self, name: str = "worker") -> AppProcess:
        return AppProcess(self, "worker", name)


class AppProcess:
    """One `serve` or `worker` process; can be started again after it stops or is killed
    (a web process keeps its port, so clients reconnect to the same address)."""

    def __init__(
        self, deployment: Deployment, role: Role, name: str, embedded: bool = False
    ) -> None:
        self.deployment = deployment
        self.role = role
        self.name = name
        self.embedded = embedded
        self.port = free_port()
        self.log_path = deployment.root / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        if self.role == "web":
            return [sys.executable, "-m", "scriptsensei", "serve", "--port", str(self.port)]
        return [sys.executable, "-m", "scriptsensei", "worker"]

    def start(self, wait: bool = True) -> AppProcess:
        assert not self.alive, f"{self.name} is already running"
        self.deployment.root.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.deployment.environment(self.role, self.embedded),
                cwd=self.deployment.root,  # no stray .env file is read
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
            )
        if wait:
            self.wait_ready()
        return self

    def log_since_start(self) -> str:
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.log_since_start()[-3000:]}")
            if self._ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.log_since_start()[-3000:]}")

    def _ready(self) -> bool:
        if self.role == "worker":
            return "worker_started" in self.log_since_start()
        try:
            return httpx.get(f"{self.url}/api/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL, no goodbye: a crash or an OOM kill."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT_SECONDS)

    def terminate(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        """A graceful stop (SIGTERM) that must end cleanly: the goodbye line logged and the
        exit code 0, or the signal itself (uvicorn re-raises it after shutting down)."""
        code = self.terminate()
        goodbye = "app_stopped" if self.role == "web" else "worker_stopped"
        log = self.log_since_start()
        assert code in (0, -signal.SIGTERM) and goodbye in log, (
            f"{self.name}: {code}\n{log[-3000:]}"
        )

    def cleanup(self) -> None:
        if self.alive:
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_SECONDS)
