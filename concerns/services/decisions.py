"""Decisions not to act, each with its written reason.

Safeguarding practice asks that a decision not to act is reasoned in writing:

- closing a case with "no further action" (concern_close asks for the reason);
- deciding not to notify the police or child welfare where an action-card
  step suggests it (`ActionCardStep.notifies`; checklist_task_decline below);
- a receiving agency's decline of a referral carries its own required reason,
  on the referral and the timeline (referrals.services.referral_decline).

The reason is the text of a DECISION entry on the case timeline; its data
holds codes only. DECISION is not in `CaseEvent.REPORTER_VISIBLE`, so the
reporter's page never shows it, and no notification or e-mail carries any
case text. The journal gets an internal note whose data holds the codes and
the timeline entry's id, never the reason itself: the public journal is read
from those rows.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns.models import CaseEvent, ChecklistTask, Concern, JournalEntry
from concerns.permissions import Action, ensure_can
from concerns.records.journal import journal_record
from concerns.timeline import event_record, texts
from measures.models import ActionCardStep
from partners.models import User

REASON_MAX_LENGTH = 5000


class Decision(models.TextChoices):
    """A decision not to act, stored as a code on the timeline and in the journal."""

    NO_FURTHER_ACTION = "no_further_action", gettext_lazy("Decided on no further action")
    NOT_NOTIFIED = "not_notified", gettext_lazy("Decided not to notify")


def decision_reason(reason: str, message: str) -> str:
    """The written reason, stripped; a ValidationError with `message` when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("The reason is too long."), code="max_length")
    return reason


def decision_event_record(
    *, concern: Concern, actor: User, decision: str, reason: str, data: dict | None = None
) -> CaseEvent:
    """The decision and its reason on the timeline. Callers are services, in their transaction."""
    return event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.DECISION,
        text=reason,
        data={"decision": Decision(decision).value, **(data or {})},
    )


@transaction.atomic
def checklist_task_decline(*, task: ChecklistTask, actor: User, reason: str) -> ChecklistTask:
    """Settle a step that suggests notifying the police or child welfare, by deciding not to.

    The step counts as settled on the checklist (`done_at`, `declined`), the
    reason is kept in its note and on the timeline, and the decision is journaled.
    """
    task = (
        ChecklistTask.objects.select_for_update(of=("self",))
        .select_related("concern", "step")
        .get(pk=task.pk)
    )
    concern = task.concern
    ensure_can(actor, Action.HANDLE, concern)
    if not concern.is_open:
        raise ValidationError(_("The checklist of a closed case cannot be changed."))
    if task.is_done:
        raise ValidationError(_("This task is already settled."))
    authority = task.step.notifies if task.step_id else ""
    if authority not in ActionCardStep.Notifies.values:
        raise ValidationError(_("This step does not suggest notifying anyone."))
    reason = decision_reason(reason, _("Write why you decided not to notify."))
    task.done_by = actor
    task.done_at = timezone.now()
    task.declined = True
    task.note = reason
    task._history_user = actor
    task.save(update_fields=["done_by", "done_at", "declined", "note"])
    event = decision_event_record(
        concern=concern,
        actor=actor,
        decision=Decision.NOT_NOTIFIED,
        reason=reason,
        data={
            "authority": authority,
            "task": task.pk,
            "step": {"order": task.order, "text": texts(task, "text")},
        },
    )
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.DECISION,
        direction=JournalEntry.Direction.INTERNAL,
        actor=actor,
        data={
            "decision": Decision.NOT_NOTIFIED.value,
            "authority": authority,
            "task": task.pk,
            "event": event.pk,
        },
    )
    return task
