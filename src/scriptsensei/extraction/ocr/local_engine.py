"""What the two local OCR engines share: pages to the CPU pool, lines to the parser.

Each engine names a reader module with `read_page(PageImage) -> list[OcrLine]` and
`library_version() -> str`; the reader is imported only inside the worker processes
(and when asked for the version), so a missing library makes the engine unavailable
instead of breaking the import of the registry.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from functools import cached_property

import structlog

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import CpuPool, shared_pool
from scriptsensei.extraction.engine import (
    Availability,
    EngineKind,
    EngineResult,
    ExtractionSettings,
    FieldValue,
    PageImage,
    PermanentEngineError,
    TransientEngineError,
)
from scriptsensei.extraction.fields import path_selected
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser import parse_prescription

log = structlog.get_logger(__name__)

PAGE_TYPES = frozenset({"image/png", "image/jpeg"})


class LocalOcrEngine:
    """Base of TesseractEngine and RapidOCREngine (subclasses set the class attributes)."""

    name: str
    reader_module: str
    kind: EngineKind = "ocr"
    accepts: frozenset[str] = PAGE_TYPES

    def __init__(self, settings: Settings, pool: CpuPool | None = None) -> None:
        self._pool = pool or shared_pool(settings.ocr_processes)

    def missing(self) -> str | None:
        """Why the engine cannot run here (missing library or data), or None."""
        raise NotImplementedError

    def availability(self) -> Availability:
        reason = self.missing()
        return Availability(reason is None, reason)

    @cached_property
    def version(self) -> str:
        if self.missing() is not None:
            return "unavailable"
        return str(importlib.import_module(self.reader_module).library_version())

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        self._check_can_run(pages)
        started = time.perf_counter()
        lines = await self._read_pages(pages)
        geometry = [PageGeometry(p.index, p.width, p.height) for p in pages]
        fields = await self._pool.run(parse_lines, lines, geometry)
        chosen = [f for f in fields if path_selected(f.path, settings.selected_fields)]
        duration_ms = (time.perf_counter() - started) * 1000
        log.info(
            "ocr_extracted",
            engine=self.name,
            pages=len(pages),
            lines=len(lines),
            duration_ms=round(duration_ms),
        )
        return EngineResult(
            engine=self.name,
            engine_version=self.version,
            fields=chosen,
            raw_output={"lines": [asdict(line) for line in lines]},
            duration_ms=duration_ms,
        )

    def _check_can_run(self, pages: Sequence[PageImage]) -> None:
        reason = self.missing()
        if reason is not None:
            raise PermanentEngineError(f"{self.name} is not available: {reason}")
        if not pages:
            raise PermanentEngineError("no pages to read")
        unreadable = sorted({p.content_type for p in pages} - self.accepts)
        if unreadable:
            raise PermanentEngineError(f"{self.name} cannot read {', '.join(unreadable)} pages")

    async def _read_pages(self, pages: Sequence[PageImage]) -> list[OcrLine]:
        try:
            per_page = await asyncio.gather(
                *(self._pool.run(read_with, self.reader_module, p) for p in pages)
            )
        except BrokenProcessPool as exc:
            raise TransientEngineError(f"{self.name} worker process died: {exc}") from exc
        except ValueError as exc:  # an undecodable page
            raise PermanentEngineError(str(exc)) from exc
        return [line for page_lines in per_page for line in page_lines]


def read_with(reader_module: str, page: PageImage) -> list[OcrLine]:
    """Runs in a worker process: only workers import the OCR libraries and load models."""
    lines: list[OcrLine] = importlib.import_module(reader_module).read_page(page)
    return lines


def parse_lines(lines: list[OcrLine], pages: list[PageGeometry]) -> list[FieldValue]:
    """Runs in a worker process too: parsing is CPU work and loads the drug lexicon."""
    return list(parse_prescription(lines, pages))
