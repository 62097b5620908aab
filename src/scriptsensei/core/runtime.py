"""What one process holds while it runs: settings, database, and the components started
around them. Kept on `app.state.runtime` for the web app; workers build their own."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    started_monotonic: float = field(default_factory=time.monotonic)
    schema_revision: str | None = None
    # Components that later parts of the app attach (engine registry, storage, event bus,
    # workers...), by name.
    components: dict[str, Any] = field(default_factory=dict)

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic
