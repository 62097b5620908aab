"""The live connection `/ws` on a real server: a valid session cookie opens it only from our
own origin (a foreign page cannot ride on the browser's cookie), anonymous handshakes and
revoked keys are refused, and open connections end when their credentials do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from scriptsensei.auth import sessions
from scriptsensei.auth.apikeys import revoke_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.tokens import digest
from scriptsensei.auth.users import create_user, get_user, update_user
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.types import EventType
from scriptsensei.models import ApiKey
from tests.auth.support import PASSWORD
from tests.events.live import LiveServer, client, live_server, new_api_key, publish_all, receive


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


async def _closed_with(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            message = await receive(ws)
            assert message["type"] != "access_revoked"  # internal: never sent to clients
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_an_open_connection_ends_when_its_key_is_revoked(server: LiveServer) -> None:
    key = await new_api_key(server.runtime.db, Role.VIEWER)
    other = await new_api_key(server.runtime.db, Role.VIEWER)
    async with client(server.url, key) as revoked, client(server.url, other) as kept:
        assert (await receive(revoked))["type"] == "connected"
        assert (await receive(kept))["type"] == "connected"
        async with unit_of_work(server.runtime.db) as session:
            found = await session.execute(select(ApiKey.id).where(ApiKey.key_hash == digest(key)))
            await revoke_api_key(session, found.scalar_one())
        assert await _closed_with(revoked) == 4401
        await publish_all(server.runtime.db, [(EventType.PRESCRIPTION_CREATED, "rx-after", {})])
        assert (await receive(kept))["prescriptionId"] == "rx-after"


async def test_open_connections_end_when_the_session_ends_or_the_user_is_deactivated(
    server: LiveServer,
) -> None:
    host = server.url.split("/")[2]
    async with unit_of_work(server.runtime.db) as session:
        user = await create_user(session, "two-tabs", PASSWORD, Role.VIEWER)
        first = await sessions.create_session(session, user, max_age_seconds=600)
        second = await sessions.create_session(session, user, max_age_seconds=600)
    tab = {"origin": f"http://{host}"}
    cookie = sessions.SESSION_COOKIE
    async with (
        client(server.url, None, {"Cookie": f"{cookie}={first.token}"}, **tab) as signed_out,
        client(server.url, None, {"Cookie": f"{cookie}={second.token}"}, **tab) as deactivated,
    ):
        assert (await receive(signed_out))["type"] == "connected"
        assert (await receive(deactivated))["type"] == "connected"
        async with unit_of_work(server.runtime.db) as session:
            await sessions.delete_session(session, first.token)
        assert await _closed_with(signed_out) == 4401
        async with unit_of_work(server.runtime.db) as session:
            await update_user(session, await get_user(session, user.id), is_active=False)
        assert await _closed_with(deactivated) == 4401


async def test_an_open_connection_ends_when_its_session_expires(server: LiveServer) -> None:
    host = server.url.split("/")[2]
    async with unit_of_work(server.runtime.db) as session:
        user = await create_user(session, "short-session", PASSWORD, Role.VIEWER)
        short = await sessions.create_session(session, user, max_age_seconds=4)
    headers = {"Cookie": f"{sessions.SESSION_COOKIE}={short.token}"}
    async with client(server.url, None, headers, origin=f"http://{host}") as expiring:
        assert (await receive(expiring))["type"] == "connected"
        # No event announces an expiry: the connection must end on its own, on time.
        assert await _closed_with(expiring) == 4401
