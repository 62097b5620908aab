"""Worker processes for tests: `python -m scriptsensei worker` with a fake engine.

The fake engine reaches the worker the way third-party engines do, through the
`scriptsensei.engines` entry-point group: a throw-away `*.dist-info` directory put on
PYTHONPATH declares it, so the package needs no test-only hook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = "sleepy = tests.jobs.fake_engines:plugin_engines"


def plugin_dir(root: Path) -> Path:
    dist = root / "scriptsensei_test_engines-0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: scriptsensei-test-engines\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text(f"[scriptsensei.engines]\n{ENTRY_POINT}\n")
    return root


def worker_env(database_url: str, data_dir: Path, plugins: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIPTSENSEI_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(plugins), str(REPO)]),
        SCRIPTSENSEI_ENV="test",
        SCRIPTSENSEI_DATABASE_URL=database_url,
        SCRIPTSENSEI_DATA_DIR=str(data_dir),
        SCRIPTSENSEI_LOCAL_ENGINES="[]",
        SCRIPTSENSEI_LLM_ENGINES="[]",
        SCRIPTSENSEI_LOG_FORMAT="json",
    )
    env.update({f"SCRIPTSENSEI_{k.upper()}": v for k, v in settings.items()})
    return env


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A running worker; killed at the end if the test did not stop it."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scriptsensei", "worker"],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
