from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import NaturalKeyManager


def reader_language() -> str:
    """The reader's language as the suffix of a translated field: nb, da or en."""
    language = (get_language() or "nb")[:2]
    return {"no": "nb", "nn": "nb"}.get(language, language)


class Translated(models.Model):
    """Reference data written in nb, da and en, read in the user's language.

    The seeds are in Norwegian and Danish; staff in either country, and
    English-speaking staff, must read the same taxonomy in their own language.
    """

    class Meta:
        abstract = True

    def translated(self, field: str) -> str:
        return getattr(self, f"{field}_{reader_language()}", "") or getattr(self, f"{field}_nb")


class Phenomenon(Translated):
    """The kind of extremism a concern relates to (fenomen)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_nb = models.CharField(_("name (nb)"), max_length=100)
    name_da = models.CharField(_("name (da)"), max_length=100)
    name_en = models.CharField(_("name (en)"), max_length=100)
    guidance_nb = models.TextField(_("guidance (nb)"), blank=True)
    guidance_da = models.TextField(_("guidance (da)"), blank=True)
    guidance_en = models.TextField(_("guidance (en)"), blank=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phenomenon")
        verbose_name_plural = _("phenomena")
        ordering = ["order"]

    def __str__(self):
        return self.translated("name")

    @property
    def guidance(self) -> str:
        return self.translated("guidance")

    def natural_key(self):
        return (self.code,)


class SignCategory(Translated):
    """A heading of Aalborg's helper tool (Hjælperedskab): relations, behaviour, attitudes …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_nb = models.CharField(_("name (nb)"), max_length=200)
    name_da = models.CharField(_("name (da)"), max_length=200)
    name_en = models.CharField(_("name (en)"), max_length=200)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sign category")
        verbose_name_plural = _("sign categories")
        ordering = ["order"]

    def __str__(self):
        return self.translated("name")

    def natural_key(self):
        return (self.code,)


class Sign(Translated):
    """One sign of concern. It describes what can be observed, never what a person is."""

    category = models.ForeignKey(
        SignCategory, on_delete=models.PROTECT, related_name="signs", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_nb = models.CharField(_("text (nb)"), max_length=300)
    text_da = models.CharField(_("text (da)"), max_length=300)
    text_en = models.CharField(_("text (en)"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sign of concern")
        verbose_name_plural = _("signs of concern")
        ordering = ["category__order", "order"]

    def __str__(self):
        return self.translated("text")

    def natural_key(self):
        return (self.code,)


class ActionCard(Translated):
    """A municipality's procedure for one situation and age band, as ordered steps.

    Aalborg's four cards are "Aalborg Kommunes særlige procedure for, hvordan
    der skal handles ved bekymring om radikalisering". Each card belongs to
    one municipality: another municipality's procedure never reaches a case.
    """

    class Situation(models.TextChoices):
        RADICALISATION = "radicalisation", _("Knowledge of, or concern about, radicalisation")
        CONFLICT_TRAVEL = "conflict_travel", _("Travel to or from a country with armed conflict")
        RAISED_BY_PARENT = "raised_by_parent", _("Concern raised by a parent or guardian")

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        ADULT = "18_plus", _("18 and over")

    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="action_cards",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    situation = models.CharField(_("situation"), max_length=20, choices=Situation.choices)
    # Empty: the card holds for every age (Trondheim's cards do).
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    title_nb = models.CharField(_("title (nb)"), max_length=200)
    title_da = models.CharField(_("title (da)"), max_length=200)
    title_en = models.CharField(_("title (en)"), max_length=200)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action card")
        verbose_name_plural = _("action cards")
        # Radicalisation before travel, under 18 before 18+: the order of the seed.
        ordering = ["-situation", "-age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "situation", "age_band"],
                name="action_card_one_per_situation_age",
            )
        ]

    def __str__(self):
        return self.translated("title")

    def natural_key(self):
        return (self.code,)


class ActionCardStep(Translated):
    """One ordered step of an action card: who does what, within how long. Admins edit these."""

    class Responsible(models.TextChoices):
        EMPLOYEE = "employee", _("The employee who is worried")
        RESOURCE_PERSON = "resource_person", _("The organisation's radicalisation contact")
        PROJECT_COORDINATOR = "project_coordinator", _("Project coordinator or district police")
        LEADER = "leader", _("The employee's leader")
        SSP_CONSULTANT = "ssp_consultant", _("INFO-huset / SSP consultant")
        POLICE = "police", _("Police")
        CHILD_WELFARE = "child_welfare", _("Child welfare")
        JOBCENTER = "jobcenter", _("Jobcenter / social services")
        COORDINATOR = "coordinator", _("Coordinator")

    class DueUnit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        DAYS = "days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")

    class Notifies(models.TextChoices):
        """A step that suggests telling an authority: deciding not to needs a reason."""

        POLICE = "police", _("the police")
        CHILD_WELFARE = "child_welfare", _("child welfare")

    class FilingCode(models.TextChoices):
        """Steps a reporter may already have taken, ticked on the concern form."""

        CALLED_112 = "called_112", _("I have called 112")
        TOLD_LEADER = "told_leader", _("I have told my leader")

    card = models.ForeignKey(
        ActionCard, on_delete=models.CASCADE, related_name="steps", verbose_name=_("card")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices)
    text_nb = models.TextField(_("what to do (nb)"))
    text_da = models.TextField(_("what to do (da)"))
    text_en = models.TextField(_("what to do (en)"))
    # "At once" is a few minutes, never zero: a step is not overdue the
    # instant the card is applied.
    due_amount = models.PositiveIntegerField(_("within"))
    due_unit = models.CharField(
        _("unit"), max_length=20, choices=DueUnit.choices, default=DueUnit.HOURS
    )
    notifies = models.CharField(
        _("suggests notifying"), max_length=20, choices=Notifies.choices, blank=True
    )
    # Doing this step sends the reporter the municipality's receipt (its text is
    # data on Municipality); Aalborg's underretning card asks it within 6 weekdays.
    sends_reporter_receipt = models.BooleanField(_("sends the reporter's receipt"), default=False)
    filing_code = models.CharField(
        _("can be done already when filing"),
        max_length=20,
        choices=FilingCode.choices,
        blank=True,
        help_text=_("The concern form asks about this step; a ticked step starts done."),
    )

    objects = NaturalKeyManager("card__code", "order")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action card step")
        verbose_name_plural = _("action card steps")
        ordering = ["card", "order"]
        constraints = [
            models.UniqueConstraint(fields=["card", "order"], name="action_card_step_order")
        ]

    def __str__(self):
        return f"{self.card.code} {self.order}: {self.text[:60]}"

    @property
    def text(self) -> str:
        return self.translated("text")

    @property
    def deadline_unit(self) -> str:
        """The unit as partners.calendars counts it ("days" are calendar days)."""
        return "calendar_days" if self.due_unit == self.DueUnit.DAYS else self.due_unit

    def natural_key(self):
        return (self.card.code, self.order)

    natural_key.dependencies = ["measures.actioncard"]


class PlanText(models.Model):
    """Reference text copied verbatim from a municipality's plan, in the plan's own language."""

    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        abstract = True
        ordering = ["municipality", "number"]

    def natural_key(self):
        return (self.municipality.code, self.number)

    natural_key.dependencies = ["partners.municipality"]


class GoalArea(PlanText):
    """One of Trondheim's four goal areas ("1. Sikre samordning, koordinering og samarbeid")."""

    title = models.CharField(_("title"), max_length=300)

    objects = NaturalKeyManager("municipality__code", "number")
    history = HistoricalRecords()

    class Meta(PlanText.Meta):
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="goal_area_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Measure(PlanText):
    """One of Trondheim's 14 measures (Tiltak), verbatim from the action plan."""

    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.PROTECT, related_name="measures", verbose_name=_("goal area")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    responsible_text = models.TextField(
        _("responsible for carrying it out (as the plan says)"), blank=True
    )
    responsible = models.ManyToManyField(
        "partners.Organisation",
        related_name="measures",
        verbose_name=_("responsible organisations"),
    )

    objects = NaturalKeyManager("municipality__code", "number")
    history = HistoricalRecords(m2m_fields=[responsible])

    class Meta(PlanText.Meta):
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="measure_number")
        ]

    def __str__(self):
        return f"{_('Measure')} {self.number}: {self.title}"


class Goal(PlanText):
    """One of Aalborg's five goals (Mål)."""

    text = models.TextField(_("text"))

    objects = NaturalKeyManager("municipality__code", "number")
    history = HistoricalRecords()

    class Meta(PlanText.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="goal_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:80]}"


class Initiative(PlanText):
    """One of Aalborg's six initiatives (Indsatser)."""

    title = models.CharField(_("title"), max_length=300)
    details = models.TextField(_("details"), blank=True)

    objects = NaturalKeyManager("municipality__code", "number")
    history = HistoricalRecords()

    class Meta(PlanText.Meta):
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="initiative_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class FollowUpItem(PlanText):
    """How Aalborg follows up its plan (Opfølgning)."""

    text = models.TextField(_("text"))

    objects = NaturalKeyManager("municipality__code", "number")
    history = HistoricalRecords()

    class Meta(PlanText.Meta):
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="follow_up_item_number")
        ]

    def __str__(self):
        return self.text


class PreventionCorps(Translated):
    """Aalborg's prevention concept: the mentor, parent-coach and dialogue-ambassador corps."""

    class Orientation(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        INDIVIDUAL_AND_GROUP = "individual_and_group", _("Individual and group")
        GROUP = "group", _("Group")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    orientation = models.CharField(_("orientation"), max_length=30, choices=Orientation.choices)
    description_nb = models.TextField(_("description (nb)"), blank=True)
    description_da = models.TextField(_("description (da)"), blank=True)
    description_en = models.TextField(_("description (en)"), blank=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prevention corps")
        verbose_name_plural = _("prevention corps")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return self.translated("description")

    def natural_key(self):
        return (self.code,)


class RiskFactor(Translated):
    """A risk factor civil society helps prevent (Aalborg: Mobilisering af civilsamfundet)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_nb = models.CharField(_("text (nb)"), max_length=300)
    text_da = models.CharField(_("text (da)"), max_length=300)
    text_en = models.CharField(_("text (en)"), max_length=300)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["order"]

    def __str__(self):
        return self.translated("text")

    def natural_key(self):
        return (self.code,)


class Definition(models.Model):
    """A definition quoted in a seed, e.g. radicalisation and extremism, with its source."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    term = models.CharField(_("term"), max_length=100)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("definition")
        verbose_name_plural = _("definitions")
        ordering = ["pk"]

    def __str__(self):
        return self.term

    def natural_key(self):
        return (self.code,)


class MeasureActivity(models.Model):
    """Work the plan asks for outside any case: no personal data, only counts.

    Kontaktforum meetings, seminars and dialogue meetings, courses, parent guidance sessions.
    """

    class Kind(models.TextChoices):
        KONTAKTFORUM_MEETING = "kontaktforum_meeting", _("Kontaktforum meeting")
        SEMINAR = "seminar", _("Seminar or dialogue meeting")
        COURSE = "course", _("Course or training")
        PARENT_GUIDANCE = "parent_guidance", _("Parent guidance session")
        SLT_MEETING = "slt_meeting", _("SLT coordination meeting")
        SSP_MEETING = "ssp_meeting", _("SSP meeting")
        POLICE_COUNCIL = "police_council", _("Police council meeting")
        SAFETY_WALK = "safety_walk", _("Safety walk")
        OTHER = "other", _("Other")

    # Trondheim's work is under a measure, Aalborg's under an initiative: one of the two.
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("measure"),
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("initiative"),
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="activities", verbose_name=_("goals it serves")
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    organisations = models.ManyToManyField(
        "partners.Organisation", blank=True, related_name="+", verbose_name=_("organisations")
    )
    participants = models.PositiveIntegerField(_("number of participants"))
    created_by = models.ForeignKey(
        "partners.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # A held meeting counts once, by itself (measures.meetings.services.meeting_hold):
    # the one-to-one key makes a second count of the same meeting impossible.
    meeting = models.OneToOneField(
        "measures.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity",
        verbose_name=_("meeting"),
    )

    history = HistoricalRecords(m2m_fields=[organisations, goals])

    class Meta:
        verbose_name = _("activity under a measure")
        verbose_name_plural = _("activities under measures")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measure__isnull=False, initiative__isnull=True)
                | models.Q(measure__isnull=True, initiative__isnull=False),
                name="measure_activity_measure_or_initiative",
            )
        ]

    def __str__(self):
        plan_item = self.measure or self.initiative
        return f"{self.get_kind_display()} {self.date} ({plan_item.number})"


# The models of the measures.meetings package live in this app.
from measures.meetings.models import (  # noqa: E402, F401
    AgendaItem,
    Meeting,
    MeetingDecision,
    MeetingKind,
    MeetingMinutes,
    MeetingParticipant,
)
