"""The users service: equal work for unknown users and wrong passwords, hash upgrades."""

from __future__ import annotations

from typing import Any

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import update

from scriptsensei.auth import passwords
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.users import authenticate, create_user, find_user_by_username
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import User
from tests.auth.support import PASSWORD


class CountingHasher:
    """Wraps the real hasher and counts the argon2 verifications it performs."""

    def __init__(self, real: PasswordHash) -> None:
        self.real = real
        self.verifications = 0

    def verify(self, password: str, hash: str) -> bool:
        self.verifications += 1
        return self.real.verify(password, hash)

    def verify_and_update(self, password: str, hash: str) -> tuple[bool, str | None]:
        self.verifications += 1
        return self.real.verify_and_update(password, hash)

    def hash(self, password: str) -> str:
        return self.real.hash(password)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    spy = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", spy)
    return spy


async def test_unknown_user_costs_one_verification_like_a_wrong_password(
    db: Database, counting: CountingHasher
) -> None:
    async with unit_of_work(db) as session:
        await create_user(session, "alice", PASSWORD, Role.VIEWER)
    outcomes: dict[str, Any] = {}
    for label, username in (("wrong", "alice"), ("unknown", "nobody")):
        before = counting.verifications
        async with unit_of_work(db) as session:
            outcomes[label] = await authenticate(session, username, "not the password")
        outcomes[label + "_work"] = counting.verifications - before
    assert outcomes["wrong"] is None and outcomes["unknown"] is None
    assert outcomes["wrong_work"] == outcomes["unknown_work"] == 1


async def test_old_hash_is_upgraded_on_sign_in(db: Database) -> None:
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))
    async with unit_of_work(db) as session:
        user = await create_user(session, "alice", PASSWORD, Role.VIEWER)
        await session.execute(
            update(User).where(User.id == user.id).values(password_hash=weak.hash(PASSWORD))
        )
    async with unit_of_work(db) as session:
        assert await authenticate(session, "Alice", PASSWORD) is not None
    async with unit_of_work(db) as session:
        stored = await find_user_by_username(session, "alice")
    assert stored is not None and "m=19456" in stored.password_hash
