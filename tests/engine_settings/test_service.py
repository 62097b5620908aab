"""Engine settings: overrides applied over the environment's declarations, given back
with null, checked with a reason, audited and announced; a switched-off engine stays
listed but never runs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest, NotFound
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.engine_settings.service import EngineChanges, EngineView, update_engine
from scriptsensei.extraction.engine import ExtractionSettings, PermanentEngineError
from scriptsensei.jobs.execution import engine_for
from scriptsensei.models import AuditEntry, EventRecord
from tests.engine_settings.conftest import ADMIN


async def _update(db: Database, catalog: EngineCatalog, name: str, **changes: Any) -> EngineView:
    async with unit_of_work(db) as session:
        return await update_engine(session, catalog, name, EngineChanges(**changes), ADMIN)


async def test_overrides_apply_over_the_environment_and_null_gives_them_back(
    db: Database, settings: Settings
) -> None:
    catalog = EngineCatalog(settings)
    await catalog.reload(db)
    view = await _update(
        db, catalog, "vision", model="other/model", base_url="http://127.0.0.1:9/v2",
        input_price_per_mtok=0.5, output_price_per_mtok=0,
    )  # fmt: skip
    assert (view.model, view.base_url) == ("other/model", "http://127.0.0.1:9/v2")
    assert (view.input_price_per_mtok, view.output_price_per_mtok) == (0.5, 0.0)
    assert view.overridden == ("model", "base_url", "input_price_per_mtok", "output_price_per_mtok")
    assert view.updated_by == "admin"
    # This process's registry was rebuilt once the change committed.
    assert catalog.registry.get("vision").version.startswith("other/model+")

    back = await _update(db, catalog, "vision", model=None, base_url=None)
    declared = settings.llm_engines[0]
    assert (back.model, back.base_url) == (declared.model, declared.base_url)
    assert back.overridden == ("input_price_per_mtok", "output_price_per_mtok")
    assert catalog.registry.get("vision").version.startswith(f"{declared.model}+")


async def test_key_presence_is_shown_never_the_key(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = EngineCatalog(settings)
    view = await _update(db, catalog, "keyed", enabled=True)
    assert (view.key_state, view.key_variable, view.available) == (
        "missing", "SCRIPTSENSEI_TEST_KEY_NEVER_SET", False,
    )  # fmt: skip
    assert "SCRIPTSENSEI_TEST_KEY_NEVER_SET" in (view.reason or "")
    monkeypatch.setenv("SCRIPTSENSEI_TEST_KEY_NEVER_SET", "sk-secret-value")
    view = await _update(db, catalog, "keyed", model="keyed/other")
    assert view.key_state == "present"
    assert "sk-secret-value" not in repr(view)


async def test_a_switched_off_engine_is_listed_but_never_runs(
    db: Database, settings: Settings
) -> None:
    catalog = EngineCatalog(settings)
    for name in ("tesseract", "vision"):
        view = await _update(db, catalog, name, enabled=False)
        assert (view.enabled, view.available, view.reason) == (
            False, False, "switched off in Settings",
        )  # fmt: skip
    registry = catalog.registry
    assert set(registry.names()) == {"tesseract", "vision", "keyed"}
    assert registry.available_names() == []
    with pytest.raises(PermanentEngineError, match="switched off in Settings"):
        engine_for(registry, "vision")
    with pytest.raises(PermanentEngineError, match="switched off"):
        await registry.get("tesseract").extract([], ExtractionSettings())

    view = await _update(db, catalog, "vision", enabled=None)
    assert view.enabled and view.available
    assert "vision" in catalog.registry.available_names()


async def test_a_change_is_audited_and_announced_in_its_transaction(
    db: Database, settings: Settings
) -> None:
    catalog = EngineCatalog(settings)
    await _update(db, catalog, "vision", enabled=False, input_price_per_mtok=2)
    async with db.sessions() as session:
        entry = (await session.scalars(select(AuditEntry))).one()
        events = list(await session.scalars(select(EventRecord)))
    assert (entry.action, entry.target_type, entry.target_id) == (
        "engine.update",
        "engine",
        "vision",
    )
    assert entry.detail == {"enabled": False, "inputPricePerMTok": 2.0}
    assert [(e.type, e.payload) for e in events] == [
        ("engine_settings_updated", {"engine": "vision"})
    ]


async def test_a_refused_change_leaves_nothing(db: Database, settings: Settings) -> None:
    catalog = EngineCatalog(settings)
    with pytest.raises(BadRequest):
        await _update(db, catalog, "vision", enabled=False, base_url="ftp://example.org")
    async with db.sessions() as session:
        assert (await session.scalars(select(AuditEntry))).first() is None
        assert (await session.scalars(select(EventRecord))).first() is None
    assert "vision" in catalog.registry.available_names()


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize(
    ("name", "changes", "words"),
    [
        ("vision", {"model": "   "}, "model id cannot be empty"),
        ("vision", {"model": "m" * 201}, "longer than 200"),
        ("vision", {"base_url": "ftp://example.org/v1"}, "http:// or https://"),
        ("vision", {"base_url": "openrouter.ai/api/v1"}, "http:// or https://"),
        ("vision", {"base_url": "http://[::1/v1"}, "http:// or https://"),
        ("vision", {"base_url": "https://me:sk-1@example.org/v1"}, "must not hold credentials"),
        ("vision", {"input_price_per_mtok": -1}, "inputPricePerMTok must be a number of 0"),
        ("vision", {"output_price_per_mtok": float("inf")}, "outputPricePerMTok must be"),
        ("vision", {}, "Send at least one of"),
        ("tesseract", {"model": "x"}, "only enabled can be changed here, not model"),
    ],
)
async def test_refusals_say_what_is_wrong(
    db: Database, settings: Settings, name: str, changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(BadRequest, match=words.replace("(", r"\(")):
        await _update(db, EngineCatalog(settings), name, **changes)


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_an_unknown_engine_is_not_found(db: Database, settings: Settings) -> None:
    with pytest.raises(NotFound, match=r"no engine named 'gpt-9'.*keyed"):
        await _update(db, EngineCatalog(settings), "gpt-9", enabled=False)


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_catalog_rebuilds_only_when_the_overrides_change(
    db: Database, settings: Settings
) -> None:
    catalog = EngineCatalog(settings)
    first = catalog.registry
    await catalog.reload(db)
    assert catalog.registry is first
    await _update(db, catalog, "vision", model="other/model")
    second = catalog.registry
    assert second is not first
    await catalog.reload(db)
    assert catalog.registry is second
