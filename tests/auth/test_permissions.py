"""The role table: what each role may do."""

from __future__ import annotations

import pytest

from scriptsensei.auth.permissions import ROLE_PERMISSIONS, Permission, Role, parse_role
from scriptsensei.auth.principal import Principal

P = Permission


def test_viewer_only_reads() -> None:
    assert ROLE_PERMISSIONS[Role.VIEWER] == {P.PRESCRIPTIONS_READ}


def test_operator_processes_and_exports_but_does_not_review_or_delete() -> None:
    granted = ROLE_PERMISSIONS[Role.OPERATOR]
    assert {P.PRESCRIPTIONS_READ, P.PRESCRIPTIONS_PROCESS, P.EXPORT} == granted


def test_reviewer_reviews_and_exports_but_does_not_process() -> None:
    granted = ROLE_PERMISSIONS[Role.REVIEWER]
    assert {P.PRESCRIPTIONS_READ, P.PRESCRIPTIONS_REVIEW, P.EXPORT} == granted


def test_admin_has_every_permission() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == set(Permission)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.REVIEWER])
def test_only_admin_manages_users_configs_backups_and_sees_audit(role: Role) -> None:
    principal = Principal(type="user", id="u", name="n", role=role)
    for permission in (P.USERS_MANAGE, P.CONFIGS_MANAGE, P.BACKUPS_MANAGE, P.AUDIT_VIEW):
        assert not principal.can(permission)
    assert principal.can(P.PRESCRIPTIONS_READ)


def test_parse_role_is_forgiving_about_case_and_clear_when_wrong() -> None:
    assert parse_role(" Reviewer ") is Role.REVIEWER
    with pytest.raises(ValueError, match="admin, reviewer, operator, viewer"):
        parse_role("superuser")
