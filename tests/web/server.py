"""The app as a real server for browser tests: uvicorn in a subprocess on a random local
port, SQLite and stored files in a temporary directory, workers inside. It can be stopped
and started again on the same port and data (a restart while pages are open)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from scriptsensei.core.settings import LLMEngineSettings

START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, data_dir: Path, llm_engines: list[LLMEngineSettings]) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.llm_engines = llm_engines
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        engines = [e.model_dump() for e in self.llm_engines]
        return {
            **os.environ,
            "SCRIPTSENSEI_ENV": "development",
            "SCRIPTSENSEI_DATA_DIR": str(self.data_dir),
            "SCRIPTSENSEI_LOCAL_ENGINES": '["tesseract"]',
            "SCRIPTSENSEI_LLM_ENGINES": json.dumps(engines),
            "SCRIPTSENSEI_EMBEDDED_WORKERS": "true",
            "SCRIPTSENSEI_OCR_PROCESSES": "2",
            "SCRIPTSENSEI_LOG_FORMAT": "console",
            "SCRIPTSENSEI_SHUTDOWN_GRACE_SECONDS": "2",
        }

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "uvicorn", "scriptsensei.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, env=self.environment(), stdout=log, stderr=log)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1.0).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def setup_token(self) -> str:
        return (self.data_dir / "setup-token").read_text().strip()
