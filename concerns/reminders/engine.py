"""The sweeper: deadlines in the database turned into reminders, in batches, exactly once.

A deadline is any row with an owner, a due time and a kind. Each kind is a
*provider*: a function returning, in one indexed query, the items that fell
due since the last sweep and have no reminder yet. Apps add providers with
@provider; the sweeper never changes.

- One Reminder per (kind, item, occurrence), guarded by a unique constraint:
  a second sweep, a retried task or two beats by mistake make nothing twice.
- Set-based: a batch of due items becomes reminders, their recipients and
  their history rows in a handful of queries, whatever the batch size.
- A watermark per kind (SweepMark) keeps a quiet sweep looking only at what
  became due since the last one, however long the history grows.
- Sweeps are serialised by a row lock; a sweep that finds one running leaves.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern, Reminder, SweepMark
from concerns.permissions import coordinators_of
from partners.models import User
from partners.services import system_user

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# At most this many batches per kind in one sweep (100,000 reminders); what is
# left waits for the next beat, without a watermark so nothing is skipped.
MAX_BATCHES = 200
# A provider looks back this far before its watermark: a deadline written a
# little after a sweep looked at its moment is still found by the next one.
OVERLAP = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    kind: str
    object_id: int
    occurrence: str
    due_at: datetime.datetime
    recipients: list[User]
    concern_id: int | None = None
    reference: str = ""
    link: str = ""
    data: dict = field(default_factory=dict)


class Recipients:
    """Who acts on a concern now, for a whole sweep with a query per municipality at most.

    Lookups that depend only on their arguments (the coordinators of a
    municipality, the resource persons of an organisation) are asked once per
    sweep through `memo`, however many items share them.
    """

    def __init__(self):
        self._memo: dict[tuple, list[User]] = {}

    def memo(self, lookup: Callable[..., list[User]], *args) -> list[User]:
        key = (lookup, *args)
        if key not in self._memo:
            self._memo[key] = lookup(*args)
        return self._memo[key]

    def coordinators(self, municipality_id: int) -> list[User]:
        return self.memo(coordinators_of, municipality_id)

    def handlers(self, concern: Concern) -> list[User]:
        """The assignee's account, or else the coordinators (as permissions.handlers_to_notify)."""
        assignee = concern.assignee
        if assignee is not None and assignee.user_id and assignee.user.is_active:
            return [assignee.user]
        return self.coordinators(concern.municipality_id)


@dataclass(frozen=True)
class Window:
    """What a provider looks at: due by `now`, and not before `since` (minus the overlap)."""

    now: datetime.datetime
    since: datetime.datetime | None
    limit: int
    recipients: Recipients

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    def after(self, delay: datetime.timedelta = datetime.timedelta()) -> datetime.datetime | None:
        """The earliest moment worth looking at for items due `delay` after their date."""
        return None if self.since is None else self.since - OVERLAP - delay

    def after_date(self, delay_days: int = 0) -> datetime.date | None:
        start = self.after(datetime.timedelta(days=delay_days))
        return None if start is None else timezone.localdate(start)


Provider = Callable[[Window], Iterable[Due]]
_PROVIDERS: dict[str, Provider] = {}


def provider(kind: str) -> Callable[[Provider], Provider]:
    def register(function: Provider) -> Provider:
        _PROVIDERS[kind] = function
        return function

    return register


def not_yet_reminded(kind: str, occurrence) -> Exists:
    """NOT EXISTS a reminder for this item and occurrence: an anti-join on the unique key."""
    return ~Exists(
        Reminder.objects.filter(kind=kind, object_id=OuterRef("pk"), occurrence=occurrence)
    )


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))


def case_link(concern: Concern) -> str:
    return reverse("concerns:detail", args=[concern.public_id])


def create_reminders(dues: list[Due], actor: User | None = None) -> int:
    """Insert the reminders that do not exist yet, with recipients and history. Returns how many.

    A few queries per call, whatever its length: one insert that skips what
    exists, one read of what it made, and one insert each for the history
    rows and the recipients.
    """
    if not dues:
        return 0
    started = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=due.kind,
                object_id=due.object_id,
                occurrence=due.occurrence,
                concern_id=due.concern_id,
                due_at=due.due_at,
                reference=due.reference,
                link=due.link,
                data=due.data,
            )
            for due in dues
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    wanted = {(due.kind, due.object_id, due.occurrence): due for due in dues}
    made = [
        reminder
        for reminder in Reminder.objects.filter(
            kind__in={due.kind for due in dues},
            object_id__in={due.object_id for due in dues},
            created_at__gte=started,
        )
        if (reminder.kind, reminder.object_id, reminder.occurrence) in wanted
    ]
    if not made:
        return 0
    Reminder.history.bulk_history_create(made, default_user=actor or system_user())
    through = Reminder.recipients.through
    through.objects.bulk_create(
        [
            through(reminder_id=reminder.pk, user_id=user.pk)
            for reminder in made
            for user in {
                user.pk: user
                for user in wanted[
                    (reminder.kind, reminder.object_id, reminder.occurrence)
                ].recipients
            }.values()
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    return len(made)


def _marks() -> dict[str, SweepMark]:
    return {mark.kind: mark for mark in SweepMark.objects.filter(kind__in=list(_PROVIDERS))}


def _advance(marks: dict[str, SweepMark], kinds: list[str], now, actor: User) -> None:
    """Move the watermarks of the kinds swept to the end: one or two queries in all.

    The move itself is not recorded in history (see SweepMark); a new mark is.
    """
    existing = [marks[kind] for kind in kinds if kind in marks]
    for mark in existing:
        mark.swept_until = now
    if existing:
        SweepMark.objects.bulk_update(existing, ["swept_until"])
    new = [SweepMark(kind=kind, swept_until=now) for kind in kinds if kind not in marks]
    if new:
        SweepMark.objects.bulk_create(new, ignore_conflicts=True)
        SweepMark.history.bulk_history_create(
            list(SweepMark.objects.filter(kind__in=[mark.kind for mark in new])),
            default_user=actor,
        )


def sweep(
    now: datetime.datetime | None = None, limit: int = BATCH_SIZE, deliver: bool = True
) -> int:
    """Make the reminders that are due and queue their delivery. Safe to run at any time, twice."""
    from concerns.reminders.delivery import enqueue_delivery
    from concerns.reminders.outbox import process_outbox

    now = now or timezone.now()
    made = 0
    with transaction.atomic():
        lock, _created = SweepMark.objects.get_or_create(kind=SweepMark.SWEEP_LOCK)
        if not SweepMark.objects.select_for_update(skip_locked=True).filter(pk=lock.pk).exists():
            return 0  # another sweep is at work; it will make what is due
        actor = system_user()
        made += process_outbox(limit, actor=actor)
        recipients = Recipients()
        marks = _marks()
        swept = []
        for kind, function in _PROVIDERS.items():
            mark = marks.get(kind)
            since = mark.swept_until if mark else None
            # A clock set back (tests travel in time) must not skip anything.
            if since is not None and since > now:
                since = None
            window = Window(now=now, since=since, limit=limit, recipients=recipients)
            # Batch after batch until one comes back short: a backlog (after
            # an outage) is cleared in one sweep, each batch a few queries.
            for _batch in range(MAX_BATCHES):
                dues = list(function(window))
                made += create_reminders(dues, actor=actor)
                if len(dues) < limit:
                    swept.append(kind)
                    break
        _advance(marks, swept, now, actor)
    if deliver:
        enqueue_delivery(now)
    return made
