"""The exit programme: corps members, mentorships with life-mastery plans, sessions.

Trondheim's measure 3 (mentor follow-up where concern is high) and Aalborg's
three corps (mentors, parent coaches, dialogue ambassadors). A mentorship
hangs on a case; a mentor sees the person and the plan, not the concern text.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.state_machine import StatusMachine
from measures.models import Initiative, Measure
from partners.models import Contact, Municipality

NOTE_MAX_LENGTH = 2000
RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class IllegalMentorshipTransition(Exception):
    """A status change the mentorship's state machine does not allow."""


class Corps(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    PARENT_COACH = "parent_coach", _("Parent coach")
    DIALOGUE_AMBASSADOR = "dialogue_ambassador", _("Dialogue ambassador")


class Language(models.TextChoices):
    """Languages a corps member works in, by ISO 639-1 code."""

    NORWEGIAN = "nb", _("Norwegian")
    DANISH = "da", _("Danish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    SOMALI = "so", _("Somali")
    TIGRINYA = "ti", _("Tigrinya")
    PERSIAN = "fa", _("Persian / Dari")
    PASHTO = "ps", _("Pashto")
    URDU = "ur", _("Urdu")
    KURDISH = "ku", _("Kurdish")
    TURKISH = "tr", _("Turkish")
    BOSNIAN = "bs", _("Bosnian / Croatian / Serbian")
    POLISH = "pl", _("Polish")
    RUSSIAN = "ru", _("Russian")


class LifeDomain(models.TextChoices):
    """The areas of life a mentor works on with the mentee (Trondheim's measure 3)."""

    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy")
    WORK_OR_SCHOOL = "work_or_school", _("Job or school")
    LEISURE = "leisure", _("Leisure")
    HEALTH = "health", _("Health")
    SOCIAL_NETWORK = "social_network", _("Social network")
    ATTITUDES = "attitudes", _("Reflection on attitudes")


class CorpsMember(models.Model):
    """A mentor, parent coach or dialogue ambassador, and how many mentees they can take."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="corps_members",
        verbose_name=_("municipality"),
    )
    corps = models.CharField(_("corps"), max_length=30, choices=Corps.choices)
    name = models.CharField(_("name"), max_length=200)
    # The account they sign in with; the registry contact when they are one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corps_memberships",
        verbose_name=_("user account"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity (active mentees at most)"), default=3, validators=[MaxValueValidator(50)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("corps member")
        verbose_name_plural = _("corps members")
        ordering = ["municipality", "corps", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "corps", "user"], name="corps_member_once_per_corps"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_corps_display()})"

    def language_names(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]


class SupervisionSession(models.Model):
    """A mentor's supervision by a psychologist: notes for the two of them and the coordinator."""

    mentor = models.ForeignKey(
        CorpsMember,
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name=_("mentor"),
    )
    supervisor = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("supervisor")
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True, max_length=NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.mentor} {self.date}"


class Mentorship(StatusMachine, models.Model):
    """A mentor's work with the person a case is about, from proposal to its end."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    illegal_transition = IllegalMentorshipTransition
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PROPOSED: frozenset({Status.ACTIVE, Status.ENDED}),
        Status.ACTIVE: frozenset({Status.PAUSED, Status.ENDED}),
        Status.PAUSED: frozenset({Status.ACTIVE, Status.ENDED}),
        Status.ENDED: frozenset(),
    }
    # What takes up a place in the mentor's capacity.
    OPEN_STATUSES = (Status.PROPOSED, Status.ACTIVE, Status.PAUSED)

    class Outcome(models.TextChoices):
        GOALS_REACHED = "goals_reached", _("Goals reached")
        PARTLY_REACHED = "partly_reached", _("Goals partly reached")
        ENDED_BY_MENTEE = "ended_by_mentee", _("Ended by the mentee")
        MOVED = "moved", _("Moved away")
        REFERRED_ON = "referred_on", _("Referred on to other help")
        NOT_STARTED = "not_started", _("Never started")
        OTHER = "other", _("Other")

    class GuardianConsent(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_NEEDED = "not_needed", _("Not needed (18 or over)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("case"),
    )
    mentor = models.ForeignKey(
        CorpsMember,
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("mentor"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    mentee_consent = models.BooleanField(_("the mentee has consented"), default=False)
    guardian_consent = models.CharField(
        _("guardians have consented"), max_length=12, choices=GuardianConsent.choices, blank=True
    )
    # The mentor sees the person and the plan; the concern's text only when the coordinator says so.
    shares_concern = models.BooleanField(_("the mentor may read the concern"), default=False)
    next_meeting_on = models.DateField(_("next meeting"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mentor", "status"], name="mentorship_mentor_status")]
        constraints = [
            # One open mentorship per case at a time; a new one after the last has ended.
            models.UniqueConstraint(
                fields=["concern"],
                condition=~models.Q(status="ended"),
                name="mentorship_one_open_per_case",
            )
        ]

    def __str__(self):
        return f"{self.concern} · {self.mentor}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class LifeMasteryGoal(models.Model):
    """One domain of the plan: where the mentee stands at the start, and the goal."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="goals", verbose_name=_("mentorship")
    )
    domain = models.CharField(_("domain"), max_length=20, choices=LifeDomain.choices)
    baseline = models.PositiveSmallIntegerField(
        _("rating at the start (1–5)"), validators=RATING_VALIDATORS
    )
    goal = models.CharField(_("goal"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("life-mastery goal")
        verbose_name_plural = _("life-mastery goals")
        ordering = ["mentorship", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "domain"], name="goal_once_per_domain")
        ]

    def __str__(self):
        return f"{self.get_domain_display()}: {self.baseline}"


class LifeMasteryRating(models.Model):
    """A domain's rating at a review."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("mentorship")
    )
    domain = models.CharField(_("domain"), max_length=20, choices=LifeDomain.choices)
    rated_on = models.DateField(_("reviewed"))
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), validators=RATING_VALIDATORS)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("life-mastery rating")
        verbose_name_plural = _("life-mastery ratings")
        ordering = ["mentorship", "rated_on", "pk"]
        indexes = [models.Index(fields=["mentorship", "rated_on"], name="rating_by_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "domain", "rated_on"], name="rating_once_per_review"
            )
        ]

    def __str__(self):
        return f"{self.get_domain_display()} {self.rated_on}: {self.rating}"


class MentorSession(models.Model):
    """One meeting between mentor and mentee."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("mentorship")
    )
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    domains = models.JSONField(_("domains worked on"), default=list, blank=True)
    note = models.TextField(_("short note"), blank=True, max_length=NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentor session")
        verbose_name_plural = _("mentor sessions")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["mentorship", "-date"], name="session_by_date")]

    def __str__(self):
        return f"{self.mentorship} {self.date}"

    def domain_names(self) -> list[str]:
        return [str(LifeDomain(code).label) for code in self.domains if code in LifeDomain.values]


class GroupSession(models.Model):
    """Group work by parent coaches and dialogue ambassadors. Counts and a topic, no person."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    corps = models.CharField(_("corps"), max_length=30, choices=Corps.choices)
    date = models.DateField(_("date"))
    participants = models.PositiveIntegerField(
        _("number of participants"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    topic = models.CharField(_("topic"), max_length=200)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_sessions",
        verbose_name=_("measure"),
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_sessions",
        verbose_name=_("initiative"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_corps_display()} {self.date}: {self.topic}"
