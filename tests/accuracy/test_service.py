"""The accuracy report against reviewers' final values, on both database backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scriptsensei.accuracy.measures import comparable, same_value
from scriptsensei.accuracy.service import Period, accuracy_report
from scriptsensei.accuracy.throughput import finished_since
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.fields import unflatten
from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
)
from scriptsensei.models.types import new_id

DAY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TRUTH: dict[str, str | None] = {
    "patientDetails.patientName": "Asha Rao",
    "patientDetails.age": "42",
    "medications.0.drugName": "Paracetamol",
    "medications.0.strength": "500 mg",
}
# What each engine read: alpha misses the strength, beta misreads the name and the age.
READ: dict[str, dict[str, str | None]] = {
    "alpha": {**TRUTH, "medications.0.strength": None},
    "beta": {**TRUTH, "patientDetails.patientName": "Asha Roa", "patientDetails.age": "47"},
}


def _engine_run(session: Any, run: ProcessingRun, engine: str, **values: Any) -> str:
    engine_run_id = new_id()
    session.add(
        EngineRun(
            id=engine_run_id,
            processing_run_id=run.id,
            prescription_id=run.prescription_id,
            engine_name=engine,
            **values,
        )
    )
    return engine_run_id


def _results(session: Any, run: ProcessingRun, engine_run_id: str, engine: str) -> None:
    for path, value in READ[engine].items():
        session.add(
            ExtractionResult(
                prescription_id=run.prescription_id,
                engine_run_id=engine_run_id,
                model_name=engine,
                field_name=path,
                extracted_value=value,
            )
        )


def _consensus(session: Any, run: ProcessingRun) -> None:
    for path in TRUTH:
        agreed = READ["alpha"][path] == READ["beta"][path]
        session.add(
            FieldConsensus(
                prescription_id=run.prescription_id,
                processing_run_id=run.id,
                field_name=path,
                status="agreed" if agreed else "conflict",
                needs_review=not agreed,
            )
        )


async def create_reviewed(
    db: Database, uploaded: datetime, review_status: str = "approved", failed: str | None = None
) -> str:
    """A prescription read by alpha and beta (and `failed`, which failed), reviewed to TRUTH."""
    async with unit_of_work(db) as session:
        rx = Prescription(
            id=new_id(),
            file_name="rx.png",
            file_size="10",
            uploaded_at=uploaded,
            processing_status="completed",
            review_status=review_status,
            extracted_data=unflatten(TRUTH),
            status_changed_at=uploaded,
        )
        session.add(rx)
        await session.flush()  # no ORM relationships: parents are written first by hand
        run = ProcessingRun(
            id=new_id(),
            prescription_id=rx.id,
            status="completed",
            selected_engines=["alpha", "beta"],
            selected_fields=[],
            agreement_threshold=0.67,
            confidence_threshold=0.6,
            created_at=uploaded,
        )
        session.add(run)
        await session.flush()
        alpha = _engine_run(session, run, "alpha", status="succeeded", duration_ms=1000.0)
        beta = _engine_run(
            session, run, "beta", status="succeeded", duration_ms=3000.0, cost_usd=0.02
        )
        if failed:
            _engine_run(session, run, failed, status="failed", duration_ms=500.0)
        await session.flush()
        _results(session, run, alpha, "alpha")
        _results(session, run, beta, "beta")
        _consensus(session, run)
        return rx.id


async def test_engines_are_judged_against_the_reviewed_values(db: Database) -> None:
    await create_reviewed(db, DAY, failed="gamma")
    async with unit_of_work(db) as session:
        report = await accuracy_report(session)
    assert report.prescriptions == 1
    assert report.engines == ["alpha", "beta"]  # gamma failed: nothing to judge
    assert (report.by_engine["alpha"].correct, report.by_engine["alpha"].total) == (3, 4)
    assert (report.by_engine["beta"].correct, report.by_engine["beta"].total) == (2, 4)
    assert report.by_group[("beta", "patientDetails")].rate == 0.0
    assert report.by_group[("beta", "medications")].rate == 1.0
    assert report.by_field[("alpha", "medications.0.strength")].correct == 0
    assert report.agreement["patientDetails.age"].rate == 0.0
    assert report.agreement["medications.0.drugName"].rate == 1.0
    assert report.costs["beta"].mean_cost_usd == 0.02
    assert report.costs["alpha"].mean_cost_usd is None  # a local engine costs nothing known
    assert report.costs["gamma"].runs == 1
    assert report.trend["alpha"][DAY.date()].rate == 0.75


async def test_unreviewed_and_out_of_period_prescriptions_do_not_count(db: Database) -> None:
    await create_reviewed(db, DAY)
    await create_reviewed(db, DAY, review_status="pending")
    await create_reviewed(db, DAY - timedelta(days=40))
    period = Period(DAY - timedelta(days=1), DAY + timedelta(days=1))
    async with unit_of_work(db) as session:
        report = await accuracy_report(session, period)
        everything = await accuracy_report(session)
    assert report.prescriptions == 1
    assert report.by_engine["alpha"].total == 4
    assert everything.prescriptions == 2
    assert sorted(everything.trend["beta"]) == [(DAY - timedelta(days=40)).date(), DAY.date()]


async def test_an_empty_period_gives_an_empty_report(db: Database) -> None:
    async with unit_of_work(db) as session:
        report = await accuracy_report(session, Period(DAY, DAY + timedelta(days=1)))
    assert report.prescriptions == 0
    assert report.engines == [] and report.rows() == []


async def test_rows_for_the_table_and_export(db: Database) -> None:
    await create_reviewed(db, DAY)
    async with unit_of_work(db) as session:
        rows = (await accuracy_report(session)).rows()
    assert len(rows) == 8  # two engines, four fields
    beta_name = next(
        r for r in rows if r["engine"] == "beta" and r["field"] == "patientDetails.patientName"
    )
    assert beta_name == {
        "engine": "beta",
        "field": "patientDetails.patientName",
        "group": "patientDetails",
        "correct": 0,
        "total": 1,
        "accuracy": 0.0,
    }


async def test_throughput_counts_finished_prescriptions_since(db: Database) -> None:
    await create_reviewed(db, DAY)
    await create_reviewed(db, DAY - timedelta(days=2))
    async with unit_of_work(db) as session:
        counts = await finished_since(session, DAY - timedelta(hours=1))
    assert counts == {"completed": 1, "failed": 0}


def test_values_compare_as_a_reviewer_would() -> None:
    assert same_value("Tab  Paracetamol.", "tab paracetamol")
    assert same_value("NA", None)
    assert not same_value("500 mg", "650 mg")
    assert comparable("  ") is None
