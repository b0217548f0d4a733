"""Recording the review of a case closed after its support ended (concerns.reviews)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concerns.concurrency import ensure_current
from concerns.models import CaseEvent, Concern
from concerns.permissions import Action, ensure_can
from concerns.reviews import next_review
from concerns.services.decisions import REASON_MAX_LENGTH
from concerns.services.triage import concern_reopen
from concerns.timeline import event_record
from partners.models import User


@transaction.atomic
def concern_review_record(
    *,
    concern: Concern,
    actor: User,
    note: str,
    reopen: bool = False,
    expected_version: int | None = None,
) -> CaseEvent:
    """Record the next review (the first, then the second), and reopen the case if it needs it.

    Recording a review settles its reminder, early or late. Reopening goes
    through concern_reopen, with the note as its reason, and is the
    coordinator's alone, as any reopening is.
    """
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    ensure_current(locked, expected_version)
    ensure_can(actor, Action.CLOSE, locked)
    if reopen:
        ensure_can(actor, Action.REOPEN, locked)
    occurrence = next_review(locked)
    if occurrence is None:
        raise ValidationError(_("This case has no review waiting to be recorded."))
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write what the review found."), code="required")
    if len(note) > REASON_MAX_LENGTH:
        raise ValidationError(_("The text is too long."), code="max_length")
    event = event_record(
        concern=locked,
        actor=actor,
        kind=CaseEvent.Kind.REVIEWED,
        text=note,
        data={
            "occurrence": occurrence,
            "review_from": locked.review_from.isoformat(),
            "reopened": reopen,
        },
    )
    if reopen:
        concern_reopen(concern=locked, actor=actor, reason=note)
    return event
