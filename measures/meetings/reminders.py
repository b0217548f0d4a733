"""Meetings feed the reminders: invitations when an agenda is sent, tasks when given and due.

Each provider is one indexed query over the sweeper's window. No reminder
holds a reference number or a name: a task's assignee may not handle the
case, and the link leads to their own list of tasks.
"""

from collections.abc import Iterable

from django.db.models import CharField, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse

from concerns.models import NotificationKind
from concerns.reminders import Due, Window, not_yet_reminded, provider
from concerns.reminders.engine import day_start
from measures.meetings.models import Meeting, MeetingDecision, MeetingParticipant


@provider(NotificationKind.MEETING_INVITATION)
def meeting_invitations(window: Window) -> Iterable[Due]:
    """Everyone invited with an account hears of the meeting once its agenda is sent."""
    kind = NotificationKind.MEETING_INVITATION
    invitations = MeetingParticipant.objects.filter(
        meeting__agenda_sent_at__lte=window.now,
        meeting__status__in=[Meeting.Status.AGENDA_SENT, Meeting.Status.HELD],
        contact__user__is_active=True,
    )
    if window.since is not None:
        invitations = invitations.filter(meeting__agenda_sent_at__gte=window.after())
    invitations = (
        invitations.filter(not_yet_reminded(kind, "invited"))
        .select_related("meeting", "contact__user")
        .order_by("meeting__agenda_sent_at", "pk")[: window.limit]
    )
    for participant in invitations:
        meeting = participant.meeting
        yield Due(
            kind=kind,
            object_id=participant.pk,
            occurrence="invited",
            due_at=meeting.agenda_sent_at,
            recipients=[participant.contact.user],
            link=reverse("meetings:detail", args=[meeting.public_id]),
            data={"starts_at": meeting.starts_at.isoformat()},
        )


def _tasks():
    return MeetingDecision.objects.filter(
        kind=MeetingDecision.Kind.TASK,
        done_at__isnull=True,
        assignee__user__is_active=True,
    ).exclude(item__meeting__status=Meeting.Status.CANCELLED)


@provider(NotificationKind.MEETING_TASK_ASSIGNED)
def meeting_tasks_assigned(window: Window) -> Iterable[Due]:
    kind = NotificationKind.MEETING_TASK_ASSIGNED
    tasks = _tasks().filter(created_at__lte=window.now)
    if window.since is not None:
        tasks = tasks.filter(created_at__gte=window.after())
    tasks = (
        tasks.filter(not_yet_reminded(kind, "assigned"))
        .select_related("assignee__user")
        .order_by("created_at", "pk")[: window.limit]
    )
    for task in tasks:
        yield Due(
            kind=kind,
            object_id=task.pk,
            occurrence="assigned",
            due_at=task.created_at,
            recipients=[task.assignee.user],
            link=reverse("meetings:tasks"),
            data={"due_on": task.due_on.isoformat()},
        )


@provider(NotificationKind.MEETING_TASK_DUE)
def meeting_tasks_due(window: Window) -> Iterable[Due]:
    """On the due day, the assignee hears of a task not yet done (one reminder per due date)."""
    kind = NotificationKind.MEETING_TASK_DUE
    tasks = _tasks().filter(due_on__lte=window.today)
    if window.since is not None:
        tasks = tasks.filter(due_on__gte=window.after_date())
    tasks = (
        tasks.filter(not_yet_reminded(kind, Cast(OuterRef("due_on"), CharField())))
        .select_related("assignee__user")
        .order_by("due_on", "pk")[: window.limit]
    )
    for task in tasks:
        yield Due(
            kind=kind,
            object_id=task.pk,
            occurrence=task.due_on.isoformat(),
            due_at=day_start(task.due_on),
            recipients=[task.assignee.user],
            link=reverse("meetings:tasks"),
        )
