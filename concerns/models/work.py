"""Follow-up work on a case: action-card checklists and activities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models import ActionCard, ActionCardStep, Goal, Initiative, Measure, Translated
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
    # Why the step falls due when it does (partners.calendars.Deadline.basis).
    due_basis = models.JSONField(_("basis of the due time"), default=dict, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Doing it sends the reporter the municipality's receipt (copied from the step).
    sends_reporter_receipt = models.BooleanField(_("sends the reporter's receipt"), default=False)
    # Settled without doing it: the handler decided the step was not needed
    # (not notifying the police, say); the note then holds the required reason.
    declined = models.BooleanField(_("decided not to"), default=False)
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
    # Aalborg counts its work per initiative and goal, as Trondheim per measure.
    initiatives = models.ManyToManyField(
        Initiative,
        blank=True,
        related_name="case_activities",
        verbose_name=_("initiatives it belongs to"),
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="case_activities", verbose_name=_("goals it serves")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[organisations, measures, initiatives, goals])

    class Meta:
        verbose_name = _("case activity")
        verbose_name_plural = _("case activities")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class CaseEvaluation(models.Model):
    """The handler's short evaluation of a course of work (forløb), given when the case closes.

    Fixed choices only: the figures for the police council are counted from
    these, and a free text could name someone.
    """

    class Timely(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Change(models.TextChoices):
        IMPROVED = "improved", _("Improved")
        UNCHANGED = "unchanged", _("Unchanged")
        WORSE = "worse", _("Worse")
        UNKNOWN = "unknown", _("Don't know")

    class Partner(models.TextChoices):
        SCHOOL = "school", _("School or kindergarten")
        CHILD_WELFARE = "child_welfare", _("Child welfare")
        NAV_JOBCENTRE = "nav_jobcentre", _("NAV or jobcentre")
        HEALTH = "health", _("Health service")
        POLICE = "police", _("Police")
        MENTOR = "mentor", _("Mentor or exit programme")
        FAMILY = "family", _("Family or network")
        VOLUNTARY = "voluntary", _("Voluntary or faith organisation")
        OTHER = "other", _("Other")

    # A reopened and closed-again case is evaluated again: the latest answer counts.
    concern = models.OneToOneField(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="evaluation",
        verbose_name=_("concern"),
    )
    help_timely = models.CharField(
        _("Did the help come in time?"), max_length=10, choices=Timely.choices
    )
    situation_change = models.CharField(
        _("Has the situation improved?"), max_length=10, choices=Change.choices
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    evaluated_at = models.DateTimeField(_("evaluated"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case evaluation")
        verbose_name_plural = _("case evaluations")

    def __str__(self):
        return f"{self.concern} ({self.evaluated_at:%Y-%m-%d})"


class CaseEvaluationPartner(models.Model):
    """One kind of partner that took part in the course of work."""

    evaluation = models.ForeignKey(
        CaseEvaluation,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("evaluation"),
    )
    partner = models.CharField(_("partner"), max_length=20, choices=CaseEvaluation.Partner.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner in a course of work")
        verbose_name_plural = _("partners in courses of work")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "partner"], name="case_evaluation_partner_once"
            )
        ]

    def __str__(self):
        return self.get_partner_display()
