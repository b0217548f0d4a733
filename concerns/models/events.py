from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CaseEvent(models.Model):
    """One entry on a case's timeline: what happened, who did it, when, and why."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed")
        ROUTING_WITHDRAWN = "routing_withdrawn", _("Routing withdrawn after a rule changed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        NOTE = "note", _("Internal note")
        INFO_REQUESTED = "info_requested", _("More information requested")
        REPORTER_REPLIED = "reporter_replied", _("Reporter replied")
        SUBJECT_LINKED = "subject_linked", _("Person linked")
        ACCESS_GRANTED = "access_granted", _("Access granted")
        ACCESS_REVOKED = "access_revoked", _("Access revoked")
        REFERRAL = "referral", _("Referral")
        CHECKLIST_APPLIED = "checklist_applied", _("Action card applied")
        TASK_DONE = "task_done", _("Checklist task done")
        ACTIVITY = "activity", _("Activity recorded")
        ACKNOWLEDGED = "acknowledged", _("Acute concern acknowledged")
        REPORTER_INFORMED = "reporter_informed", _("Message to the reporter")
        MENTORSHIP = "mentorship", _("Mentorship")
        LEGAL_HOLD = "legal_hold", _("Legal hold placed")
        LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")
        DEADLINES_PAUSED = "deadlines_paused", _("Deadlines paused")
        DEADLINES_RESUMED = "deadlines_resumed", _("Deadlines resumed")
        RECEIPT_SENT = "receipt_sent", _("Receipt sent to the reporter")
        DECISION = "decision", _("Decision with reasons")
        TRANSFER = "transfer", _("Case transfer")
        REVIEWED = "reviewed", _("Review after support ended")
        JOURNALED = "journaled", _("Journal entry")
        # A case discussed in a meeting (measures.meetings): put on an agenda, and what was decided.
        MEETING_ITEM = "meeting_item", _("Put on a meeting's agenda")
        MEETING_DECISION = "meeting_decision", _("Meeting decision")

    # What the reporter may see on their own concern; everything else is internal.
    REPORTER_VISIBLE = (
        Kind.SUBMITTED,
        Kind.INFO_REQUESTED,
        Kind.REPORTER_REPLIED,
        Kind.REPORTER_INFORMED,
        Kind.RECEIPT_SENT,
    )

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("concern"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=5000)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # A question to the reporter: when her answer is due, by the municipality's
    # rule (DeadlineRule.Kind.REPORTER_REPLY); the basis is in `data`.
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["concern", "at"], name="case_event_timeline"),
            # Questions to reporters: the sweeper's window over them stays index-bound.
            models.Index(
                fields=["due_at"],
                condition=models.Q(kind="info_requested"),
                name="case_event_question_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
