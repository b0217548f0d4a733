import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.models.subject import AgeGroup
from config.state_machine import StatusMachine
from measures.models import ActionCard, Phenomenon, Sign
from partners.models import Contact, Municipality, Organisation

OBSERVATIONS_MAX_LENGTH = 5000


class IllegalTransition(Exception):
    """A status change the state machine does not allow."""


# What every list filters on besides its sort key (see Concern.Meta.indexes).
_LIST_FILTER_COLUMNS = ["status", "urgency", "acknowledged_at"]


class Concern(StatusMachine, models.Model):
    """A concern report (bekymringsmelding). A concern, never an accusation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_TRIAGE = "in_triage", _("In triage")
        ASSIGNED = "assigned", _("Assigned")
        IN_FOLLOW_UP = "in_follow_up", _("In follow-up")
        CLOSED = "closed", _("Closed")

    # The only moves there are. Reassigning keeps a case where it is; a
    # reopen (closed → in triage) also needs the coordinator and a reason.
    illegal_transition = IllegalTransition
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.IN_TRIAGE, Status.ASSIGNED, Status.CLOSED}),
        Status.IN_TRIAGE: frozenset({Status.ASSIGNED, Status.CLOSED}),
        Status.ASSIGNED: frozenset({Status.IN_FOLLOW_UP, Status.CLOSED}),
        Status.IN_FOLLOW_UP: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset({Status.IN_TRIAGE}),
    }
    OPEN_STATUSES = (Status.SUBMITTED, Status.IN_TRIAGE, Status.ASSIGNED, Status.IN_FOLLOW_UP)

    class Urgency(models.TextChoices):
        ACUTE = "acute", _("Acute: danger now")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")

    class PreventionLevel(models.TextChoices):
        UNIVERSAL = "universal", _("Universal")
        SELECTIVE = "selective", _("Selective")
        INDICATED = "indicated", _("Indicated")

    class GuardiansInformed(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Don't know")

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", _("No further action")
        ADVICE_GIVEN = "advice_given", _("Advice given")
        REFERRED_TO_PARTNER = "referred_to_partner", _("Referred to partner")
        HANDED_TO_POLICE = "handed_to_police", _("Handed to police")
        PASSED_TO_PST = "passed_to_pst", _("Passed to PST by police")
        MENTOR_FOLLOW_UP = "mentor_follow_up", _("Mentor follow-up")
        TRANSFERRED = "transferred", _("Transferred to another municipality")
        OTHER = "other", _("Other")

    # URLs carry this, never the sequential id, so counting cases is not possible.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference number"), max_length=20, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped by every service that changes the case: a page that shows an
    # older version cannot overwrite a newer change (concerns.concurrency).
    version = models.PositiveIntegerField(_("version"), default=0)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="concerns_reported",
        verbose_name=_("reporter"),
    )
    reporter_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="concerns_reported",
        verbose_name=_("reporter's organisation"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("municipality"),
    )
    subject = models.ForeignKey(
        "concerns.Subject",
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("person"),
    )

    # Blank only in a draft: a reporter may save half-written, and submitting
    # checks that everything is there (concerns.services.filing).
    observations = models.TextField(
        _("what you observed"), max_length=OBSERVATIONS_MAX_LENGTH, blank=True
    )
    observed_on = models.DateField(_("when it was observed"), null=True, blank=True)
    phenomenon = models.ForeignKey(
        Phenomenon,
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("phenomenon"),
        null=True,
        blank=True,
    )
    signs = models.ManyToManyField(
        Sign, blank=True, related_name="concerns", verbose_name=_("signs of concern")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    involves_conflict_travel = models.BooleanField(
        _("travel to or from an armed-conflict area"), default=False
    )
    prevention_level = models.CharField(
        _("prevention level"),
        max_length=10,
        choices=PreventionLevel.choices,
        default=PreventionLevel.SELECTIVE,
    )
    guardians_informed = models.CharField(
        _("guardians know of the concern"),
        max_length=10,
        choices=GuardiansInformed.choices,
        blank=True,
    )

    # Triage
    assignee = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_concerns",
        verbose_name=_("assigned to"),
    )
    consider_pst = models.BooleanField(_("consider PST"), default=False)
    action_card = models.ForeignKey(
        ActionCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("action card"),
    )
    follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    # Why the follow-up falls when it does (partners.calendars.Deadline.basis),
    # worked out once when it was set; empty when a handler picked the date.
    follow_up_basis = models.JSONField(_("basis of the follow-up date"), default=dict, blank=True)
    # Set while a handler has paused the case's deadlines (DeadlinePause):
    # reminders wait, and resuming moves each due date by the time paused.
    deadlines_paused_at = models.DateTimeField(_("deadlines paused"), null=True, blank=True)
    # An acute concern stays pinned at the top of every inbox until a handler
    # says they have seen it.
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # Steps of the action card the reporter has already taken when filing
    # ("I have called 112"), as ActionCardStep.FilingCode values.
    steps_done_at_filing = models.JSONField(_("done when filing"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)

    # Facts for statistics, fixed when they happen, so figures for a past
    # period do not move when a birth date is corrected or a case reassigned.
    age_group = models.CharField(
        _("age group when submitted"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    first_assigned_at = models.DateTimeField(_("first assigned"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # A case closed when its support (a mentorship or a measure) ended is
    # reviewed after the municipality's review periods, counted from this day.
    review_from = models.DateField(_("reviews counted from"), null=True, blank=True)

    # Retention (concerns.retention): a hold keeps a closed case past its
    # period; anonymised_at says the identity and free text are gone.
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=500, blank=True)
    legal_hold_at = models.DateTimeField(_("legal hold since"), null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legal hold by"),
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    # The person's name and the observations as PostgreSQL full text, in the
    # municipality's language, written on submit (concerns.search). Empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    # The search vector is derived data: history keeps the text it comes from.
    history = HistoricalRecords(m2m_fields=[signs], excluded_fields=["search_vector"])

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-submitted_at", "-created_at"]
        permissions = [
            ("handle_concern", _("Can handle the concern as a case handler")),
            ("view_referred_concern", _("Can see what a referral shares about the concern")),
            ("break_glass", _("Can read case content in the admin in an emergency (break-glass)")),
        ]
        # One per way into the lists, each serving its ORDER BY … LIMIT 50 from
        # the index (docs/performance.md). The INCLUDE columns are what the
        # lists filter on besides the key (status, acute, acknowledged), so a
        # page's keys, its total and its counts per status are read from the
        # index alone on PostgreSQL. SQLite ignores INCLUDE; its lists are small.
        indexes = [
            # "My concerns": the reporter's own, from the organisation she is in now
            # (permissions.reported_by), newest first, read and counted from the index.
            models.Index(
                fields=["reporter", "reporter_organisation", "-created_at", "-id"],
                name="concern_reporter_recent",
            ),
            models.Index(
                fields=["municipality", "-submitted_at", "-id"],
                include=_LIST_FILTER_COLUMNS,
                name="concern_inbox_recent",
            ),
            models.Index(
                fields=["reporter_organisation", "-submitted_at", "-id"],
                include=_LIST_FILTER_COLUMNS,
                name="concern_org_recent",
            ),
            # A status filter, in the list's order: a status and a district (the
            # person, by subject_id) read some 50 rows in order, not every case
            # of that status in the municipality.
            models.Index(
                fields=["municipality", "status", "-submitted_at", "-id"],
                include=["subject_id", "urgency", "acknowledged_at"],
                name="concern_status_recent",
            ),
            # Counts per status, and a status filter joined to the person
            # (district, age) by subject_id, from the index alone.
            models.Index(
                fields=["municipality", "status"],
                include=["urgency", "acknowledged_at", "subject_id"],
                name="concern_municipality_counts",
            ),
            models.Index(
                fields=["reporter_organisation", "status"],
                include=["urgency", "acknowledged_at", "subject_id"],
                name="concern_organisation_counts",
            ),
            # A handler's grants reach concerns by id: with these columns a
            # police contact's list is sorted and counted without the rows.
            models.Index(
                fields=["id"],
                include=[*_LIST_FILTER_COLUMNS, "submitted_at"],
                name="concern_by_grant",
            ),
            models.Index(fields=["assignee", "status"], name="concern_assignee_status"),
            models.Index(fields=["status", "follow_up_on"], name="concern_follow_up_due"),
            # Statistics read a municipality's year by submit and by close.
            models.Index(fields=["municipality", "closed_at"], name="concern_closed"),
            # The review sweep (concerns.reminders.reviews): cases closed after support ended.
            models.Index(
                fields=["review_from"],
                condition=models.Q(review_from__isnull=False),
                name="concern_review_from",
            ),
            # Acute and not yet acknowledged: the few cases pinned on top of inboxes.
            models.Index(
                fields=["municipality"],
                name="concern_pinned",
                condition=models.Q(urgency="acute", acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.reference or str(_("Draft concern"))

    @property
    def is_acute(self) -> bool:
        return self.urgency == self.Urgency.ACUTE

    @property
    def needs_acknowledgement(self) -> bool:
        return self.is_acute and self.is_open and self.acknowledged_at is None

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.follow_up_on is not None and self.follow_up_on < today

    def age_band(self) -> str:
        return self.subject.age_band(on=self.observed_on or self.submitted_at_date())

    def submitted_at_date(self) -> datetime.date | None:
        return timezone.localdate(self.submitted_at) if self.submitted_at else None


class ReferenceSequence(models.Model):
    """The last reference number handed out in a year. Locked row by row on submit."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"
