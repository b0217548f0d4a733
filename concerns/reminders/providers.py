"""The deadlines of the concerns app: follow-ups, escalations, checklist tasks, questions, drafts.

Each provider is one indexed query over the window the sweeper gives it:
what fell due since its watermark (minus an overlap) and has no reminder yet.
"""

import datetime
from collections.abc import Iterable

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse

from concerns.models import CaseEvent, ChecklistTask, Concern, NotificationKind
from concerns.reminders.engine import Due, Window, case_link, day_start, not_yet_reminded, provider
from partners.models import Municipality

# A draft this old reminds its author that nobody else can see it yet.
DRAFT_WAITING_AFTER = datetime.timedelta(days=14)
# A draft is deleted after DRAFT_DELETED_AFTER (concerns.retention); its author hears a week before.
DRAFT_DELETED_AFTER = datetime.timedelta(days=30)
DRAFT_EXPIRING_AFTER = DRAFT_DELETED_AFTER - datetime.timedelta(days=7)


def _follow_up_occurrence():
    return Cast(OuterRef("follow_up_on"), CharField())


@provider(NotificationKind.FOLLOW_UP_DUE)
def follow_ups_due(window: Window) -> Iterable[Due]:
    kind = NotificationKind.FOLLOW_UP_DUE
    # A paused case waits (DeadlinePause); resuming moves its dates past the pause.
    concerns = Concern.objects.filter(
        status__in=Concern.OPEN_STATUSES,
        follow_up_on__lte=window.today,
        deadlines_paused_at__isnull=True,
    )
    if window.since is not None:
        concerns = concerns.filter(follow_up_on__gte=window.after_date())
    concerns = (
        concerns.filter(not_yet_reminded(kind, _follow_up_occurrence()))
        .select_related("assignee__user")
        .order_by("follow_up_on", "pk")[: window.limit]
    )
    for concern in concerns:
        yield Due(
            kind=kind,
            object_id=concern.pk,
            occurrence=concern.follow_up_on.isoformat(),
            due_at=day_start(concern.follow_up_on),
            recipients=window.recipients.handlers(concern),
            concern_id=concern.pk,
            reference=concern.reference,
            link=case_link(concern),
        )


@provider(NotificationKind.FOLLOW_UP_ESCALATED)
def follow_ups_escalated(window: Window) -> Iterable[Due]:
    """Overdue by more than the municipality's N days: the coordinators hear of it too.

    One query per distinct N (municipalities nearly always share one), not per municipality.
    """
    kind = NotificationKind.FOLLOW_UP_ESCALATED
    for days in (
        Municipality.objects.order_by().values_list("escalate_after_days", flat=True).distinct()
    ):
        cutoff = window.today - datetime.timedelta(days=days)
        concerns = Concern.objects.filter(
            municipality__escalate_after_days=days,
            status__in=Concern.OPEN_STATUSES,
            follow_up_on__lt=cutoff,
            deadlines_paused_at__isnull=True,
        )
        if window.since is not None:
            concerns = concerns.filter(follow_up_on__gte=window.after_date(days + 1))
        concerns = concerns.filter(not_yet_reminded(kind, _follow_up_occurrence())).order_by(
            "follow_up_on", "pk"
        )[: window.limit]
        for concern in concerns:
            yield Due(
                kind=kind,
                object_id=concern.pk,
                occurrence=concern.follow_up_on.isoformat(),
                due_at=day_start(concern.follow_up_on),
                recipients=window.recipients.coordinators(concern.municipality_id),
                concern_id=concern.pk,
                reference=concern.reference,
                link=case_link(concern),
                data={"days_overdue": (window.today - concern.follow_up_on).days},
            )


@provider(NotificationKind.TASK_DUE)
def checklist_tasks_due(window: Window) -> Iterable[Due]:
    kind = NotificationKind.TASK_DUE
    # One occurrence per task: a due time moves only when a pause ends, and a
    # task reminded before its case was paused is not reminded again.
    tasks = ChecklistTask.objects.filter(
        done_at__isnull=True,
        due_at__lte=window.now,
        concern__status__in=Concern.OPEN_STATUSES,
        concern__deadlines_paused_at__isnull=True,
    )
    if window.since is not None:
        tasks = tasks.filter(due_at__gte=window.after())
    tasks = (
        tasks.filter(not_yet_reminded(kind, "due"))
        .select_related("concern__assignee__user")
        .order_by("due_at", "pk")[: window.limit]
    )
    for task in tasks:
        yield Due(
            kind=kind,
            object_id=task.pk,
            occurrence="due",
            due_at=task.due_at,
            recipients=window.recipients.handlers(task.concern),
            concern_id=task.concern_id,
            reference=task.concern.reference,
            link=case_link(task.concern),
            data={"step": task.order},
        )


@provider(NotificationKind.REPLY_DUE)
def replies_due(window: Window) -> Iterable[Due]:
    """A handler's question, unanswered by the reporter when its answer fell due."""
    kind = NotificationKind.REPLY_DUE
    answered = CaseEvent.objects.filter(
        concern=OuterRef("concern"), kind=CaseEvent.Kind.REPORTER_REPLIED, at__gt=OuterRef("at")
    )
    questions = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.INFO_REQUESTED,
        due_at__lte=window.now,
        concern__status__in=Concern.OPEN_STATUSES,
        concern__deadlines_paused_at__isnull=True,
    )
    if window.since is not None:
        questions = questions.filter(due_at__gte=window.after())
    questions = (
        questions.filter(~Exists(answered))
        .filter(not_yet_reminded(kind, "due"))
        .select_related("concern__reporter")
        .order_by("due_at", "pk")[: window.limit]
    )
    for question in questions:
        yield Due(
            kind=kind,
            object_id=question.pk,
            occurrence="due",
            due_at=question.due_at,
            recipients=[question.concern.reporter],
            concern_id=question.concern_id,
            reference=question.concern.reference or "",
            link=case_link(question.concern),
        )


def _drafts_due(window: Window, kind: str, after: datetime.timedelta, occurrence: str):
    """Drafts that reached an age since the last sweep: their author is told."""
    drafts = Concern.objects.filter(status=Concern.Status.DRAFT, created_at__lte=window.now - after)
    if window.since is not None:
        drafts = drafts.filter(created_at__gte=window.after(after))
    drafts = (
        drafts.filter(not_yet_reminded(kind, occurrence))
        .select_related("reporter")
        .order_by("created_at", "pk")[: window.limit]
    )
    for draft in drafts:
        yield Due(
            kind=kind,
            object_id=draft.pk,
            occurrence=occurrence,
            due_at=draft.created_at + after,
            recipients=[draft.reporter],
            concern_id=draft.pk,
            link=reverse("concerns:edit", args=[draft.public_id]),
        )


@provider(NotificationKind.DRAFT_WAITING)
def drafts_waiting(window: Window) -> Iterable[Due]:
    return _drafts_due(window, NotificationKind.DRAFT_WAITING, DRAFT_WAITING_AFTER, "14d")


@provider(NotificationKind.DRAFT_EXPIRING)
def drafts_expiring(window: Window) -> Iterable[Due]:
    return _drafts_due(window, NotificationKind.DRAFT_EXPIRING, DRAFT_EXPIRING_AFTER, "23d")
