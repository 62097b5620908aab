"""Counting right and wrong readings: the plain arithmetic behind the accuracy report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scriptsensei.extraction.fields import clean_value

_SPACES = re.compile(r"\s+")


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        self.total += 1
        self.correct += int(right)

    @property
    def rate(self) -> float | None:
        return round(self.correct / self.total, 4) if self.total else None


def comparable(value: str | None) -> str | None:
    """A value as a reviewer would judge it: case, spacing and trailing dots aside."""
    cleaned = clean_value(value)
    if cleaned is None:
        return None
    return _SPACES.sub(" ", cleaned).strip().rstrip(".").casefold() or None


def same_value(read: str | None, final: str | None) -> bool:
    return comparable(read) == comparable(final)


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None
