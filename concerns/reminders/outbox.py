"""What a request caused someone to be told, written in the request's own transaction.

Submit, assign, ask and refer write an OutboxMessage and never talk to the
broker: with Redis down, filing still works, and the sweeper turns the
messages into reminders when it can. An acute alert does not wait for the
sweep: right after its transaction commits it rings the bells itself.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from concerns.models import ALWAYS_ON_KINDS, Concern, OutboxMessage, Reminder
from concerns.reminders.engine import BATCH_SIZE, Due, case_link, create_reminders
from partners.models import User
from partners.services import system_user

log = logging.getLogger(__name__)


def outbox_add(
    *,
    kind: str,
    concern: Concern,
    recipients: Iterable[User],
    actor: User | None,
    link: str = "",
) -> OutboxMessage | None:
    """Record, in the caller's transaction, that people must be told; the sweeper sends it."""
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


def _due(message: OutboxMessage) -> Due:
    return Due(
        kind=message.kind,
        object_id=message.pk,
        occurrence="outbox",
        due_at=message.created_at,
        recipients=list(message.recipients.all()),
        concern_id=message.concern_id,
        reference=message.concern.reference or "",
        link=message.link or case_link(message.concern),
    )


def _locked_unprocessed():
    return OutboxMessage.objects.filter(processed_at__isnull=True).select_for_update(
        skip_locked=True, of=("self",)
    )


def process_outbox(limit: int = BATCH_SIZE, actor: User | None = None) -> int:
    """Turn pending outbox messages into reminders, a batch at a time."""
    actor = actor or system_user()
    with transaction.atomic():
        messages = list(
            _locked_unprocessed()
            .select_related("concern")
            .prefetch_related("recipients")
            .order_by("created_at", "pk")[:limit]
        )
        if not messages:
            return 0
        made = create_reminders([_due(message) for message in messages], actor=actor)
        now = timezone.now()
        for message in messages:
            message.processed_at = now
        bulk_update_with_history(messages, OutboxMessage, ["processed_at"], default_user=actor)
    return made


def alert_now(message_id: int) -> None:
    """Ring the bells for one outbox message at once, and queue its e-mails.

    The bells are database rows, so they ring even with the broker down; the
    e-mails then wait for the next sweep. Nothing here may fail the request
    that caused it.
    """
    from concerns.reminders.delivery import enqueue_delivery, ring_bells

    try:
        with transaction.atomic():
            message = _locked_unprocessed().select_related("concern").filter(pk=message_id).first()
            if message is None:
                return  # the sweeper got there first
            create_reminders([_due(message)])
            message.processed_at = timezone.now()
            message._history_user = system_user()
            message.save(update_fields=["processed_at"])
        reminder = Reminder.objects.get(
            kind=message.kind, object_id=message.pk, occurrence="outbox"
        )
        ring_bells([reminder.pk])
        enqueue_delivery(only=[reminder.pk])
    except Exception:  # noqa: BLE001 - the sweeper retries whatever failed here
        log.exception("Acute alert %s waits for the next sweep.", message_id)
