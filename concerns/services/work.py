"""Follow-up work on a case: action-card checklists and activities."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.models import (
    CaseActivity,
    CaseEvaluation,
    CaseEvaluationPartner,
    CaseEvent,
    ChecklistTask,
    Concern,
)
from concerns.permissions import Action, ensure_can
from concerns.services.attachments import attachments_add
from concerns.services.receipts import reporter_receipt_send
from concerns.timeline import event_record, texts
from measures.models import ActionCard, Goal, Initiative, Measure
from partners.calendars import calendar_for, deadline_after
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
    calendar = calendar_for(concern.municipality)
    for step in card.steps.order_by("order"):
        deadline = deadline_after(
            start, length=step.due_amount, unit=step.deadline_unit, calendar=calendar
        )
        task = ChecklistTask(
            concern=concern,
            card=card,
            step=step,
            order=step.order,
            text_nb=step.text_nb,
            text_da=step.text_da,
            text_en=step.text_en,
            responsible=step.responsible,
            due_at=deadline.due,
            due_basis=deadline.basis,
            sends_reporter_receipt=step.sends_reporter_receipt,
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
    if task.sends_reporter_receipt:
        reporter_receipt_send(concern=task.concern, actor=actor)
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
    initiatives: Iterable[Initiative] = (),
    goals: Iterable[Goal] = (),
    files=(),
) -> CaseActivity:
    ensure_can(actor, Action.HANDLE, concern)
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    measures, initiatives, goals = list(measures), list(initiatives), list(goals)
    if any(
        item.municipality_id != concern.municipality_id for item in measures + initiatives + goals
    ):
        raise ValidationError(_("Pick measures, initiatives and goals of the case's own plan."))
    activity = CaseActivity(
        concern=concern, kind=kind, date=date, notes=notes.strip(), created_by=actor
    )
    activity.full_clean()
    activity._history_user = actor
    activity.save()
    activity.organisations.set(organisations)
    activity.measures.set(measures)
    activity.initiatives.set(initiatives)
    activity.goals.set(goals)
    attachments_add(concern=concern, actor=actor, files=list(files), activity=activity)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.ACTIVITY,
        text=activity.notes,
        data={"kind": activity.kind, "date": date.isoformat()},
    )
    return activity


@dataclass(frozen=True)
class Evaluation:
    """The handler's answers to the course-of-work evaluation (CaseEvaluation's choices)."""

    help_timely: str
    situation_change: str
    partners: frozenset[str] = field(default_factory=frozenset)


def case_evaluation_record(
    *, concern: Concern, evaluation: Evaluation, actor: User
) -> CaseEvaluation:
    """Store the evaluation of a case being closed; closing again replaces the answers."""
    if evaluation.help_timely not in CaseEvaluation.Timely.values:
        raise ValidationError(_("Say whether the help came in time."), code="help_timely")
    if evaluation.situation_change not in CaseEvaluation.Change.values:
        raise ValidationError(_("Say whether the situation has improved."), code="situation")
    if not set(evaluation.partners) <= set(CaseEvaluation.Partner.values):
        raise ValidationError(_("Choose partners from the list."), code="partners")
    record = CaseEvaluation.objects.filter(concern=concern).first() or CaseEvaluation(
        concern=concern
    )
    record.help_timely = evaluation.help_timely
    record.situation_change = evaluation.situation_change
    record.evaluated_by = actor
    record.evaluated_at = timezone.now()
    record._history_user = actor
    record.save()
    # Row by row, so history shows which partners were added or removed.
    for gone in record.partners.exclude(partner__in=evaluation.partners):
        gone._history_user = actor
        gone.delete()
    kept = set(record.partners.values_list("partner", flat=True))
    for partner in sorted(set(evaluation.partners) - kept):
        added = CaseEvaluationPartner(evaluation=record, partner=partner)
        added._history_user = actor
        added.save()
    return record
