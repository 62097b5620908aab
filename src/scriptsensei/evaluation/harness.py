"""Running engines over a sample set and scoring every reading (and their consensus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import structlog

from scriptsensei.evaluation.samples import Sample
from scriptsensei.evaluation.scoring import SampleScore, score_reading
from scriptsensei.evaluation.tally import EngineTally
from scriptsensei.extraction.consensus import EngineReading, Thresholds, build_consensus
from scriptsensei.extraction.engine import Engine, EngineError, EngineResult, ExtractionSettings
from scriptsensei.extraction.engine_runs import run_engines
from scriptsensei.extraction.pages import PageDecodeError, load_file

log = structlog.get_logger(__name__)

CONSENSUS = "consensus"
Progress = Callable[[int, int, Sample], None]


@dataclass
class Evaluation:
    dataset: str
    engines: list[str]
    tallies: dict[str, EngineTally] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)

    def tally(self, name: str) -> EngineTally:
        return self.tallies.setdefault(name, EngineTally())


async def evaluate(
    dataset: str,
    samples: Sequence[Sample],
    engines: Sequence[Engine],
    thresholds: Thresholds | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    names = [e.name for e in engines] + ([CONSENSUS] if len(engines) > 1 else [])
    evaluation = Evaluation(dataset, names)
    for number, sample in enumerate(samples, start=1):
        if progress:
            progress(number, len(samples), sample)
        evaluation.samples.append(await _evaluate_sample(evaluation, sample, engines, thresholds))
    return evaluation


async def _evaluate_sample(
    evaluation: Evaluation,
    sample: Sample,
    engines: Sequence[Engine],
    thresholds: Thresholds | None,
) -> dict[str, Any]:
    detail: dict[str, Any] = {"name": sample.name, "category": sample.category, "engines": {}}
    try:
        pages = load_file(sample.image)
    except PageDecodeError as exc:
        detail["error"] = str(exc)
        log.warning("eval_sample_unreadable", sample=sample.name, error=str(exc))
        return detail
    detail["pages"] = len(pages)
    outcomes = await run_engines(engines, pages, ExtractionSettings())
    results = {n: o for n, o in outcomes.items() if isinstance(o, EngineResult)}
    for name, outcome in outcomes.items():
        if isinstance(outcome, EngineError):
            evaluation.tally(name).errors += 1
            detail["engines"][name] = {"error": str(outcome)}
    for name, result in results.items():
        flat = {f.path: f.value for f in result.fields}
        seconds = result.duration_ms / 1000
        detail["engines"][name] = _record(
            evaluation, name, sample, flat, seconds, len(pages), result.cost_usd
        )
    if CONSENSUS in evaluation.engines and results:
        detail["engines"][CONSENSUS] = _record_consensus(
            evaluation, sample, results, len(pages), thresholds
        )
    return detail


def _record(
    evaluation: Evaluation,
    name: str,
    sample: Sample,
    flat: dict[str, str | None],
    seconds: float,
    pages: int,
    cost_usd: float | None,
) -> dict[str, Any]:
    score = score_reading(sample.truth, flat)
    tally = evaluation.tally(name)
    tally.add(score, sample.category)
    tally.add_run(seconds, pages, cost_usd)
    return _score_detail(score, seconds)


def _record_consensus(
    evaluation: Evaluation,
    sample: Sample,
    results: dict[str, EngineResult],
    pages: int,
    thresholds: Thresholds | None,
) -> dict[str, Any]:
    readings = [EngineReading(name, result.fields) for name, result in results.items()]
    flat = build_consensus(readings, thresholds).values()
    # Engines run side by side, so the consensus waits for the slowest; it costs them all.
    seconds = max(r.duration_ms for r in results.values()) / 1000
    costs = [r.cost_usd for r in results.values() if r.cost_usd is not None]
    return _record(
        evaluation, CONSENSUS, sample, flat, seconds, pages, sum(costs) if costs else None
    )


def _score_detail(score: SampleScore, seconds: float) -> dict[str, Any]:
    ok, n = sum(score.correct.values()), sum(score.counted.values())
    return {
        "accuracy": round(ok / n, 4) if n else None,
        "counted": n,
        "seconds": round(seconds, 3),
        "medications": {
            "truth": score.meds_truth,
            "read": score.meds_read,
            "matched": score.meds_matched,
        },
        "misses": [asdict(m) for m in score.misses],
    }
