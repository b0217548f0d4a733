"""A handler's pause of a case's deadlines, waiting on someone outside the case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DeadlinePause(models.Model):
    """While open (no `ended_at`), no reminder about the case's deadlines is sent.

    Resuming moves each open deadline by the time paused, counted in the
    deadline's own unit: working days for a working-day deadline, so a pause
    over a weekend costs nothing (partners.calendars).
    """

    class Reason(models.TextChoices):
        CONSENT = "consent", _("Waiting for consent")
        POLICE = "police", _("Waiting for the police")
        CHILD_WELFARE = "child_welfare", _("Waiting for child welfare")
        OTHER = "other", _("Other")

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="deadline_pauses",
        verbose_name=_("concern"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("paused"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paused by"),
    )
    ended_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resumed by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline pause")
        verbose_name_plural = _("deadline pauses")
        ordering = ["concern", "started_at"]
        constraints = [
            # One open pause per case at a time.
            models.UniqueConstraint(
                fields=["concern"],
                condition=models.Q(ended_at__isnull=True),
                name="deadline_pause_one_open",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.started_at:%Y-%m-%d})"
