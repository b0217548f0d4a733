"""Who sees a meeting, its items, a named case's summary and a task. One place, as for cases.

- A meeting is seen by its chair, its invited participants (through their
  contact in the registry) and the coordinators of its municipality, who
  also prepare it. Everyone else gets 404, and the refusal is logged.
- An anonymous case item shows every participant its presentation only; a
  link to the case, and its reference number, only to those who already
  handle the case (concerns.permissions, unchanged).
- A named case item (a legal basis recorded) lets the participants read a
  summary of the case between `access_from` and `access_until`: decided by
  the clock on every request, so the access ends even if no task ever runs.
  This opens the summary page and nothing else: the case page, the inbox and
  every other rule of concerns.permissions stay exactly as they are.
- A task is seen by its assignee (with the case details only if they handle
  the case), and by those who see the meeting.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.permissions import coordinated_municipality_ids, deny, handler_concerns_for
from measures.meetings.models import AgendaItem, Meeting, MeetingDecision, MeetingParticipant
from partners.models import User

# A named case's summary stays readable this long after the meeting's end:
# time to finish the meeting's own work, short enough to be a meeting's and no more.
SUMMARY_GRACE = datetime.timedelta(hours=2)


def _signed_in(user: User) -> bool:
    return user.is_authenticated and user.is_active


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Every meeting the user may open: chaired, invited to, or their municipality's to prepare."""
    if not _signed_in(user):
        return Meeting.objects.none()
    invited = MeetingParticipant.objects.filter(meeting=OuterRef("pk"), contact__user=user.pk)
    rule = Q(chair=user.pk) | Exists(invited)
    coordinated = coordinated_municipality_ids(user)
    if coordinated:
        rule |= Q(municipality__in=coordinated)
    return Meeting.objects.filter(rule)


def get_meeting_for_user_or_404(user: User, public_id) -> Meeting:
    """The meeting, if the user may see it; 404 for a missing and a forbidden one alike."""
    try:
        meeting = Meeting.objects.select_related("kind", "municipality", "chair").get(
            public_id=public_id
        )
    except (Meeting.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    if not may_see(user, meeting):
        raise deny(user, f"meeting {public_id}")
    return meeting


def may_manage(user: User, meeting: Meeting) -> bool:
    """The coordinators of the meeting's municipality prepare it, record it, write its minutes."""
    return _signed_in(user) and meeting.municipality_id in coordinated_municipality_ids(user)


def may_approve(user: User, meeting: Meeting) -> bool:
    """Only the chair approves the minutes."""
    return _signed_in(user) and meeting.chair_id == user.pk


def is_participant(user: User, meeting: Meeting) -> bool:
    if not _signed_in(user):
        return False
    if meeting.chair_id == user.pk:
        return True
    return meeting.participants.filter(contact__user=user.pk).exists()


def may_see(user: User, meeting: Meeting) -> bool:
    return may_manage(user, meeting) or is_participant(user, meeting)


def ensure_can_manage(user: User, meeting: Meeting) -> None:
    if not may_manage(user, meeting):
        raise PermissionDenied(_("Only the municipality's coordinator can do this."))


def handled_concern_ids(user: User, concern_ids: Iterable[int]) -> set[int]:
    """Of these cases, the ones the user handles anyway: one query, whatever the number."""
    concern_ids = {pk for pk in concern_ids if pk is not None}
    if not concern_ids or not _signed_in(user):
        return set()
    return set(handler_concerns_for(user).filter(pk__in=concern_ids).values_list("pk", flat=True))


def summary_window_open(item: AgendaItem, now: datetime.datetime | None = None) -> bool:
    """Whether a named item's summary is readable now: by the clock, nothing else."""
    now = now or timezone.now()
    return bool(
        item.named
        and item.legal_basis
        and item.access_from is not None
        and item.access_until is not None
        and item.access_from <= now < item.access_until
        and item.meeting.status != Meeting.Status.CANCELLED
        and item.concern.anonymised_at is None
    )


def may_read_summary(
    user: User, item: AgendaItem, now: datetime.datetime | None = None
) -> tuple[bool, bool]:
    """(may read, as a handler): the case's handlers always; a participant only in the window."""
    if not item.is_case:
        return False, False
    if handled_concern_ids(user, [item.concern_id]):
        return True, True
    return is_participant(user, item.meeting) and summary_window_open(item, now), False


def get_summary_item_or_404(user: User, meeting: Meeting, item_id) -> tuple[AgendaItem, bool]:
    """A named case item whose summary the user may read now, and whether as its handler."""
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=_int_or_none(item_id), kind="case")
        .select_related(
            "concern__subject__district",
            "concern__phenomenon",
            "concern__reporter_organisation",
            "meeting__kind",
        )
        .first()
    )
    if item is None:
        raise Http404
    allowed, as_handler = may_read_summary(user, item)
    if not allowed:
        raise deny(user, f"meeting {meeting.public_id} item {item.pk} summary")
    return item, as_handler


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def get_item_for_manager_or_404(user: User, meeting: Meeting, item_id) -> AgendaItem:
    """An item of the meeting, for its coordinator; 404 (logged) for anyone else."""
    if not may_manage(user, meeting):
        raise deny(user, f"meeting {meeting.public_id} item {item_id}")
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=_int_or_none(item_id))
        .select_related("concern__subject", "concern__reporter_organisation", "meeting__kind")
        .first()
    )
    if item is None:
        raise Http404
    return item


def tasks_for(user: User) -> QuerySet[MeetingDecision]:
    """The tasks meetings gave the user, through their contacts in the registry."""
    if not _signed_in(user):
        return MeetingDecision.objects.none()
    return MeetingDecision.objects.filter(
        kind=MeetingDecision.Kind.TASK, assignee__user=user.pk
    ).exclude(item__meeting__status=Meeting.Status.CANCELLED)


def get_task_for_assignee_or_404(user: User, pk) -> MeetingDecision:
    task = tasks_for(user).filter(pk=_int_or_none(pk)).select_related("item__meeting").first()
    if task is None:
        if MeetingDecision.objects.filter(pk=_int_or_none(pk)).exists():
            raise deny(user, f"meeting task {pk}")
        raise Http404
    return task
