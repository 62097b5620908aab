"""Per-engine and per-field accuracy against reviewers' final values, agreement rates,
and time and cost per prescription, over a period of uploads.

A prescription counts once a reviewer has worked on it (`reviewed` or `approved`): its
`extractedData` (the consensus with every decision on top) is then the truth. Each engine
that succeeded in the latest completed run is judged on every field the run asked for
that either the truth or the engine has a value for; a field the engine did not read
while the truth has a value is a miss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from scriptsensei.accuracy.measures import Tally, mean, same_value
from scriptsensei.extraction.fields import flatten, is_valid_path, path_selected
from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
)

REVIEWED = ("reviewed", "approved")
CHUNK = 500  # ids per IN list: well under SQLite's bound on query variables


@dataclass(frozen=True)
class Period:
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


@dataclass
class EngineCost:
    runs: int = 0
    durations_ms: list[float] = field(default_factory=list)
    costs_usd: list[float] = field(default_factory=list)

    @property
    def mean_ms(self) -> float | None:
        return mean(self.durations_ms)

    @property
    def mean_cost_usd(self) -> float | None:
        return mean(self.costs_usd)


@dataclass
class AccuracyReport:
    prescriptions: int = 0
    by_engine: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_group: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_field: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    agreement: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    trend: dict[str, dict[date, Tally]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Tally))
    )
    costs: dict[str, EngineCost] = field(default_factory=lambda: defaultdict(EngineCost))

    @property
    def engines(self) -> list[str]:
        return sorted(self.by_engine)

    @property
    def groups(self) -> list[str]:
        return sorted({group for _, group in self.by_group})

    def rows(self) -> list[dict[str, Any]]:
        """The table, one row per engine and field (for display and export)."""
        return [
            {
                "engine": engine,
                "field": path,
                "group": path.split(".")[0],
                "correct": tally.correct,
                "total": tally.total,
                "accuracy": tally.rate,
            }
            for (engine, path), tally in sorted(self.by_field.items())
        ]


@dataclass(frozen=True)
class _Run:
    id: str
    prescription_id: str
    selected_fields: Sequence[str]


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def _reviewed(session: AsyncSession, period: Period) -> list[Prescription]:
    query = (
        select(Prescription)
        .options(defer(Prescription.image_data, raiseload=True))
        .where(Prescription.review_status.in_(REVIEWED))
    )
    if period.start is not None:
        query = query.where(Prescription.uploaded_at >= period.start)
    if period.end is not None:
        query = query.where(Prescription.uploaded_at < period.end)
    return list(await session.scalars(query.order_by(Prescription.uploaded_at)))


async def _latest_runs(session: AsyncSession, ids: Sequence[str]) -> dict[str, _Run]:
    latest: dict[str, tuple[datetime, _Run]] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(
                ProcessingRun.id,
                ProcessingRun.prescription_id,
                ProcessingRun.selected_fields,
                ProcessingRun.created_at,
            ).where(ProcessingRun.prescription_id.in_(chunk), ProcessingRun.status == "completed")
        )
        for run_id, rx_id, fields, created in rows:
            if rx_id not in latest or created > latest[rx_id][0]:
                latest[rx_id] = (created, _Run(run_id, rx_id, list(fields or [])))
    return {rx_id: run for rx_id, (_, run) in latest.items()}


async def _engine_runs(session: AsyncSession, run_ids: Sequence[str]) -> list[EngineRun]:
    found: list[EngineRun] = []
    for chunk in _chunks(run_ids):
        found += await session.scalars(
            select(EngineRun).where(EngineRun.processing_run_id.in_(chunk))
        )
    return found


async def _values(
    session: AsyncSession, engine_run_ids: Sequence[str]
) -> dict[str, dict[str, str | None]]:
    """engine run id -> field -> value read."""
    out: dict[str, dict[str, str | None]] = defaultdict(dict)
    for chunk in _chunks(engine_run_ids):
        rows = await session.execute(
            select(
                ExtractionResult.engine_run_id,
                ExtractionResult.field_name,
                ExtractionResult.extracted_value,
            ).where(ExtractionResult.engine_run_id.in_(chunk))
        )
        for engine_run_id, path, value in rows:
            out[str(engine_run_id)][path] = value
    return out


async def _agreement(session: AsyncSession, run_ids: Sequence[str], report: AccuracyReport) -> None:
    for chunk in _chunks(run_ids):
        rows = await session.execute(
            select(FieldConsensus.field_name, FieldConsensus.status).where(
                FieldConsensus.processing_run_id.in_(chunk), FieldConsensus.status != "missing"
            )
        )
        for path, status in rows:
            report.agreement[path].add(status == "agreed")


def _judge(
    report: AccuracyReport,
    engine: str,
    read: dict[str, str | None],
    truth: dict[str, str | None],
    run: _Run,
    day: date,
) -> None:
    paths = {p for p, v in truth.items() if v is not None} | {p for p, v in read.items() if v}
    for path in sorted(paths):
        if not is_valid_path(path):
            continue
        if run.selected_fields and not path_selected(path, run.selected_fields):
            continue
        right = same_value(read.get(path), truth.get(path))
        report.by_engine[engine].add(right)
        report.by_group[(engine, path.split(".")[0])].add(right)
        report.by_field[(engine, path)].add(right)
        report.trend[engine][day].add(right)


def _count_cost(report: AccuracyReport, engine_run: EngineRun) -> None:
    cost = report.costs[engine_run.engine_name]
    cost.runs += 1
    if engine_run.duration_ms is not None:
        cost.durations_ms.append(float(engine_run.duration_ms))
    if engine_run.cost_usd is not None:
        cost.costs_usd.append(float(engine_run.cost_usd))


async def accuracy_report(session: AsyncSession, period: Period | None = None) -> AccuracyReport:
    report = AccuracyReport()
    prescriptions = await _reviewed(session, period or Period())
    runs = await _latest_runs(session, [p.id for p in prescriptions])
    engine_runs = await _engine_runs(session, [r.id for r in runs.values()])
    values = await _values(session, [er.id for er in engine_runs if er.status == "succeeded"])
    by_run: dict[str, list[EngineRun]] = defaultdict(list)
    for engine_run in engine_runs:
        by_run[engine_run.processing_run_id].append(engine_run)
    for prescription in prescriptions:
        run = runs.get(prescription.id)
        if run is None:
            continue  # rows of the earlier app: no engine runs to judge
        report.prescriptions += 1
        truth = flatten(prescription.extracted_data)
        for engine_run in by_run[run.id]:
            _count_cost(report, engine_run)
            if engine_run.status == "succeeded":
                read = values.get(engine_run.id, {})
                day = prescription.uploaded_at.date()
                _judge(report, engine_run.engine_name, read, truth, run, day)
    await _agreement(session, list({r.id for r in runs.values()}), report)
    return report
