from concerns.models.access import (
    AccessLog,
    AccessLogIsAppendOnly,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from concerns.models.concern import (
    OBSERVATIONS_MAX_LENGTH,
    Concern,
    IllegalTransition,
    ReferenceSequence,
)
from concerns.models.events import CaseEvent
from concerns.models.routing import RoutingDecision, RoutingRule
from concerns.models.subject import AgeBand, Subject, age_band_for

__all__ = [
    "OBSERVATIONS_MAX_LENGTH",
    "AccessLog",
    "AccessLogIsAppendOnly",
    "AgeBand",
    "CaseEvent",
    "Concern",
    "ConcernGroupObjectPermission",
    "ConcernUserObjectPermission",
    "IllegalTransition",
    "ReferenceSequence",
    "RoutingDecision",
    "RoutingRule",
    "Subject",
    "age_band_for",
]
