"""Follow-up work on a case: action-card checklists and activities."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.models import CaseActivity, CaseEvent, ChecklistTask, Concern
from concerns.permissions import Action, ensure_can
from concerns.timeline import event_record, texts
from measures.models import ActionCard, Measure
from partners.models import Organisation, User


def checklist_create(
    *, concern: Concern, card: ActionCard, actor: User | None, start: datetime.datetime
) -> list[ChecklistTask]:
    """Copy the card's steps onto the case, each due its step's time after `start`.

    Copying, not linking, is the point: a card edited later leaves this list as it was.
    A step the reporter said they had already taken when filing ("I have
    called 112") starts done, by the reporter, at submission.
    """
    if card.municipality_id != concern.municipality_id:
        raise ValidationError(_("This action card belongs to another municipality."))
    if concern.checklist.filter(card=card).exists():
        raise ValidationError(_("This action card is already applied to the case."))
    tasks = []
    for step in card.steps.order_by("order"):
        task = ChecklistTask(
            concern=concern,
            card=card,
            step=step,
            order=step.order,
            text_nb=step.text_nb,
            text_da=step.text_da,
            text_en=step.text_en,
            responsible=step.responsible,
            due_at=start + step.due_within,
        )
        if step.filing_code and step.filing_code in (concern.steps_done_at_filing or []):
            task.done_by_id = concern.reporter_id
            task.done_at = concern.submitted_at or start
        task._history_user = actor
        task.save()
        tasks.append(task)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.CHECKLIST_APPLIED,
        data={"card": {"id": card.pk, "title": texts(card, "title")}, "steps": len(tasks)},
    )
    return tasks


@transaction.atomic
def checklist_apply(*, concern: Concern, card: ActionCard, actor: User) -> list[ChecklistTask]:
    """A handler applies a card by hand; due times count from now."""
    ensure_can(actor, Action.REFER, concern)
    return checklist_create(concern=concern, card=card, actor=actor, start=timezone.now())


@transaction.atomic
def checklist_task_complete(*, task: ChecklistTask, actor: User, note: str = "") -> ChecklistTask:
    task = ChecklistTask.objects.select_for_update().select_related("concern").get(pk=task.pk)
    ensure_can(actor, Action.HANDLE, task.concern)
    if task.is_done:
        raise ValidationError(_("This task is already done."))
    task.done_by = actor
    task.done_at = timezone.now()
    task.note = note.strip()[:5000]
    task._history_user = actor
    task.save(update_fields=["done_by", "done_at", "note"])
    event_record(
        concern=task.concern,
        actor=actor,
        kind=CaseEvent.Kind.TASK_DONE,
        text=task.note,
        data={"task": {"id": task.pk, "order": task.order, "text": texts(task, "text")}},
    )
    return task


@transaction.atomic
def case_activity_record(
    *,
    concern: Concern,
    actor: User,
    kind: str,
    date: datetime.date,
    organisations: Iterable[Organisation],
    notes: str,
    measures: Iterable[Measure],
) -> CaseActivity:
    ensure_can(actor, Action.HANDLE, concern)
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    activity = CaseActivity(
        concern=concern, kind=kind, date=date, notes=notes.strip(), created_by=actor
    )
    activity.full_clean()
    activity._history_user = actor
    activity.save()
    activity.organisations.set(organisations)
    activity.measures.set(measures)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.ACTIVITY,
        text=activity.notes,
        data={"kind": activity.kind, "date": date.isoformat()},
    )
    return activity
