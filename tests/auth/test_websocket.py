"""Authenticating WebSocket handshakes: cookie (same origin only) or API key header."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from fastapi import Depends, FastAPI, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from scriptsensei.auth import sessions
from scriptsensei.auth.apikeys import create_api_key, revoke_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.users import create_user
from scriptsensei.auth.websocket import websocket_principal
from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from tests.auth.support import PASSWORD


def _app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = Runtime(settings=settings, db=Database(settings))
        yield
        await app.state.runtime.db.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.websocket("/live")
    async def live(websocket: WebSocket, who: Principal = Depends(websocket_principal)) -> None:
        await websocket.accept()
        await websocket.send_json({"name": who.name, "type": who.type})
        await websocket.close()

    return app


class Fixture:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = ""
        self.revoked_key = ""
        self.cookie = ""

    async def prepare(self) -> None:
        db = Database(self.settings)
        async with unit_of_work(db) as session:
            self.key = (await create_api_key(session, "reader", Role.VIEWER)).key
            revoked = await create_api_key(session, "old", Role.ADMIN)
            await revoke_api_key(session, revoked.record.id)
            self.revoked_key = revoked.key
            user = await create_user(session, "alice", PASSWORD, Role.REVIEWER)
            new = await sessions.create_session(session, user, max_age_seconds=600)
            self.cookie = new.token
        await db.dispose()


@pytest.fixture
def ws(settings: Settings) -> Iterator[tuple[TestClient, Fixture]]:
    data = Fixture(settings)
    asyncio.run(data.prepare())
    with TestClient(_app(settings)) as client:
        yield client, data


def _refused(client: TestClient, url: str = "/live", **kwargs: object) -> int:
    with pytest.raises(WebSocketDisconnect) as caught:
        with client.websocket_connect(url, **kwargs) as socket:  # type: ignore[arg-type]
            socket.receive_json()
    return caught.value.code


def test_anonymous_handshake_is_refused(ws: tuple[TestClient, Fixture]) -> None:
    client, _ = ws
    assert _refused(client) == 1008


@pytest.mark.parametrize("scheme", ["x-api-key", "bearer"])
def test_api_key_header_is_accepted(ws: tuple[TestClient, Fixture], scheme: str) -> None:
    client, data = ws
    headers = (
        {"X-API-Key": data.key}
        if scheme == "x-api-key"
        else {"Authorization": f"Bearer {data.key}"}
    )
    with client.websocket_connect("/live", headers=headers) as socket:
        assert socket.receive_json() == {"name": "reader", "type": "api_key"}


def test_revoked_key_and_query_string_key_are_refused(ws: tuple[TestClient, Fixture]) -> None:
    client, data = ws
    assert _refused(client, headers={"X-API-Key": data.revoked_key}) == 1008
    assert _refused(client, f"/live?api_key={data.key}") == 1008


def test_cookie_from_our_origin_is_accepted(ws: tuple[TestClient, Fixture]) -> None:
    client, data = ws
    client.cookies.set(sessions.SESSION_COOKIE, data.cookie)
    with client.websocket_connect("/live", headers={"Origin": "http://testserver"}) as socket:
        assert socket.receive_json() == {"name": "alice", "type": "user"}


def test_cookie_from_a_foreign_origin_is_refused(ws: tuple[TestClient, Fixture]) -> None:
    client, data = ws
    client.cookies.set(sessions.SESSION_COOKIE, data.cookie)
    assert _refused(client, headers={"Origin": "https://evil.example"}) == 1008


def test_listed_cors_origin_may_use_the_cookie(settings: Settings) -> None:
    allowed = settings.model_copy(update={"cors_origins": ["https://app.example"]})
    data = Fixture(allowed)
    asyncio.run(data.prepare())
    with TestClient(_app(allowed)) as client:
        client.cookies.set(sessions.SESSION_COOKIE, data.cookie)
        with client.websocket_connect("/live", headers={"Origin": "https://app.example"}) as socket:
            assert socket.receive_json()["name"] == "alice"
