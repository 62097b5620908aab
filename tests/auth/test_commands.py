"""`scriptsensei users ...` and `scriptsensei apikeys ...` against a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from scriptsensei.auth.apikeys import KEY_PATTERN, find_active_key
from scriptsensei.auth.users import authenticate
from scriptsensei.cli import app as cli
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import AuditEntry
from tests.auth.support import PASSWORD
from tests.conftest import make_settings


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("SCRIPTSENSEI_DATABASE_URL", database_url)
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCRIPTSENSEI_ENV", "test")
    get_settings.cache_clear()
    yield make_settings(database_url, tmp_path / "data")
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def in_db(settings: Settings, work):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        db = Database(settings)
        try:
            async with unit_of_work(db) as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_create_admin_then_list(env: Settings) -> None:
    created = run(
        "users",
        "create",
        "--username",
        "Root",
        "--admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    assert "Created user root (admin)" in created.output
    assert PASSWORD not in created.output
    listed = run("users", "list")
    assert listed.exit_code == 0
    assert "root\tadmin\tactive\tnever" in listed.output

    async def check(session):  # type: ignore[no-untyped-def]
        user = await authenticate(session, "root", PASSWORD)
        actions = list(
            (await session.execute(select(AuditEntry.action, AuditEntry.actor_type))).all()
        )
        return user, actions

    user, actions = in_db(env, check)
    assert user is not None and user.role == "admin"
    assert ("user.create", "system") in [tuple(a) for a in actions]


def test_create_needs_a_role_and_a_known_one(env: Settings) -> None:
    missing = run("users", "create", "--username", "a", "--password-stdin", stdin=PASSWORD + "\n")
    assert missing.exit_code != 0 and "--role" in missing.output
    wrong = run(
        "users", "create", "--username", "a", "--role", "boss", "--password-stdin", stdin=PASSWORD
    )
    assert wrong.exit_code != 0 and "choose one of" in wrong.output


def test_weak_password_and_duplicate_are_clear_errors(env: Settings) -> None:
    weak = run(
        "users", "create", "-u", "a", "--role", "viewer", "--password-stdin", stdin="short\n"
    )
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    ok = run("users", "create", "-u", "a", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert ok.exit_code == 0, ok.output
    dup = run("users", "create", "-u", "A", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert dup.exit_code == 1 and "already exists" in dup.output


def test_without_a_terminal_the_password_must_come_from_stdin(env: Settings) -> None:
    result = run("users", "create", "-u", "a", "--role", "viewer")
    assert result.exit_code == 2 and "--password-stdin" in result.output


def test_set_password_and_deactivate(env: Settings) -> None:
    run("users", "create", "-u", "bob", "--role", "operator", "--password-stdin", stdin=PASSWORD)
    changed = run("users", "set-password", "bob", "--password-stdin", stdin="a newer password\n")
    assert changed.exit_code == 0, changed.output
    assert in_db(env, lambda s: authenticate(s, "bob", "a newer password")) is not None
    assert in_db(env, lambda s: authenticate(s, "bob", PASSWORD)) is None
    off = run("users", "deactivate", "bob")
    assert off.exit_code == 0 and "deactivated" in off.output
    assert "bob\toperator\tdeactivated" in run("users", "list").output
    assert run("users", "activate", "bob").exit_code == 0
    unknown = run("users", "deactivate", "nobody")
    assert unknown.exit_code == 1 and "No user named 'nobody'" in unknown.output


def test_last_admin_cannot_be_deactivated_from_the_cli(env: Settings) -> None:
    run("users", "create", "-u", "root", "--admin", "--password-stdin", stdin=PASSWORD)
    result = run("users", "deactivate", "root")
    assert result.exit_code == 1 and "only active admin" in result.output


def test_apikeys_create_list_revoke(env: Settings) -> None:
    created = run("apikeys", "create", "--name", "lab", "--role", "operator")
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert KEY_PATTERN.fullmatch(key)
    announce = next(line for line in created.output.splitlines() if line.startswith("API key "))
    key_id = announce.split()[2]
    listed = run("apikeys", "list").output
    assert key_id in listed and "lab\toperator\tactive\tnever" in listed
    assert key not in listed  # shown once only
    assert in_db(env, lambda s: find_active_key(s, key)) is not None
    revoked = run("apikeys", "revoke", key_id)
    assert revoked.exit_code == 0, revoked.output
    assert in_db(env, lambda s: find_active_key(s, key)) is None
    assert "revoked" in run("apikeys", "list").output
    assert run("apikeys", "revoke", "no-such-id").exit_code == 1


def test_apikeys_create_refuses_unknown_role(env: Settings) -> None:
    result = run("apikeys", "create", "--name", "lab", "--role", "god")
    assert result.exit_code != 0 and "choose one of" in result.output
