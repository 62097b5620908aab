"""Roles and the permissions each one grants.

| permission            | viewer | operator | reviewer | admin |
|-----------------------|:------:|:--------:|:--------:|:-----:|
| prescriptions:read    |   x    |    x     |    x     |   x   |
| prescriptions:process |        |    x     |          |   x   |
| prescriptions:review  |        |          |    x     |   x   |
| prescriptions:delete  |        |          |          |   x   |
| export                |        |    x     |    x     |   x   |
| configs:manage        |        |          |          |   x   |
| users:manage          |        |          |          |   x   |
| metrics:view          |        |          |          |   x   |
| audit:view            |        |          |          |   x   |
| backups:manage        |        |          |          |   x   |

`prescriptions:read` covers every read of prescription data (lists, detail, images,
results, configs, stats) and the live event stream. `prescriptions:process` covers
upload, process, retry, reprocess and cancel. `prescriptions:review` covers accepting,
correcting and approving values. Operators may export because an export shows nothing a
read does not, and an integrator's key (upload, then fetch and export results) should not
need the admin role.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Permission(StrEnum):
    PRESCRIPTIONS_READ = "prescriptions:read"
    PRESCRIPTIONS_PROCESS = "prescriptions:process"
    PRESCRIPTIONS_REVIEW = "prescriptions:review"
    PRESCRIPTIONS_DELETE = "prescriptions:delete"
    EXPORT = "export"
    CONFIGS_MANAGE = "configs:manage"
    USERS_MANAGE = "users:manage"
    METRICS_VIEW = "metrics:view"
    AUDIT_VIEW = "audit:view"
    BACKUPS_MANAGE = "backups:manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.PRESCRIPTIONS_READ}),
    Role.OPERATOR: frozenset(
        {Permission.PRESCRIPTIONS_READ, Permission.PRESCRIPTIONS_PROCESS, Permission.EXPORT}
    ),
    Role.REVIEWER: frozenset(
        {Permission.PRESCRIPTIONS_READ, Permission.PRESCRIPTIONS_REVIEW, Permission.EXPORT}
    ),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def parse_role(value: str) -> Role:
    """The role named `value`, or a ValueError whose message lists the valid roles."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        valid = ", ".join(role.value for role in Role)
        raise ValueError(f"Unknown role {value!r}; choose one of: {valid}.") from None
