"""Delivery: the bell and the e-mail, for one reminder or a whole backlog, each exactly once.

Bells are Notification rows, unique per (reminder, user). An e-mail is sent
only for a notification not yet stamped, under a lock on its row, and stamped
in the same transaction, so a retry after an SMTP failure sends only what was
not sent. A backlog is delivered in batches, with a bounded number of queries
per batch, not per reminder. E-mails hold a reference number and a link,
never a name.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from simple_history.utils import bulk_update_with_history

from concerns.models import ALWAYS_ON_KINDS, Notification, NotificationPreference, Reminder
from concerns.reminders.engine import BATCH_SIZE
from partners.models import Municipality, User
from partners.services import system_user

log = logging.getLogger(__name__)

# A reminder queued this long ago and still not sent is queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


def preference_for(user: User, kind: str) -> tuple[bool, bool]:
    """(bell, e-mail) for this user and kind. Acute alerts cannot be turned off."""
    return _preferences([user.pk], [kind]).get((user.pk, kind), (True, True))


def _preferences(user_ids, kinds) -> dict[tuple[int, str], tuple[bool, bool]]:
    """Every (user, kind) choice in one query; what is missing means bell and e-mail on."""
    found = {
        (user_id, kind): (in_app, email)
        for user_id, kind, in_app, email in NotificationPreference.objects.filter(
            user__in=set(user_ids), kind__in=set(kinds)
        ).values_list("user_id", "kind", "in_app", "email")
    }
    for key in list(found):
        if key[1] in ALWAYS_ON_KINDS:
            found[key] = (True, True)
    return found


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


def language_for(user: User, danish_users: set[int] | None = None) -> str:
    """E-mail in the language of the user's municipality: Danish in Aalborg, Bokmål in Trondheim."""
    if danish_users is not None:
        return "da" if user.pk in danish_users else settings.LANGUAGE_CODE
    if (
        user.organisation_id
        and user.organisation.municipalities.filter(country=Municipality.Country.DENMARK).exists()
    ):
        return "da"
    return settings.LANGUAGE_CODE


def email_text(reminder: Reminder, user: User, language: str | None = None) -> tuple[str, str]:
    with translation.override(language or language_for(user)):
        context = {"reminder": reminder, "site_url": settings.SITE_URL}
        subject = render_to_string("concerns/email/reminder_subject.txt", context).strip()
        body = render_to_string("concerns/email/reminder_body.txt", context)
    return subject, body


def ring_bells(reminder_ids: list[int]) -> int:
    """One notification per recipient who wants it, on the bell, by e-mail or both.

    Set-based and safe to run twice: a recipient who has one gets no second.
    """
    through = Reminder.recipients.through
    already = Notification.objects.filter(
        reminder_id=OuterRef("reminder_id"), user_id=OuterRef("user_id")
    )
    pairs = list(
        through.objects.filter(reminder_id__in=reminder_ids, user__is_active=True)
        .filter(~Exists(already))
        .values_list("reminder_id", "user_id", "reminder__kind")
    )
    if not pairs:
        return 0
    choices = _preferences({user for _, user, _ in pairs}, {kind for _, _, kind in pairs})
    now = timezone.now()
    notifications = []
    for reminder_id, user_id, kind in pairs:
        bell, email = choices.get((user_id, kind), (True, True))
        if not bell and not email:
            continue
        notifications.append(
            Notification(
                reminder_id=reminder_id,
                user_id=user_id,
                shown=bell,
                # Nothing to send: stamped, so the e-mail loop passes it by.
                email_sent_at=None if email else now,
            )
        )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=BATCH_SIZE)
    made = list(Notification.objects.filter(reminder_id__in=reminder_ids, created_at__gte=now))
    Notification.history.bulk_history_create(made, default_user=system_user())
    return len(made)


def _danish_users(user_ids) -> set[int]:
    return set(
        User.objects.filter(
            pk__in=set(user_ids), organisation__municipalities__country=Municipality.Country.DENMARK
        ).values_list("pk", flat=True)
    )


def send_emails(reminder_ids: list[int]) -> None:
    """E-mail every notification of these reminders not stamped yet; stamp what was sent.

    The rows are locked while their e-mails go out, so two workers never send
    the same one. An SMTP failure stamps what went before it and is raised,
    for the task to retry the rest.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(reminder_id__in=reminder_ids, email_sent_at__isnull=True)
            .exclude(user__email="")
            .select_related("user", "reminder")
            .order_by("pk")
        )
        if not pending:
            return
        danish = _danish_users(notification.user_id for notification in pending)
        sent = []
        try:
            with get_connection() as connection:
                for notification in pending:
                    user = notification.user
                    language = language_for(user, danish)
                    subject, body = email_text(notification.reminder, user, language)
                    EmailMessage(
                        subject,
                        body,
                        settings.DEFAULT_FROM_EMAIL,
                        [user.email],
                        connection=connection,
                    ).send()  # raises on SMTP failure
                    notification.email_sent_at = timezone.now()
                    sent.append(notification)
        finally:
            if sent:
                bulk_update_with_history(
                    sent, Notification, ["email_sent_at"], default_user=system_user()
                )


def _mark_sent(reminder_ids: list[int]) -> None:
    """A reminder is sent when none of its notifications waits for an e-mail."""
    waiting = Notification.objects.filter(
        reminder_id=OuterRef("pk"), email_sent_at__isnull=True
    ).exclude(user__email="")
    done = list(
        Reminder.objects.filter(pk__in=reminder_ids, sent_at__isnull=True).filter(~Exists(waiting))
    )
    now = timezone.now()
    for reminder in done:
        reminder.sent_at = now
    bulk_update_with_history(done, Reminder, ["sent_at"], default_user=system_user())


def _count_attempt(reminder_ids: list[int]) -> None:
    """One more delivery attempt for each reminder (kept, for whoever reads why one lags)."""
    reminders = list(Reminder.objects.filter(pk__in=reminder_ids, sent_at__isnull=True))
    for reminder in reminders:
        reminder.attempts += 1
    bulk_update_with_history(reminders, Reminder, ["attempts"], default_user=system_user())


def deliver(reminder_id: int) -> bool:
    """Deliver one reminder: its bells, its e-mails, and the mark that it is sent."""
    if Reminder.objects.filter(pk=reminder_id, sent_at__isnull=False).exists():
        return True
    _count_attempt([reminder_id])
    ring_bells([reminder_id])
    send_emails([reminder_id])
    _mark_sent([reminder_id])
    return True


def deliver_pending(batch_size: int = BATCH_SIZE) -> int:
    """Deliver every reminder not sent yet, a batch at a time (one worker clears a backlog)."""
    delivered = 0
    last = 0
    while True:
        ids = list(
            Reminder.objects.filter(sent_at__isnull=True, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return delivered
        _count_attempt(ids)
        ring_bells(ids)
        send_emails(ids)
        _mark_sent(ids)
        delivered += len(ids)
        last = ids[-1]


def enqueue_delivery(now: datetime.datetime | None = None, only: list[int] | None = None) -> bool:
    """Queue the delivery task if anything waits; a broker outage leaves it for the next sweep.

    One task for a whole backlog (or the one reminder named in `only`, for an
    acute alert). Returns whether a task was queued.
    """
    from concerns.tasks import deliver_pending_reminders, deliver_reminder

    now = now or timezone.now()
    pending = Reminder.objects.filter(sent_at__isnull=True).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    if only is not None:
        pending = pending.filter(pk__in=only)
    ids = list(pending.values_list("pk", flat=True)[: BATCH_SIZE * 100])
    if not ids:
        return False
    try:
        if only is not None:
            for reminder_id in ids:
                deliver_reminder.apply_async((reminder_id,), retry=False)
        else:
            deliver_pending_reminders.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: try again on the next sweep
        log.warning("Broker unavailable; %s reminders wait for the next sweep.", len(ids))
        return False
    # Bookkeeping only: when a delivery was last asked for.
    Reminder.objects.filter(pk__in=ids).update(enqueued_at=now)
    return True
