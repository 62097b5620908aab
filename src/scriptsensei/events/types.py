"""Event types. The first six are the earlier app's; the rest carry what pages need to
update without refetching."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    PRESCRIPTION_CREATED = "prescription_created"
    PRESCRIPTION_UPDATED = "prescription_updated"
    PRESCRIPTION_PROCESSING = "prescription_processing"
    PRESCRIPTION_COMPLETED = "prescription_completed"
    PRESCRIPTION_FAILED = "prescription_failed"
    PRESCRIPTION_DELETED = "prescription_deleted"
    ENGINE_PROGRESS = "engine_progress"  # one engine of a run started, finished or failed
    REVIEW_UPDATED = "review_updated"  # a reviewer decision or an approval
    CONFIG_UPDATED = "config_updated"
    # An admin changed an engine's settings: web processes reload their engines.
    ENGINE_SETTINGS_UPDATED = "engine_settings_updated"
    # Internal: an API key revoked, a session ended or a user deactivated. Never sent to
    # clients; it closes the live connections opened with those credentials, in every
    # web instance.
    ACCESS_REVOKED = "access_revoked"


INTERNAL_EVENT_TYPES = frozenset({EventType.ACCESS_REVOKED.value})


# PostgreSQL channels. Payloads stay tiny (ids), far under NOTIFY's 8000-byte limit.
EVENTS_CHANNEL = "scriptsensei_events"
JOBS_CHANNEL = "scriptsensei_jobs"
