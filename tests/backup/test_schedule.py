"""Backup schedules: cron expressions and intervals; nonsense is refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scriptsensei.backup.schedule import Schedule


def test_cron_expression() -> None:
    start = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert Schedule("0 2 * * *").next_after(start) == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_interval() -> None:
    start = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert Schedule("6h").next_after(start) == datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    assert Schedule("30m").next_after(start) == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize("expression", ["every day", "5s", "61 * * * *"])
def test_nonsense_is_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        Schedule(expression)
