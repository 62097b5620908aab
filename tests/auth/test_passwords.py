"""Password hashing with argon2id and the length policy."""

from __future__ import annotations

import pytest

from scriptsensei.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    verify_password,
)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first = hash_password("correct horse battery")
    second = hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert "correct horse" not in first
    assert verify_password("correct horse battery", first) == (True, None)


def test_wrong_password_does_not_verify() -> None:
    stored = hash_password("correct horse battery")
    assert verify_password("correct horse batterz", stored)[0] is False


def test_unknown_user_verifies_against_nothing() -> None:
    assert verify_password("anything at all", None) == (False, None)


def test_overlong_password_never_verifies() -> None:
    exact = "x" * MAX_PASSWORD_LENGTH
    stored = hash_password(exact)
    assert verify_password(exact, stored)[0] is True
    assert verify_password(exact + "y", stored)[0] is False


def test_hash_with_older_parameters_is_upgraded() -> None:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))
    matches, new_hash = verify_password("correct horse battery", old.hash("correct horse battery"))
    assert matches is True
    assert new_hash is not None and "m=19456" in new_hash


@pytest.mark.parametrize("password", ["", "short", "x" * (MIN_PASSWORD_LENGTH - 1)])
def test_short_passwords_are_refused_with_the_rule(password: str) -> None:
    with pytest.raises(PasswordPolicyError) as caught:
        hash_password(password)
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in caught.value.detail
    assert caught.value.status_code == 422


def test_blank_and_huge_passwords_are_refused() -> None:
    with pytest.raises(PasswordPolicyError, match="only spaces"):
        check_password_policy(" " * 20)
    with pytest.raises(PasswordPolicyError, match="at most"):
        check_password_policy("x" * (MAX_PASSWORD_LENGTH + 1))


def test_minimum_length_is_accepted() -> None:
    check_password_policy("x" * MIN_PASSWORD_LENGTH)
