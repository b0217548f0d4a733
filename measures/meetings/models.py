"""Meetings where the plans' work is done: Kontaktforum, SLT and SSP meetings, the police
council and safety walks. See docs/architecture.md ("Meetings") and ADR 0008.

A case is discussed anonymously unless a legal basis is recorded for naming it;
what each participant sees follows from that (measures.meetings.permissions).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.state_machine import StatusMachine
from measures.models import Translated
from partners.models import NaturalKeyManager


class MinutesLocked(Exception):
    """Approved minutes are a record: nothing in them changes afterwards."""


class MeetingKind(Translated):
    """A kind of meeting a municipality holds, and the plan item a held meeting counts under.

    Data per municipality (fixtures/13_meeting_kinds.json): Trondheim's
    Kontaktforum is its measure 2, Aalborg's safety walks its initiative 5.
    """

    class Category(models.TextChoices):
        KONTAKTFORUM = "kontaktforum", _("Kontaktforum")
        SLT = "slt", _("SLT coordination group")
        SSP = "ssp", _("SSP meeting")
        POLICE_COUNCIL = "police_council", _("Police council")
        SAFETY_WALK = "safety_walk", _("Safety walk")
        OTHER = "other", _("Other meeting")

    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="meeting_kinds",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(_("code"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_nb = models.CharField(_("name (nb)"), max_length=200)
    name_da = models.CharField(_("name (da)"), max_length=200)
    name_en = models.CharField(_("name (en)"), max_length=200)
    # Where a held meeting counts: a Trondheim measure or an Aalborg initiative, or neither.
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_kinds",
        verbose_name=_("counts under the measure"),
    )
    initiative = models.ForeignKey(
        "measures.Initiative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_kinds",
        verbose_name=_("counts under the initiative"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("municipality__code", "code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kind of meeting")
        verbose_name_plural = _("kinds of meeting")
        ordering = ["municipality", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="meeting_kind_code"),
            models.CheckConstraint(
                condition=models.Q(measure__isnull=True) | models.Q(initiative__isnull=True),
                name="meeting_kind_one_plan_item",
            ),
        ]

    def __str__(self):
        return self.translated("name")

    def natural_key(self):
        return (self.municipality.code, self.code)

    natural_key.dependencies = ["partners.municipality", "measures.measure", "measures.initiative"]

    def clean(self):
        plan_item = self.measure or self.initiative
        if plan_item is not None and plan_item.municipality_id != self.municipality_id:
            raise ValidationError(_("Pick a measure or initiative of the same municipality."))
        if self.measure_id and self.initiative_id:
            raise ValidationError(_("A meeting counts under a measure or an initiative, not both."))

    @property
    def name(self) -> str:
        return self.translated("name")

    @property
    def allows_case_items(self) -> bool:
        """A safety walk is about places: no case and no person is ever on its agenda."""
        return self.category != self.Category.SAFETY_WALK

    @property
    def is_safety_walk(self) -> bool:
        return self.category == self.Category.SAFETY_WALK

    @property
    def carries_statistics(self) -> bool:
        return self.category == self.Category.POLICE_COUNCIL


class Meeting(StatusMachine, models.Model):
    """One meeting: when and where, who chairs it, who is invited, its agenda and minutes."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        AGENDA_SENT = "agenda_sent", _("Agenda sent")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    # The agenda is written while planned and fixed when sent (participants read
    # what was sent); decisions and attendance come once it is sent; approving
    # the minutes closes the meeting for good.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PLANNED: frozenset({Status.AGENDA_SENT, Status.CANCELLED}),
        Status.AGENDA_SENT: frozenset({Status.HELD, Status.CANCELLED}),
        Status.HELD: frozenset({Status.APPROVED}),
        Status.APPROVED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("municipality"),
    )
    kind = models.ForeignKey(
        MeetingKind, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kind")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
        verbose_name=_("chair"),
    )
    # The police council's statistics: a year and a period of measures.statistics.
    statistics_year = models.PositiveSmallIntegerField(_("statistics year"), null=True, blank=True)
    statistics_period = models.CharField(_("statistics period"), max_length=10, blank=True)
    agenda_sent_at = models.DateTimeField(_("agenda sent"), null=True, blank=True)
    held_at = models.DateTimeField(_("recorded as held"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "-starts_at"], name="meeting_by_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.starts_at:%Y-%m-%d}"

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.CANCELLED)

    @property
    def illegal_transition(self) -> type[Exception]:
        # Imported here: concerns' models import this app's, which import these.
        from concerns.models import IllegalTransition

        return IllegalTransition

    @property
    def takes_decisions(self) -> bool:
        """Decisions and attendance are recorded during and after the meeting, until approval."""
        return self.status in (self.Status.AGENDA_SENT, self.Status.HELD)


class MeetingParticipant(models.Model):
    """A contact from the registry invited to a meeting; attendance is recorded afterwards."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting")
    )
    contact = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        related_name="meeting_participations",
        verbose_name=_("contact"),
    )
    # None until someone records who came.
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        ordering = ["contact__organisation__name", "contact__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "contact"], name="participant_once")
        ]

    def __str__(self):
        return f"{self.contact} @ {self.meeting}"


class AgendaItem(models.Model):
    """A topic, a case, or a safety walk's finding on a meeting's agenda.

    A case item is anonymous unless `named` is set with a legal basis; while
    anonymous, participants read only `text` (the presentation), which the
    services keep free of the person's name, identity number and reference.
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        CASE = "case", _("Case")
        FINDING = "finding", _("Finding")

    class Finding(models.TextChoices):
        """What a safety walk found (the seed: branddam, beplantning, belysning, trafik)."""

        LIGHTING = "lighting", _("Lighting")
        VEGETATION = "vegetation", _("Vegetation")
        FIRE_POND = "fire_pond", _("A fire pond")
        TRAFFIC_SAFETY = "traffic_safety", _("Traffic safety")
        OTHER = "other", _("Something else")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # A topic's description, a case's presentation, or what a safety walk found.
    text = models.TextField(_("text"), max_length=5000, blank=True)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_items",
        verbose_name=_("concern"),
    )
    named = models.BooleanField(_("discussed by name"), default=False)
    # A code of referrals.LegalBasis for the meeting's country.
    legal_basis = models.CharField(_("legal basis"), max_length=40, blank=True)
    legal_basis_other = models.CharField(_("the other basis"), max_length=500, blank=True)
    consent_person = models.BooleanField(_("the person has consented"), default=False)
    consent_guardians = models.BooleanField(_("the guardians have consented"), default=False)
    # A named case's summary is readable by the participants between these two
    # moments, set when the agenda is sent; the check is by time, so access
    # ends even if no task ever runs.
    access_from = models.DateTimeField(_("summary readable from"), null=True, blank=True)
    access_until = models.DateTimeField(_("summary readable until"), null=True, blank=True)
    # A safety walk's finding: where, what, and which department follows it up.
    place = models.CharField(_("place"), max_length=200, blank=True)
    finding = models.CharField(_("found"), max_length=20, choices=Finding.choices, blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_order"),
            models.CheckConstraint(
                condition=models.Q(kind="case", concern__isnull=False)
                | (~models.Q(kind="case") & models.Q(concern__isnull=True, named=False)),
                name="agenda_item_case_has_concern",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} #{self.order}"

    @property
    def is_case(self) -> bool:
        return self.kind == self.Kind.CASE

    @property
    def is_anonymous_case(self) -> bool:
        return self.is_case and not self.named

    @property
    def is_finding(self) -> bool:
        return self.kind == self.Kind.FINDING


class MeetingDecision(models.Model):
    """What a meeting decided on an item: advice, a suggested referral, or a task."""

    class Kind(models.TextChoices):
        ADVICE = "advice", _("Advice")
        REFERRAL = "referral", _("Suggested referral")
        TASK = "task", _("Task")

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("item")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=2000)
    # A suggested referral names the organisation it would go to.
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested organisation"),
    )
    assignee = models.ForeignKey(
        "partners.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_tasks",
        verbose_name=_("task for"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="task")
                | models.Q(assignee__isnull=False, due_on__isnull=False),
                name="meeting_task_has_assignee_and_due",
            )
        ]
        indexes = [
            # The sweeper's window over open tasks, by due date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(kind="task", done_at__isnull=True),
                name="meeting_task_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.item})"

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK


class MeetingMinutes(models.Model):
    """The minutes of a held meeting: drafted from the agenda, fixed when the chair approves them.

    Until approval the minutes are drafted afresh from the agenda and its
    decisions (measures.meetings.minutes); approval stores that draft in
    `content` and nothing may change afterwards, except what retention blanks
    when a case it mentions is anonymised (measures.meetings.retention).
    """

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    notes = models.TextField(_("general notes"), max_length=5000, blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    # The police council's statistics as shown at the meeting: protected figures only.
    statistics = models.JSONField(_("statistics as shown"), default=dict, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{_('Minutes')}: {self.meeting}"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and MeetingMinutes.objects.filter(pk=self.pk, approved_at__isnull=False).exists()
        ):
            raise MinutesLocked("Approved minutes cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.approved_at is not None:
            raise MinutesLocked("Approved minutes cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None
