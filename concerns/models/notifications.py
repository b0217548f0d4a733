"""Reminders and notifications. Deadlines themselves live on their own rows (follow-up
date, checklist task, referral); these tables record what was sent, so nothing is sent twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NotificationKind(models.TextChoices):
    ACUTE_CONCERN = "acute_concern", _("ACUTE: a concern needs you now")
    CONCERN_ROUTED = "concern_routed", _("A concern is routed to you")
    CONCERN_ASSIGNED = "concern_assigned", _("A concern is assigned to you")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up is due")
    FOLLOW_UP_ESCALATED = (
        "follow_up_escalated",
        _("Follow-up is overdue (escalated to the coordinator)"),
    )
    TASK_DUE = "task_due", _("A checklist task is due")
    REFERRAL_RESPONSE_DUE = "referral_response_due", _("A referral awaits an answer")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    INFO_REQUESTED = "info_requested", _("A handler asks about a concern you filed")
    REPLY_DUE = "reply_due", _("A question about your concern is waiting for your answer")
    REPORTER_REPLIED = "reporter_replied", _("The reporter answered your question")
    CONCERN_CLOSED = "concern_closed", _("A concern you filed is closed")
    REFERRAL_RECEIVED = "referral_received", _("A referral has arrived for your organisation")
    REFERRAL_ACCEPTED = "referral_accepted", _("Your referral was accepted")
    REFERRAL_DECLINED = "referral_declined", _("Your referral was declined")
    REFERRAL_COMPLETED = "referral_completed", _("Your referral was completed")
    DRAFT_WAITING = "draft_waiting", _("A draft concern of yours is waiting")
    DRAFT_EXPIRING = "draft_expiring", _("A draft concern of yours will be deleted in a week")
    MENTOR_MEETING_DUE = "mentor_meeting_due", _("A meeting with a mentee is due")
    REPORTER_RECEIPT = "reporter_receipt", _("Receipt for a concern you filed")
    TRANSFER_RECEIVED = "transfer_received", _("A case is being transferred to your municipality")
    TRANSFER_ANSWERED = "transfer_answered", _("Your case transfer was answered")
    REVIEW_DUE = "review_due", _("A closed case is due for review")
    ARCHIVE_FAILED = "archive_failed", _("A case could not be delivered to the archive")
    MEETING_INVITATION = "meeting_invitation", _("You are invited to a meeting")
    MEETING_TASK_ASSIGNED = "meeting_task_assigned", _("A meeting gave you a task")
    MEETING_TASK_DUE = "meeting_task_due", _("A task from a meeting is due")


# Nobody can turn these off, on the bell or by e-mail.
ALWAYS_ON_KINDS = frozenset({NotificationKind.ACUTE_CONCERN})


class OutboxMessage(models.Model):
    """A notification a request caused, written in the request's own transaction.

    The sweeper turns it into a reminder after commit, so a broker outage can
    neither fail nor slow down filing or assigning.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.CASCADE, related_name="+", verbose_name=_("concern")
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients")
    )
    # Where the notification leads; empty means the case page. A receiving
    # agency is sent to the referral, which is all it may open.
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[recipients])

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["processed_at", "created_at"], name="outbox_pending")]

    def __str__(self):
        return f"{self.kind} {self.concern_id}"


class Reminder(models.Model):
    """One per (item, deadline occurrence). The unique key makes a second sweep a no-op."""

    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    # The deadline it is about, e.g. the due date; a moved deadline is a new occurrence.
    occurrence = models.CharField(_("occurrence"), max_length=40)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concern"),
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients")
    )
    due_at = models.DateTimeField(_("due"))
    # Only a reference number, what is due and a link: never a name or an
    # identity number, because email is not a safe channel for them.
    reference = models.CharField(_("reference number"), max_length=20, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("queued for delivery"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # Recipients are fixed when the reminder is made and never change; what
    # each of them got is in Notification, whose history is kept.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "occurrence"], name="reminder_once_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "enqueued_at"], name="reminder_undelivered")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"


class Notification(models.Model):
    """What a user sees under the bell. In-app is always on; email follows the user's choice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("reminder")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    # False when the user turned the bell off for this kind but wants the e-mail.
    shown = models.BooleanField(_("shown under the bell"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "user"], name="notification_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.user}: {self.reminder}"


class NotificationPreference(models.Model):
    """A user's choice for one kind of notification. No row means bell and e-mail on.

    Acute alerts (ALWAYS_ON_KINDS) ignore it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    email = models.BooleanField(_("email"), default=True)
    in_app = models.BooleanField(_("in the app"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self):
        return f"{self.user} {self.kind}: {self.email}"


class SweepMark(models.Model):
    """How far the sweeper has looked for one kind of deadline.

    A quiet sweep then looks only at what became due since, whatever the
    history. The row with kind SWEEP_LOCK is locked while a sweep runs, so
    two sweeps never work at once.

    History records a mark's creation only: the watermark moves every minute,
    it is operational state rather than a business record, and a row per
    minute per kind would bury the audit trail in noise.
    """

    SWEEP_LOCK = "__sweep__"

    kind = models.CharField(_("kind"), max_length=40, unique=True)
    swept_until = models.DateTimeField(_("swept until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sweep mark")
        verbose_name_plural = _("sweep marks")

    def __str__(self):
        return f"{self.kind}: {self.swept_until}"
