"""Waiting for a prescription to finish processing, by listening to the event bus (never by
polling the database): subscribe before the upload, then wait for its completed or failed
event up to a time-out. One read of the database follows, whatever woke the wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.events.bus import Subscription
from scriptsensei.events.types import EventType
from scriptsensei.models import EngineRun, ExtractionResult, Prescription
from scriptsensei.prescriptions import repository

FINAL_STATUSES = frozenset({"completed", "failed"})
_FINAL_EVENTS = frozenset({EventType.PRESCRIPTION_COMPLETED, EventType.PRESCRIPTION_FAILED})


def is_final_event(message: dict[str, Any], prescription_id: str) -> bool:
    if message.get("prescriptionId") != prescription_id:
        return False
    # A cancel reports its outcome as an update carrying the final status.
    return message.get("type") in _FINAL_EVENTS or message.get("status") in FINAL_STATUSES


@dataclass
class CompletionWatch:
    subscription: Subscription | None  # None when this process has no event bus

    async def wait(self, prescription_id: str, seconds: float) -> bool:
        """True when the prescription's final event arrived within `seconds`. False
        on time-out, without a bus, or when the subscription overflowed (the caller then
        reads the status once)."""
        if self.subscription is None:
            return False
        try:
            async with asyncio.timeout(max(seconds, 0.0)):
                return await self._final_event(self.subscription, prescription_id)
        except TimeoutError:
            return False

    @staticmethod
    async def _final_event(subscription: Subscription, prescription_id: str) -> bool:
        while not subscription.overflowed:
            get = asyncio.ensure_future(subscription.get())
            overflow = asyncio.ensure_future(subscription.overflow_signal.wait())
            try:
                done, _ = await asyncio.wait({get, overflow}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (get, overflow):
                    task.cancel()
            if get in done and is_final_event(get.result(), prescription_id):
                return True
        return False


@asynccontextmanager
async def watch_completions(db: Database) -> AsyncIterator[CompletionWatch]:
    """Subscribe now, so that an event committed during the upload is not missed."""
    bus = db.event_bus
    if bus is None:
        yield CompletionWatch(None)
        return
    async with bus.subscribe() as subscription:
        yield CompletionWatch(subscription)


@dataclass
class Outcome:
    prescription: Prescription
    engine_runs: list[EngineRun]  # of the latest run
    results: list[ExtractionResult]  # of the latest run

    @property
    def finished(self) -> bool:
        return self.prescription.processing_status in FINAL_STATUSES


async def read_outcome(session: AsyncSession, prescription_id: str) -> Outcome | None:
    """The prescription with its latest run's engines and values (None if deleted)."""
    prescription = await repository.get_prescription(session, prescription_id)
    if prescription is None:
        return None
    run = await repository.latest_run(session, prescription_id)
    engine_runs = await repository.engine_runs_of(session, run.id) if run else []
    ids = {r.id for r in engine_runs}
    results = [
        r for r in await repository.results_of(session, prescription_id) if r.engine_run_id in ids
    ]
    return Outcome(prescription, engine_runs, results)
