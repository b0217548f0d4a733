"""Follow-up work on a case: action-card checklists and activities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models import ActionCard, ActionCardStep, Measure, Translated
from partners.models import Organisation


class ChecklistTask(Translated):
    """One step of an action card, copied onto a case.

    The text (in all three languages), the responsible role and the due time
    are copied, so editing the card later never rewrites a checklist that was
    already made, and every reader sees the step in their own language.
    """

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="checklist",
        verbose_name=_("concern"),
    )
    card = models.ForeignKey(
        ActionCard, on_delete=models.PROTECT, related_name="+", verbose_name=_("action card")
    )
    step = models.ForeignKey(
        ActionCardStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step"),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text_nb = models.TextField(_("what to do (nb)"))
    text_da = models.TextField(_("what to do (da)"))
    text_en = models.TextField(_("what to do (en)"))
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=ActionCardStep.Responsible.choices
    )
    due_at = models.DateTimeField(_("due"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist task")
        verbose_name_plural = _("checklist tasks")
        ordering = ["concern", "card", "order"]
        indexes = [models.Index(fields=["done_at", "due_at"], name="checklist_task_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "card", "order"], name="checklist_task_once_per_step"
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    @property
    def text(self) -> str:
        return self.translated("text")

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, now) -> bool:
        return not self.is_done and self.due_at < now


class CaseActivity(models.Model):
    """Work done on a case, counted toward the plan's measures."""

    class Kind(models.TextChoices):
        CONCERN_CONVERSATION = "concern_conversation", _("Concern conversation (bekymringssamtale)")
        MEETING = "meeting", _("Meeting")
        PHONE_CALL = "phone_call", _("Phone call")
        HOME_VISIT = "home_visit", _("Home visit")
        CASE_CONFERENCE = "case_conference", _("Case conference")
        OTHER = "other", _("Other")

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("concern"),
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("participants' organisations")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    measures = models.ManyToManyField(
        Measure,
        blank=True,
        related_name="case_activities",
        verbose_name=_("measures it implements"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[organisations, measures])

    class Meta:
        verbose_name = _("case activity")
        verbose_name_plural = _("case activities")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"
