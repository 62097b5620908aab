"""First run: no open door.

While no user exists, nothing can authenticate, so no data is served to anyone. At
start-up a one-time setup token is issued: printed to the server log and written to
`<data_dir>/setup-token` (mode 0600). Presenting it to `POST /api/auth/setup` creates the
first admin; the token is then deleted, and the endpoint is closed for good once any user
exists (also when the first admin came from `scriptsensei users create`).

Only the token's SHA-256 is kept, in the database (`app_state`), so every web instance
accepts the same token; a restart re-announces the token found in the file, if it still
matches.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.permissions import Role
from scriptsensei.auth.tokens import digest, new_secret, same_secret
from scriptsensei.auth.users import count_users, create_user
from scriptsensei.core.errors import Forbidden, NotFound
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import on_commit, unit_of_work
from scriptsensei.models import AppState, User

log = structlog.get_logger(__name__)

STATE_KEY = "auth.setup_token_sha256"
TOKEN_FILE = "setup-token"  # noqa: S105 - a file name, not a secret


class SetupClosed(NotFound):
    error = "setup_closed"


def token_path(settings: Settings) -> Path:
    return settings.data_dir / TOKEN_FILE


def write_token_file(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    path.chmod(0o600)  # the file may have existed with wider permissions


def remove_token_file(path: Path) -> None:
    path.unlink(missing_ok=True)


def _read_token_file(path: Path) -> str | None:
    with contextlib.suppress(OSError):
        return path.read_text().strip() or None
    return None


async def setup_needed(session: AsyncSession) -> bool:
    return await count_users(session) == 0


async def close_setup(session: AsyncSession) -> bool:
    """Forget the setup token; True when there was one to forget."""
    result = await session.execute(delete(AppState).where(AppState.key == STATE_KEY))
    return bool(getattr(result, "rowcount", 0))


async def issue_setup_token(session: AsyncSession, path: Path) -> str | None:
    """The token to announce while no user exists (the one in `path` if still valid)."""
    if not await setup_needed(session):
        await close_setup(session)
        return None
    state = await session.get(AppState, STATE_KEY)
    current = _read_token_file(path)
    if state is not None and current and same_secret(digest(current), str(state.value)):
        return current
    token = new_secret()
    if state is None:
        session.add(AppState(key=STATE_KEY, value=digest(token)))
    else:
        state.value = digest(token)
    await session.flush()
    return token


async def complete_setup(
    session: AsyncSession, settings: Settings, token: str, username: str, password: str
) -> User:
    """Create the first admin with the setup token, which is then used up."""
    if not await setup_needed(session):
        raise SetupClosed("Setup is finished: users exist. Sign in instead.")
    state = await session.get(AppState, STATE_KEY)
    if state is None or not same_secret(digest(token.strip()), str(state.value)):
        raise Forbidden(
            "The setup token is wrong. Use the one printed in the server log at start-up "
            f"or stored in {TOKEN_FILE} in the data directory."
        )
    # Only one request can delete the row: a concurrent second setup finds nothing here.
    if not await close_setup(session):
        raise SetupClosed("Setup is finished: users exist. Sign in instead.")
    user = await create_user(session, username, password, Role.ADMIN)
    on_commit(session, lambda: remove_token_file(token_path(settings)))
    return user


async def announce_setup_token(runtime: Runtime) -> None:
    path = token_path(runtime.settings)
    async with unit_of_work(runtime.db) as session:
        token = await issue_setup_token(session, path)
    if token is None:
        remove_token_file(path)
        return
    write_token_file(path, token)
    log.warning(
        "first_run_setup_required",
        message="No user exists yet. Create the first admin on the setup page with this "
        "one-time token, or run `scriptsensei users create --admin`.",
        setup_token=token,
        token_file=str(path),
    )


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    try:
        await announce_setup_token(runtime)
    except (SQLAlchemyError, OSError) as exc:
        # The app still starts (health reports the database); setup waits for a restart.
        log.error("setup_token_not_issued", error=str(exc).splitlines()[0][:200])
    yield
