"""Celery tasks: thin wrappers that call the reminder services."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from concerns import reminders, retention
from concerns.records import archive


@shared_task(
    name="reminders.sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
)
def sweep_reminders() -> int:
    return reminders.sweep()


@shared_task(
    name="reminders.deliver",
    ignore_result=True,
    # Acknowledge only after delivery, and put the message back if the worker
    # dies mid-way: the notification rows make a second run send nothing twice.
    acks_late=True,
    reject_on_worker_lost=True,
    # OperationalError: "database is locked" on the embedded SQLite, or a
    # dropped PostgreSQL connection; both pass, so try again later.
    autoretry_for=(SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=12,
)
def deliver_reminder(reminder_id: int) -> bool:
    return reminders.deliver(reminder_id)


@shared_task(name="reminders.weekly_digest", ignore_result=True)
def weekly_digest() -> int:
    return reminders.create_weekly_digests()


@shared_task(
    name="reminders.deliver_pending",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=12,
)
def deliver_pending_reminders() -> int:
    """Every reminder not sent yet, in batches: one task clears a backlog."""
    return reminders.deliver_pending()


@shared_task(name="retention.run", ignore_result=True)
def run_retention() -> int:
    """The daily retention run (concerns.retention); in production on its own database role."""
    return retention.run_retention().cases_anonymised


@shared_task(
    name="records.archive_sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
)
def archive_sweep() -> int:
    """Deliver closed cases' pending archive packages (concerns.records.archive)."""
    return archive.archive_sweep()
