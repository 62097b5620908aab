"""Database models. Importing this package registers every table on `Base.metadata`."""

from scriptsensei.models.auth import ApiKey, User, UserSession
from scriptsensei.models.base import Base
from scriptsensei.models.config import ExtractionConfig
from scriptsensei.models.engine import EngineSetting
from scriptsensei.models.ops import AppState, AuditEntry, BackupRun, EventRecord
from scriptsensei.models.prescription import Document, DocumentPage, Prescription
from scriptsensei.models.result import ExtractionResult, FieldConsensus, ReviewDecision
from scriptsensei.models.run import EngineRun, ProcessingRun

__all__ = [
    "ApiKey",
    "AppState",
    "AuditEntry",
    "BackupRun",
    "Base",
    "Document",
    "DocumentPage",
    "EngineRun",
    "EngineSetting",
    "EventRecord",
    "ExtractionConfig",
    "ExtractionResult",
    "FieldConsensus",
    "Prescription",
    "ProcessingRun",
    "ReviewDecision",
    "User",
    "UserSession",
]
