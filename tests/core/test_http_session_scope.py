"""Every request transaction commits before its response is sent: a commit that fails must
become the error response, not a change the client was told had been saved."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "scriptsensei"


def test_every_session_dependency_ends_before_the_response() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for use in re.findall(r"Depends\(get_session[^)]*\)", line):
                if 'scope="function"' not in use:
                    offenders.append(f"{path.relative_to(SRC)}:{number}")
    assert offenders == []
