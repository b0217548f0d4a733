"""Follow-up reminders: deadlines in the database, swept by Celery beat.

A deadline is any row with an owner, a due time and a kind. Each kind is a
*provider*: a function that returns, in one indexed query, the items that are
due and not yet reminded. Apps add providers with @provider; the sweeper
never changes. The sweeper writes one Reminder per (kind, item, occurrence),
guarded by a unique constraint, so a second sweep, a retried task or two
beats by mistake can never make a second one. Delivery is a separate task per
reminder, and marks it sent.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from concerns.models import (
    ALWAYS_ON_KINDS,
    CaseEvent,
    ChecklistTask,
    Concern,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    Reminder,
)
from concerns.permissions import coordinators_of, handlers_to_notify
from partners.models import Municipality, Role, User
from partners.services import system_user

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# A reminder queued this long ago and still not sent is queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


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


Provider = Callable[[datetime.datetime, int], Iterable[Due]]
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


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))


def _case_link(concern: Concern) -> str:
    return reverse("concerns:detail", args=[concern.public_id])


# --- the providers of this app ------------------------------------------------------


@provider(NotificationKind.FOLLOW_UP_DUE)
def follow_ups_due(now: datetime.datetime, limit: int) -> Iterable[Due]:
    today = timezone.localdate(now)
    kind = NotificationKind.FOLLOW_UP_DUE
    concerns = (
        Concern.objects.filter(status__in=Concern.OPEN_STATUSES, follow_up_on__lte=today)
        .filter(not_yet_reminded(kind, Cast(OuterRef("follow_up_on"), CharField())))
        .select_related("assignee__user")
        .order_by("follow_up_on", "pk")[:limit]
    )
    for concern in concerns:
        yield Due(
            kind=kind,
            object_id=concern.pk,
            occurrence=concern.follow_up_on.isoformat(),
            due_at=_day_start(concern.follow_up_on),
            recipients=handlers_to_notify(concern),
            concern_id=concern.pk,
            reference=concern.reference,
            link=_case_link(concern),
        )


@provider(NotificationKind.FOLLOW_UP_ESCALATED)
def follow_ups_escalated(now: datetime.datetime, limit: int) -> Iterable[Due]:
    """Overdue by more than the municipality's N days: the coordinators hear of it too."""
    today = timezone.localdate(now)
    kind = NotificationKind.FOLLOW_UP_ESCALATED
    for municipality in Municipality.objects.all():
        cutoff = today - datetime.timedelta(days=municipality.escalate_after_days)
        concerns = (
            Concern.objects.filter(
                municipality=municipality, status__in=Concern.OPEN_STATUSES, follow_up_on__lt=cutoff
            )
            .filter(not_yet_reminded(kind, Cast(OuterRef("follow_up_on"), CharField())))
            .order_by("follow_up_on", "pk")[:limit]
        )
        coordinators = None
        for concern in concerns:
            coordinators = (
                coordinators if coordinators is not None else coordinators_of(municipality.pk)
            )
            yield Due(
                kind=kind,
                object_id=concern.pk,
                occurrence=concern.follow_up_on.isoformat(),
                due_at=_day_start(concern.follow_up_on),
                recipients=coordinators,
                concern_id=concern.pk,
                reference=concern.reference,
                link=_case_link(concern),
                data={"days_overdue": (today - concern.follow_up_on).days},
            )


@provider(NotificationKind.TASK_DUE)
def checklist_tasks_due(now: datetime.datetime, limit: int) -> Iterable[Due]:
    kind = NotificationKind.TASK_DUE
    # A task's due time is copied once and never moves, so one occurrence per task.
    tasks = (
        ChecklistTask.objects.filter(
            done_at__isnull=True, due_at__lte=now, concern__status__in=Concern.OPEN_STATUSES
        )
        .filter(not_yet_reminded(kind, "due"))
        .select_related("concern__assignee__user")
        .order_by("due_at", "pk")[:limit]
    )
    for task in tasks:
        yield Due(
            kind=kind,
            object_id=task.pk,
            occurrence="due",
            due_at=task.due_at,
            recipients=handlers_to_notify(task.concern),
            concern_id=task.concern_id,
            reference=task.concern.reference,
            link=_case_link(task.concern),
            data={"step": task.order},
        )


# A question to the reporter waits this long for an answer before she is reminded.
REPLY_DUE_AFTER = datetime.timedelta(days=3)
# A draft this old reminds its author that nobody else can see it yet.
DRAFT_WAITING_AFTER = datetime.timedelta(days=14)


@provider(NotificationKind.REPLY_DUE)
def replies_due(now: datetime.datetime, limit: int) -> Iterable[Due]:
    """A handler's question, unanswered by the reporter after three days."""
    kind = NotificationKind.REPLY_DUE
    answered = CaseEvent.objects.filter(
        concern=OuterRef("concern"), kind=CaseEvent.Kind.REPORTER_REPLIED, at__gt=OuterRef("at")
    )
    questions = (
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.INFO_REQUESTED,
            at__lte=now - REPLY_DUE_AFTER,
            concern__status__in=Concern.OPEN_STATUSES,
        )
        .filter(~Exists(answered))
        .filter(not_yet_reminded(kind, "due"))
        .select_related("concern__reporter")
        .order_by("at", "pk")[:limit]
    )
    for question in questions:
        yield Due(
            kind=kind,
            object_id=question.pk,
            occurrence="due",
            due_at=question.at + REPLY_DUE_AFTER,
            recipients=[question.concern.reporter],
            concern_id=question.concern_id,
            reference=question.concern.reference or "",
            link=_case_link(question.concern),
        )


@provider(NotificationKind.DRAFT_WAITING)
def drafts_waiting(now: datetime.datetime, limit: int) -> Iterable[Due]:
    kind = NotificationKind.DRAFT_WAITING
    drafts = (
        Concern.objects.filter(
            status=Concern.Status.DRAFT, created_at__lte=now - DRAFT_WAITING_AFTER
        )
        .filter(not_yet_reminded(kind, "14d"))
        .select_related("reporter")
        .order_by("created_at", "pk")[:limit]
    )
    for draft in drafts:
        yield Due(
            kind=kind,
            object_id=draft.pk,
            occurrence="14d",
            due_at=draft.created_at + DRAFT_WAITING_AFTER,
            recipients=[draft.reporter],
            concern_id=draft.pk,
            link=reverse("concerns:edit", args=[draft.public_id]),
        )


# --- the outbox -----------------------------------------------------------------------


def outbox_add(
    *,
    kind: str,
    concern: Concern,
    recipients: Iterable[User],
    actor: User | None,
    link: str = "",
) -> OutboxMessage | None:
    """Record, in the caller's transaction, that people must be told; the sweeper sends it.

    An acute alert does not wait for the sweep: right after the transaction
    commits it rings the bells itself and queues its e-mails (alert_now).
    """
    recipients = list({user.pk: user for user in recipients if user and user.is_active}.values())
    if not recipients:
        return None
    message = OutboxMessage(kind=kind, concern=concern, link=link)
    message._history_user = actor
    message.save()
    message.recipients.set(recipients)
    if kind in ALWAYS_ON_KINDS:
        transaction.on_commit(lambda: alert_now(message.pk))
    return message


def _outbox_due(message: OutboxMessage) -> Due:
    return Due(
        kind=message.kind,
        object_id=message.pk,
        occurrence="outbox",
        due_at=message.created_at,
        recipients=list(message.recipients.all()),
        concern_id=message.concern_id,
        reference=message.concern.reference or "",
        link=message.link or _case_link(message.concern),
    )


def _mark_processed(message: OutboxMessage) -> None:
    message.processed_at = timezone.now()
    message._history_user = system_user()
    message.save(update_fields=["processed_at"])


def process_outbox(limit: int = BATCH_SIZE) -> int:
    made = 0
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.filter(processed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("concern")
            .order_by("created_at", "pk")[:limit]
        )
        for message in messages:
            made += _create_reminder(_outbox_due(message))
            _mark_processed(message)
    return made


def alert_now(message_id: int) -> None:
    """Turn one outbox message into a reminder, ring its bells and queue its e-mails, at once.

    Runs right after the filing commits. The bells are database rows, so they
    ring even with the broker down; the e-mails then wait for the next sweep.
    Nothing here may fail the request that caused it.
    """
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("concern")
                .filter(pk=message_id, processed_at__isnull=True)
                .first()
            )
            if message is None:
                return  # the sweeper got there first
            _create_reminder(_outbox_due(message))
            _mark_processed(message)
        reminder = Reminder.objects.get(
            kind=message.kind, object_id=message.pk, occurrence="outbox"
        )
        ring_bells(reminder.pk)
        enqueue_undelivered(only=[reminder.pk])
    except Exception:  # noqa: BLE001 - the sweeper retries whatever failed here
        log.exception("Acute alert %s waits for the next sweep.", message_id)


# --- sweeping -------------------------------------------------------------------------


def _create_reminder(due: Due) -> int:
    """Insert the reminder unless it exists. Returns 1 if this call made it."""
    try:
        with transaction.atomic():
            reminder = Reminder(
                kind=due.kind,
                object_id=due.object_id,
                occurrence=due.occurrence,
                concern_id=due.concern_id,
                due_at=due.due_at,
                reference=due.reference,
                link=due.link,
                data=due.data,
            )
            reminder._history_user = system_user()
            reminder.save()
            reminder.recipients.set(due.recipients)
    except IntegrityError:
        return 0  # another sweep got there first: exactly what the unique key is for
    return 1


def sweep(now: datetime.datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Make the reminders that are due and queue their delivery. Safe to run at any time, twice."""
    now = now or timezone.now()
    made = process_outbox(limit)
    for function in _PROVIDERS.values():
        made += sum(_create_reminder(due) for due in function(now, limit))
    enqueue_undelivered(now)
    return made


def enqueue_undelivered(now: datetime.datetime | None = None, only: list[int] | None = None) -> int:
    """Queue delivery of reminders not sent yet. A broker outage leaves them for the next sweep."""
    from concerns.tasks import deliver_reminder

    now = now or timezone.now()
    pending = Reminder.objects.filter(sent_at__isnull=True).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    if only is not None:
        pending = pending.filter(pk__in=only)
    queued = 0
    for reminder_id in pending.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]:
        try:
            deliver_reminder.apply_async((reminder_id,), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: try again on the next sweep
            log.warning("Broker unavailable; reminder %s waits for the next sweep.", reminder_id)
            break
        Reminder.objects.filter(pk=reminder_id).update(enqueued_at=now)  # bookkeeping only
        queued += 1
    return queued


# --- delivery -------------------------------------------------------------------------


def preference_for(user: User, kind: str) -> tuple[bool, bool]:
    """(bell, e-mail) for this user and kind. Acute alerts cannot be turned off."""
    if kind in ALWAYS_ON_KINDS:
        return True, True
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if preference is None:
        return True, True
    return preference.in_app, preference.email


@transaction.atomic
def notification_preferences_save(*, user: User, choices: list[tuple[str, bool, bool]]) -> None:
    """Save a user's (kind, bell, e-mail) choices. Acute alerts stay on whatever is sent."""
    for kind, in_app, email in choices:
        if kind in ALWAYS_ON_KINDS:
            continue
        preference, _created = NotificationPreference.objects.get_or_create(user=user, kind=kind)
        if (preference.in_app, preference.email) != (in_app, email):
            preference.in_app, preference.email = in_app, email
            preference._history_user = user
            preference.save(update_fields=["in_app", "email"])


def language_for(user: User) -> str:
    """Email in the language of the user's municipality: Danish in Aalborg, Bokmål in Trondheim."""
    if (
        user.organisation_id
        and user.organisation.municipalities.filter(country=Municipality.Country.DENMARK).exists()
    ):
        return "da"
    return settings.LANGUAGE_CODE


def email_text(reminder: Reminder, user: User) -> tuple[str, str]:
    with translation.override(language_for(user)):
        context = {"reminder": reminder, "site_url": settings.SITE_URL}
        subject = render_to_string("concerns/email/reminder_subject.txt", context).strip()
        body = render_to_string("concerns/email/reminder_body.txt", context)
    return subject, body


def ring_bells(reminder_id: int) -> None:
    """One notification per recipient who wants this kind, on the bell, by e-mail or both.

    Safe to run twice: a recipient who has a notification for the reminder gets no second.
    """
    actor = system_user()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        already = set(
            Notification.objects.filter(reminder=reminder).values_list("user_id", flat=True)
        )
        for user in reminder.recipients.filter(is_active=True).exclude(pk__in=already):
            bell, email = preference_for(user, reminder.kind)
            if not bell and not email:
                continue
            notification = Notification(reminder=reminder, user=user, shown=bell)
            if not email:
                # Nothing to send: stamp it so the e-mail loop passes it by.
                notification.email_sent_at = timezone.now()
            notification._history_user = actor
            notification.save()


def deliver(reminder_id: int) -> bool:
    """Put the reminder under each recipient's bell and email those who want it.

    Each email is sent under a lock on its notification row and stamped, so a
    retry after an SMTP failure sends only what was not sent yet.
    Returns True when the reminder is fully delivered.
    """
    actor = system_user()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.sent_at is not None:
            return True
        reminder.attempts += 1
        reminder._history_user = actor
        reminder.save(update_fields=["attempts"])
    ring_bells(reminder_id)

    for notification_id in Notification.objects.filter(
        reminder_id=reminder_id, email_sent_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("user", "reminder")
                .filter(pk=notification_id, email_sent_at__isnull=True)
                .first()
            )
            if notification is None or not notification.user.email:
                continue
            subject, body = email_text(notification.reminder, notification.user)
            send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email]
            )  # raises on SMTP failure
            notification.email_sent_at = timezone.now()
            notification._history_user = actor
            notification.save(update_fields=["email_sent_at"])

    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.sent_at is None:
            reminder.sent_at = timezone.now()
            reminder._history_user = actor
            reminder.save(update_fields=["sent_at"])
    return True


# --- the weekly digest ----------------------------------------------------------------


def digest_for(user: User, today: datetime.date) -> dict:
    week_ago = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time())
    )
    municipalities = (
        list(user.organisation.municipalities.values_list("pk", flat=True))
        if user.organisation_id
        else []
    )
    concerns = Concern.objects.filter(municipality__in=municipalities).exclude(
        status=Concern.Status.DRAFT
    )
    overdue = concerns.filter(status__in=Concern.OPEN_STATUSES, follow_up_on__lt=today)
    return {
        "new": concerns.filter(submitted_at__gte=week_ago).count(),
        "open": concerns.filter(status__in=Concern.OPEN_STATUSES).count(),
        "overdue": overdue.count(),
        "closed": concerns.filter(status=Concern.Status.CLOSED, closed_at__gte=week_ago).count(),
        "overdue_references": list(
            overdue.order_by("follow_up_on").values_list("reference", flat=True)[:100]
        ),
    }


def create_weekly_digests(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    made = 0
    for user in User.objects.filter(is_active=True, roles__code=Role.Code.COORDINATOR).distinct():
        made += _create_reminder(
            Due(
                kind=NotificationKind.WEEKLY_DIGEST,
                object_id=user.pk,
                occurrence=f"{year}-W{week:02d}",
                due_at=now,
                recipients=[user],
                link=reverse("concerns:inbox"),
                data=digest_for(user, today),
            )
        )
    enqueue_undelivered(now)
    return made
