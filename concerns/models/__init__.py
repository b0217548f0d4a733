from concerns.models.access import (
    AccessLog,
    AccessLogIsAppendOnly,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from concerns.models.attachments import Attachment
from concerns.models.concern import (
    OBSERVATIONS_MAX_LENGTH,
    Concern,
    IllegalTransition,
    ReferenceSequence,
)
from concerns.models.deadlines import DeadlinePause
from concerns.models.events import CaseEvent
from concerns.models.notifications import (
    ALWAYS_ON_KINDS,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    Reminder,
    SweepMark,
)
from concerns.models.records import ArchiveExport, JournalEntry
from concerns.models.retention import RetentionRule, RetentionRun
from concerns.models.routing import RoutingDecision, RoutingRule
from concerns.models.subject import AgeBand, AgeGroup, Subject, age_band_for, age_group_for
from concerns.models.work import (
    CaseActivity,
    CaseEvaluation,
    CaseEvaluationPartner,
    ChecklistTask,
)

__all__ = [
    "ALWAYS_ON_KINDS",
    "OBSERVATIONS_MAX_LENGTH",
    "AccessLog",
    "AccessLogIsAppendOnly",
    "AgeBand",
    "AgeGroup",
    "ArchiveExport",
    "Attachment",
    "CaseActivity",
    "CaseEvaluation",
    "CaseEvaluationPartner",
    "CaseEvent",
    "ChecklistTask",
    "Concern",
    "ConcernGroupObjectPermission",
    "ConcernUserObjectPermission",
    "DeadlinePause",
    "IllegalTransition",
    "JournalEntry",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OutboxMessage",
    "Reminder",
    "ReferenceSequence",
    "RetentionRule",
    "RetentionRun",
    "RoutingDecision",
    "RoutingRule",
    "Subject",
    "SweepMark",
    "age_band_for",
    "age_group_for",
]
