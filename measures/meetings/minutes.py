"""Minutes drafted from the agenda: anonymous cases as their presentation and decisions,
named cases by reference number only, and nobody's name or identity number anywhere.

The draft is worked out afresh until the chair approves it; approval stores
it (MeetingMinutes.content), and the page then reads the stored minutes.
Kinds are stored as codes and shown in the reader's language.
"""

import re

from django.db.models import Prefetch
from django.utils import timezone

from concerns.models import Concern
from concerns.timeline import texts
from measures.meetings import identifying
from measures.meetings.models import AgendaItem, Meeting, MeetingDecision, MeetingMinutes

CONTENT_VERSION = 1


def _identifier_patterns(concerns: list[Concern]) -> list[re.Pattern]:
    return identifying._name_patterns([concern.subject.name for concern in concerns])


def scrub_identifiers(text: str, concerns: list[Concern], *, keep_references: bool = False) -> str:
    """Take out the names and identity numbers of the agenda's people, and reference numbers.

    The services refuse these in anonymous presentations already; the minutes
    check again, for every text they hold, so that no name reaches a record
    that outlives the meeting.
    """
    if not text:
        return ""
    placeholder = "[…]"
    for pattern in _identifier_patterns(concerns):
        text = pattern.sub(placeholder, text)
    for concern in concerns:
        digits = identifying._digits(concern.subject.national_id)
        if digits:
            text = re.sub(
                r"\d[\d .\-]*\d",
                lambda match, digits=digits: (
                    placeholder if digits in identifying._digits(match.group(0)) else match.group(0)
                ),
                text,
            )
    if not keep_references:
        text = identifying.REFERENCE.sub(placeholder, text)
    return text


def _decision(decision: MeetingDecision, concerns, *, keep_references: bool) -> dict:
    assignee = decision.assignee
    return {
        "kind": decision.kind,
        "text": scrub_identifiers(decision.text, concerns, keep_references=keep_references),
        "assignee": (
            {"name": assignee.name, "organisation": assignee.organisation.name}
            if assignee
            else None
        ),
        "due_on": decision.due_on.isoformat() if decision.due_on else None,
        "done": decision.done_at is not None,
        "organisation": decision.organisation.name if decision.organisation else None,
    }


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        meeting.items.select_related("concern__subject")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=MeetingDecision.objects.select_related(
                    "assignee__organisation", "organisation"
                ).order_by("pk"),
            )
        )
        .order_by("order")
    )


def draft_content(meeting: Meeting, minutes: MeetingMinutes | None = None) -> dict:
    """The minutes as they stand now, from the agenda, the decisions and who came."""
    items = agenda_items(meeting)
    concerns = [item.concern for item in items if item.concern_id]
    entries = []
    for number, item in enumerate(items, start=1):
        entry = {"number": number, "kind": item.kind, "concern_id": item.concern_id}
        if item.is_case and item.named:
            # By reference number only: the summary was the participants' for
            # the meeting; the minutes outlive it.
            entry.update(named=True, reference=item.concern.reference or "", text="")
        elif item.is_case:
            entry.update(named=False, text=scrub_identifiers(item.text, concerns))
        else:
            entry.update(
                title=scrub_identifiers(item.title, concerns),
                text=scrub_identifiers(item.text, concerns),
                place=item.place,
                finding=item.finding,
                department=item.department,
            )
        entry["decisions"] = [
            _decision(decision, concerns, keep_references=item.named)
            for decision in item.decisions.all()
        ]
        entries.append(entry)
    participants = meeting.participants.select_related("contact__organisation")
    return {
        "version": CONTENT_VERSION,
        "kind": texts(meeting.kind, "name"),
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place,
        "chair": meeting.chair.get_full_name() or meeting.chair.username,
        "participants": [
            {
                "name": participant.contact.name,
                "organisation": participant.contact.organisation.name,
                "attended": participant.attended,
            }
            for participant in participants
        ],
        "items": entries,
        "notes": scrub_identifiers(minutes.notes if minutes else "", concerns),
        "drafted_at": timezone.now().isoformat(),
    }


def content_for(meeting: Meeting, minutes: MeetingMinutes | None) -> dict:
    """What the minutes page shows: the approved minutes as stored, or today's draft."""
    if minutes is not None and minutes.is_approved:
        return minutes.content
    return draft_content(meeting, minutes)
