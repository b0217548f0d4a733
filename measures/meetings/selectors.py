"""Reads for the meeting pages: a fixed number of queries, however long the agenda.

What a reader sees of each item is decided here, once, for the page and the
coordinator's preview alike (`agenda_for`), so the preview shows exactly
what the participant's own page will.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from measures.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingDecision,
    MeetingMinutes,
    MeetingParticipant,
)
from measures.meetings.permissions import (
    handled_concern_ids,
    meetings_visible_to,
    summary_window_open,
    tasks_for,
)
from partners.models import User
from referrals.models import LegalBasis


@dataclass
class ItemView:
    """One agenda item as one reader sees it."""

    item: AgendaItem
    number: int
    # The reader handles the case anyway: reference number and a link to it.
    handles_case: bool = False
    # A named case whose summary the reader may open now.
    summary_open: bool = False
    decisions: list[MeetingDecision] = field(default_factory=list)
    # A named item's legal basis in the reader's language.
    basis_label: str = ""

    @property
    def shows_reference(self) -> bool:
        return self.item.is_case and (self.item.named or self.handles_case)


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("concern")
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


def agenda_for(
    meeting: Meeting,
    reader: User | None,
    *,
    items: list[AgendaItem] | None = None,
    participant: bool = True,
    now: datetime.datetime | None = None,
) -> list[ItemView]:
    """The agenda as `reader` sees it; None is a contact without an account (reads nothing here).

    `participant` says whether the reader is invited (the coordinator who
    prepares a meeting may not be); only participants read a named case's
    summary through the meeting.
    """
    items = _items(meeting) if items is None else items
    handled = handled_concern_ids(reader, [item.concern_id for item in items]) if reader else set()
    bases = _basis_labels(meeting) if any(item.named for item in items) else {}
    views = []
    for item in items:
        item.meeting = meeting  # the window check reads the meeting's status
        handles = item.concern_id in handled
        in_window = participant and item.is_case and summary_window_open(item, now)
        views.append(
            ItemView(
                item=item,
                number=item.order,
                handles_case=handles,
                summary_open=bool(reader and (handles or in_window)),
                decisions=list(item.decisions.all()),
                basis_label=bases.get(item.legal_basis, item.legal_basis) if item.named else "",
            )
        )
    return views


def _basis_labels(meeting: Meeting) -> dict[str, str]:
    return {
        basis.code: str(basis)
        for basis in LegalBasis.objects.filter(country=meeting.municipality.country)
    }


def participants(meeting: Meeting) -> list[MeetingParticipant]:
    return list(
        meeting.participants.select_related("contact__organisation", "contact__user").order_by(
            "contact__organisation__name", "contact__name"
        )
    )


def minutes_of(meeting: Meeting) -> MeetingMinutes | None:
    return MeetingMinutes.objects.filter(meeting=meeting).first()


def meetings_for(user: User) -> tuple[QuerySet[Meeting], QuerySet[Meeting]]:
    """Upcoming (and not yet recorded as held) and past meetings the user may open."""
    visible = meetings_visible_to(user).select_related("kind", "municipality")
    since = timezone.now() - datetime.timedelta(hours=12)
    upcoming = visible.filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.AGENDA_SENT], ends_at__gte=since
    ).order_by("starts_at", "pk")
    past = visible.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-pk")
    return upcoming, past


@dataclass
class TaskView:
    task: MeetingDecision
    handles_case: bool

    @property
    def overdue(self) -> bool:
        return self.task.done_at is None and self.task.due_on < timezone.localdate()


def my_tasks(user: User, *, open_only: bool = False) -> list[TaskView]:
    """The tasks meetings gave the user, with case details only where they handle the case."""
    tasks = tasks_for(user).select_related(
        "item__meeting__kind", "item__meeting__municipality", "item__concern"
    )
    if open_only:
        tasks = tasks.filter(done_at__isnull=True)
    tasks = list(tasks.order_by("done_at", "due_on", "pk")[:200])
    handled = handled_concern_ids(user, [task.item.concern_id for task in tasks])
    return [TaskView(task, task.item.concern_id in handled) for task in tasks]
