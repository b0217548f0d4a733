"""A case's deadlines: set by the municipality's rules, paused and resumed by handlers.

Due times are worked out once, by partners.calendars, and stored with their
basis, so the case page can say why a deadline falls when it does.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.concurrency import ensure_current
from concerns.models import CaseEvent, Concern, DeadlinePause
from concerns.permissions import Action, ensure_can
from concerns.timeline import event_record
from partners.calendars import calendar_for, deadline_for, deadline_paused
from partners.models import DeadlineRule, User

NOTE_MAX_LENGTH = 500


def follow_up_from_rule(concern: Concern, start=None) -> None:
    """Set the first follow-up by the municipality's rule for the concern's urgency.

    Only sets the fields; the caller saves with `follow_up_on` and `follow_up_basis`.
    """
    deadline = deadline_for(concern.municipality, f"follow_up_{concern.urgency}", start)
    concern.follow_up_on = deadline.due_date
    concern.follow_up_basis = deadline.basis


def _locked(concern: Concern, expected_version: int | None) -> Concern:
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    ensure_current(locked, expected_version)
    return locked


@transaction.atomic
def concern_pause_deadlines(
    *,
    concern: Concern,
    actor: User,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> DeadlinePause:
    """Stop the case's clock while it waits on someone outside it (consent, the police)."""
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.HANDLE, concern)
    if not concern.is_open:
        raise ValidationError(_("A closed concern has no deadlines to pause."))
    if concern.deadlines_paused_at is not None:
        raise ValidationError(_("The deadlines are already paused."))
    if reason not in DeadlinePause.Reason.values:
        raise ValidationError(_("Choose why the deadlines wait."))
    note = (note or "").strip()
    if reason == DeadlinePause.Reason.OTHER and not note:
        raise ValidationError(_("Say what the case is waiting for."))
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Keep the note under 500 characters."))
    now = timezone.now()
    pause = DeadlinePause(
        concern=concern, reason=reason, note=note, started_at=now, started_by=actor
    )
    pause._history_user = actor
    pause.save()
    concern.deadlines_paused_at = now
    concern.version += 1
    concern._history_user = actor
    concern.save(update_fields=["deadlines_paused_at", "version", "updated_at"])
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.DEADLINES_PAUSED,
        text=note,
        data={"reason": reason},
    )
    return pause


@transaction.atomic
def concern_resume_deadlines(
    *, concern: Concern, actor: User, expected_version: int | None = None
) -> DeadlinePause:
    """Start the clock again: each open deadline moves by the time paused, in its own unit."""
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.HANDLE, concern)
    pause = (
        DeadlinePause.objects.select_for_update()
        .filter(concern=concern, ended_at__isnull=True)
        .first()
    )
    if pause is None:
        raise ValidationError(_("The deadlines are not paused."))
    now = timezone.now()
    calendar = calendar_for(concern.municipality)
    moved = {}
    if concern.follow_up_on is not None:
        basis = concern.follow_up_basis or {"unit": DeadlineRule.Unit.CALENDAR_DAYS}
        due = timezone.make_aware(datetime.datetime.combine(concern.follow_up_on, datetime.time()))
        deadline = deadline_paused(
            due, basis, paused_from=pause.started_at, paused_to=now, calendar=calendar
        )
        moved["follow_up"] = {
            "from": concern.follow_up_on.isoformat(),
            "to": deadline.due_date.isoformat(),
        }
        concern.follow_up_on = deadline.due_date
        concern.follow_up_basis = deadline.basis
    tasks = 0
    for task in concern.checklist.filter(done_at__isnull=True).select_for_update():
        basis = task.due_basis or {"unit": DeadlineRule.Unit.MINUTES}
        deadline = deadline_paused(
            task.due_at, basis, paused_from=pause.started_at, paused_to=now, calendar=calendar
        )
        task.due_at, task.due_basis = deadline.due, deadline.basis
        task._history_user = actor
        task.save(update_fields=["due_at", "due_basis"])
        tasks += 1
    pause.ended_at, pause.ended_by = now, actor
    pause._history_user = actor
    pause.save(update_fields=["ended_at", "ended_by"])
    concern.deadlines_paused_at = None
    concern.version += 1
    concern._history_user = actor
    concern.save(
        update_fields=[
            "deadlines_paused_at",
            "follow_up_on",
            "follow_up_basis",
            "version",
            "updated_at",
        ]
    )
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.DEADLINES_RESUMED,
        data={
            "reason": pause.reason,
            "paused_at": pause.started_at.isoformat(),
            **moved,
            "tasks": tasks,
        },
    )
    return pause
