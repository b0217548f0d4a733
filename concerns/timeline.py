"""The case timeline: entries are codes and references, rendered in the reader's language.

Nothing a person reads is stored as text in the language of whoever acted:
a contact is stored as a reference (name, role code, organisation), a card
title or step in all three languages, a kind as its code. Templates turn
them into words (concerns.templatetags.concern_tags).
"""

from concerns.models import CaseEvent, Concern
from partners.models import Contact, User

LANGUAGES = ("nb", "da", "en")


def contact_ref(contact: Contact | None) -> dict | None:
    """A contact as the timeline keeps it: names verbatim, the role as a code."""
    if contact is None:
        return None
    return {
        "id": contact.pk,
        "name": contact.name,
        "role": contact.role,
        "organisation": contact.organisation.name,
    }


def texts(obj, field: str) -> dict[str, str]:
    """A translated field in every language, e.g. {"nb": …, "da": …, "en": …}."""
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


def event_record(
    *,
    concern: Concern,
    actor: User | None,
    kind: str,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    due_at=None,
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
        due_at=due_at,
    )
    event._history_user = actor
    event.save()
    return event
