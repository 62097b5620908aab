"""Adding up sample scores per engine: accuracy per field and per category, time, cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from scriptsensei.evaluation.scoring import SampleScore


@dataclass
class EngineTally:
    correct: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, list[int]] = field(default_factory=dict)  # category -> [ok, n]
    meds_truth: int = 0
    meds_read: int = 0
    meds_matched: int = 0
    seconds_per_page: list[float] = field(default_factory=list)
    cost_usd: float = 0.0
    costed: bool = False
    errors: int = 0

    def add(self, score: SampleScore, category: str) -> None:
        for path, n in score.counted.items():
            self.counted[path] = self.counted.get(path, 0) + n
            self.correct[path] = self.correct.get(path, 0) + score.correct.get(path, 0)
        totals = self.by_category.setdefault(category, [0, 0])
        totals[0] += sum(score.correct.values())
        totals[1] += sum(score.counted.values())
        self.meds_truth += score.meds_truth
        self.meds_read += score.meds_read
        self.meds_matched += score.meds_matched

    def add_run(self, seconds: float, pages: int, cost_usd: float | None) -> None:
        self.seconds_per_page.append(seconds / max(pages, 1))
        if cost_usd is not None:
            self.cost_usd += cost_usd
            self.costed = True

    def summary(self) -> dict[str, Any]:
        ok, n = sum(self.correct.values()), sum(self.counted.values())
        times = self.seconds_per_page
        # The first document also pays for starting workers and loading models.
        warm = times[1:] if len(times) > 1 else times
        return {
            "fieldAccuracy": _ratio(ok, n),
            "fieldsCounted": n,
            "byCategory": {c: _ratio(a, b) for c, (a, b) in sorted(self.by_category.items())},
            "medicationPrecision": _ratio(self.meds_matched, self.meds_read),
            "medicationRecall": _ratio(self.meds_matched, self.meds_truth),
            "meanSecondsPerPage": round(sum(warm) / len(warm), 3) if warm else None,
            "medianSecondsPerPage": round(median(warm), 3) if warm else None,
            "costUsd": round(self.cost_usd, 6) if self.costed else None,
            "errors": self.errors,
        }

    def per_field(self) -> dict[str, dict[str, Any]]:
        return {
            path: {"accuracy": _ratio(self.correct.get(path, 0), n), "counted": n}
            for path, n in sorted(self.counted.items())
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None
