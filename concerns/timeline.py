from concerns.models import CaseEvent, Concern
from partners.models import User


def event_record(
    *,
    concern: Concern,
    actor: User | None,
    kind: str,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Add an entry to the case timeline. Callers are services, inside their transaction."""
    event = CaseEvent(
        concern=concern,
        actor=actor,
        kind=kind,
        text=text,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    event._history_user = actor
    event.save()
    return event
