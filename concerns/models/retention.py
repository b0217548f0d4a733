from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.models.concern import Concern
from partners.models import Municipality, NaturalKeyManager


class RetentionRule(models.Model):
    """How long a closed case keeps its identity and free text, per municipality and outcome.

    Registry data, kept by the municipality's registry admin. At most ten
    years: a specialised system keeps records that long at most (arkivlova).
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="retention_rules",
        verbose_name=_("municipality"),
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Concern.Outcome.choices)
    months = models.PositiveSmallIntegerField(
        _("months after closing"),
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    objects = NaturalKeyManager("municipality__code", "outcome")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["municipality", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "outcome"], name="retention_once_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.municipality}: {self.get_outcome_display()} ({self.months})"

    def natural_key(self):
        return (self.municipality.code, self.outcome)

    natural_key.dependencies = ["partners.municipality"]


class RetentionRun(models.Model):
    """One run of the retention task: when, and how many of each thing it removed. Counts only."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cases_anonymised = models.PositiveIntegerField(_("cases anonymised"), default=0)
    drafts_deleted = models.PositiveIntegerField(_("drafts deleted"), default=0)
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    history_rows_purged = models.PositiveIntegerField(_("history rows purged"), default=0)
    grants_deleted = models.PositiveIntegerField(_("access grants deleted"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
