"""The live connection `/ws` on a real server: a valid session cookie opens it only from our
own origin (a foreign page cannot ride on the browser's cookie), anonymous handshakes and
revoked keys are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from websockets.exceptions import ConnectionClosed

from scriptsensei.auth import sessions
from scriptsensei.auth.apikeys import revoke_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.users import create_user
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import ApiKey
from tests.auth.support import PASSWORD
from tests.events.live import LiveServer, client, live_server, new_api_key, receive


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as running:
        yield running


async def _session_cookie(server: LiveServer) -> str:
    async with unit_of_work(server.runtime.db) as session:
        user = await create_user(session, "browser-user", PASSWORD, Role.VIEWER)
        new = await sessions.create_session(session, user, max_age_seconds=600)
    return f"{sessions.SESSION_COOKIE}={new.token}"


async def _close_code(
    server: LiveServer, key: str | None, headers: dict[str, str] | None = None, **options: str
) -> int:
    async with client(server.url, key, headers, **options) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await receive(ws)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_valid_cookie_from_a_foreign_origin_is_refused(server: LiveServer) -> None:
    cookie = await _session_cookie(server)
    code = await _close_code(server, None, {"Cookie": cookie}, origin="https://evil.example")
    assert code == 4403


async def test_the_same_cookie_from_our_origin_is_accepted(server: LiveServer) -> None:
    cookie = await _session_cookie(server)
    host = server.url.split("/")[2]
    async with client(server.url, None, {"Cookie": cookie}, origin=f"http://{host}") as ws:
        first = await receive(ws)
    assert first["type"] == "connected"


async def test_anonymous_and_revoked_handshakes_are_refused(server: LiveServer) -> None:
    assert await _close_code(server, None) == 4401
    key = await new_api_key(server.runtime.db, Role.ADMIN)
    async with client(server.url, key) as ws:
        assert (await receive(ws))["type"] == "connected"
    async with unit_of_work(server.runtime.db) as session:
        record = (await session.execute(ApiKey.__table__.select())).first()
        assert record is not None
        await revoke_api_key(session, record.id)
    assert await _close_code(server, key) == 4401
