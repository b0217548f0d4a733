"""Meetings follow the retention of the cases they discussed.

When concerns.retention anonymises a case, every text a meeting holds about
it goes too: the item's presentation and its decisions, in their rows and
their history, and the same parts of approved minutes, current and historical.
What stays is what the case itself keeps: that it was on an agenda, its
reference number, the kinds of decision, who had a task and when it was due.

Approved minutes are otherwise never changed (MeetingMinutes.save refuses);
this is the one writer that may, and it writes with update(), past that
guard, on purpose.
"""

from concerns.models import Concern
from measures.meetings.minutes import scrub_identifiers
from measures.meetings.models import AgendaItem, MeetingDecision, MeetingMinutes


def _blank_entry(content: dict, concern_id: int) -> tuple[dict, bool]:
    changed = False
    for entry in content.get("items", []):
        if entry.get("concern_id") != concern_id:
            continue
        entry["text"] = ""
        for decision in entry.get("decisions", []):
            decision["text"] = ""
        changed = True
    return content, changed


def meetings_anonymise_case(concern: Concern) -> int:
    """Blank what meetings hold about the case; returns the history rows purged or blanked."""
    touched = 0
    items = AgendaItem.objects.filter(concern=concern)
    item_ids = list(items.values_list("pk", flat=True))
    if not item_ids:
        return 0
    items.update(text="", legal_basis_other="")
    touched += AgendaItem.history.model.objects.filter(id__in=item_ids).update(
        text="", legal_basis_other=""
    )
    decisions = MeetingDecision.objects.filter(item__in=item_ids)
    decision_ids = list(decisions.values_list("pk", flat=True))
    decisions.update(text="")
    touched += MeetingDecision.history.model.objects.filter(id__in=decision_ids).update(text="")
    meeting_ids = set(items.values_list("meeting_id", flat=True))
    # Called before the person is blanked: their name is still there to be found.
    for model in (MeetingMinutes, MeetingMinutes.history.model):
        for row in model.objects.filter(meeting_id__in=meeting_ids):
            content, changed = _blank_entry(row.content or {}, concern.pk)
            notes = scrub_identifiers(row.notes, [concern])
            if changed or notes != row.notes:
                model.objects.filter(pk=row.pk).update(content=content, notes=notes)
                touched += model is not MeetingMinutes
    return touched
