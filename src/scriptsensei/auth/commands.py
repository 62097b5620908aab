"""`scriptsensei users ...` and `scriptsensei apikeys ...`: accounts from the command line.

Run on the server, by whoever runs the service: the first admin can be created here
instead of through the setup page. Every change is written to the audit log as done by
the command line.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.audit.service import COMMAND_LINE, record
from scriptsensei.auth import apikeys, users
from scriptsensei.auth.passwords import check_password_policy
from scriptsensei.auth.permissions import Role, parse_role
from scriptsensei.auth.setup import close_setup, remove_token_file, token_path
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.errors import AppError, NotFound
from scriptsensei.core.logging import configure_logging
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import User

users_app = typer.Typer(help="User accounts and their roles.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for other systems.", no_args_is_help=True)

T = TypeVar("T")


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings)
    return settings


async def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings)
    try:
        if settings.run_migrations_on_startup:  # the same rule as the server's start-up
            await migrate.upgrade(db)
        async with unit_of_work(db) as session:
            return await work(session)
    finally:
        await db.dispose()


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = _settings()
    try:
        return asyncio.run(_in_transaction(settings, work))
    except AppError as exc:
        typer.echo(f"Error: {exc.detail}", err=True)
        raise typer.Exit(1) from None


def _role(value: str) -> Role:
    try:
        return parse_role(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        typer.echo("No terminal to ask for the password: pass --password-stdin.", err=True)
        raise typer.Exit(2)
    try:
        check_password_policy(password)
    except AppError as exc:
        typer.echo(f"Error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    return password


@users_app.command("create")
def users_create(
    username: str = typer.Option(..., "--username", "-u", help="Login name (lower-cased)."),
    role: str | None = typer.Option(None, help="admin, reviewer, operator or viewer."),
    admin: bool = typer.Option(False, "--admin", help="Same as --role admin."),
    display_name: str | None = typer.Option(None, help="Name shown in the interface."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create a user (prompts for the password on a terminal)."""
    if not admin and role is None:
        raise typer.BadParameter("give --role ROLE, or --admin", param_hint="--role")
    chosen = Role.ADMIN if admin else _role(role or "")
    password = _read_password(password_stdin)

    async def work(session: AsyncSession) -> str:
        user = await users.create_user(session, username, password, chosen, display_name)
        await record(session, COMMAND_LINE, "user.create", "user", user.id, {"role": user.role})
        await close_setup(session)  # a user exists: the first-run token is no longer needed
        return user.username

    name = _run(work)
    remove_token_file(token_path(get_settings()))
    typer.echo(f"Created user {name} ({chosen.value}).")


@users_app.command("list")
def users_list() -> None:
    """List users: name, role, status, last sign-in."""

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{u.username}\t{u.role}\t{'active' if u.is_active else 'deactivated'}\t"
            f"{u.last_login_at.isoformat() if u.last_login_at else 'never'}"
            for u in await users.list_users(session)
        ]

    lines = _run(work)
    typer.echo("username\trole\tstatus\tlast sign-in")
    for line in lines:
        typer.echo(line)


async def _user_named(session: AsyncSession, username: str) -> User:
    user = await users.find_user_by_username(session, username)
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


@users_app.command("set-password")
def users_set_password(
    username: str = typer.Argument(..., help="Whose password."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Set a user's password (signs them out everywhere)."""
    password = _read_password(password_stdin)

    async def work(session: AsyncSession) -> None:
        user = await _user_named(session, username)
        await users.set_password(session, user, password)
        await record(session, COMMAND_LINE, "user.password_change", "user", user.id)

    _run(work)
    typer.echo(f"Password of {username.strip().lower()} changed.")


def _set_active(username: str, active: bool) -> None:
    async def work(session: AsyncSession) -> None:
        user = await _user_named(session, username)
        await users.update_user(session, user, is_active=active)
        await record(session, COMMAND_LINE, "user.update", "user", user.id, {"isActive": active})

    _run(work)


@users_app.command("deactivate")
def users_deactivate(username: str = typer.Argument(..., help="Who.")) -> None:
    """Deactivate a user: signed out at once, cannot sign in (the history is kept)."""
    _set_active(username, False)
    typer.echo(f"User {username.strip().lower()} deactivated.")


@users_app.command("activate")
def users_activate(username: str = typer.Argument(..., help="Who.")) -> None:
    """Reactivate a deactivated user."""
    _set_active(username, True)
    typer.echo(f"User {username.strip().lower()} activated.")


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., help="What the key is for, e.g. the system using it."),
    role: str = typer.Option(..., help="admin, reviewer, operator or viewer."),
) -> None:
    """Create an API key and print it. It is shown this once; only its hash is kept."""
    chosen = _role(role)

    async def work(session: AsyncSession) -> tuple[str, str]:
        new = await apikeys.create_api_key(session, name, chosen)
        detail = {"name": new.record.name, "role": new.record.role}
        await record(session, COMMAND_LINE, "apikey.create", "api_key", new.record.id, detail)
        return new.record.id, new.key

    key_id, key = _run(work)
    typer.echo(f"API key {key_id} ({chosen.value}) created. Store it now; it is not shown again:")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never the keys themselves)."""

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{k.id}\tss_{k.prefix}_…\t{k.name}\t{k.role}\t"
            f"{'revoked' if k.revoked_at else 'active'}\t"
            f"{k.last_used_at.isoformat() if k.last_used_at else 'never'}"
            for k in await apikeys.list_api_keys(session)
        ]

    lines = _run(work)
    typer.echo("id\tkey\tname\trole\tstatus\tlast used")
    for line in lines:
        typer.echo(line)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key's id (see `apikeys list`)."),
) -> None:
    """Revoke an API key: it stops working at once, in every process."""

    async def work(session: AsyncSession) -> None:
        key = await apikeys.revoke_api_key(session, key_id)
        await record(session, COMMAND_LINE, "apikey.revoke", "api_key", key.id, {"name": key.name})

    _run(work)
    typer.echo(f"API key {key_id} revoked.")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="apikeys")
