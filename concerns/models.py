import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.national_id import validate_national_id
from measures.models import Phenomenon, Sign
from partners.models import District, Municipality, Organisation

OBSERVATIONS_MAX_LENGTH = 5000


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    ADULT = "18_plus", _("18 and over")


def age_band_for(
    *, birth_date: datetime.date | None, birth_year: int | None, on: datetime.date
) -> str:
    """The age band on a given day.

    With only a birth year, a person who turns 18 this year may still be 17;
    we then answer "under 18", because child-welfare duties must not be missed.
    """
    if birth_date is not None:
        had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
        age = on.year - birth_date.year - (0 if had_birthday else 1)
        return AgeBand.UNDER_18 if age < 18 else AgeBand.ADULT
    if birth_year is not None:
        return AgeBand.UNDER_18 if on.year - birth_year <= 18 else AgeBand.ADULT
    return AgeBand.UNDER_18


class Subject(models.Model):
    """The person a concern is about. Never a suspect: a person someone is worried about."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="subjects",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subjects",
        verbose_name=_("district"),
    )
    school_or_workplace = models.CharField(_("school or workplace"), max_length=200, blank=True)
    national_id = models.CharField(
        _("national identity number"), max_length=14, blank=True, validators=[validate_national_id]
    )
    # Reporters may pick a person they described before, and only those.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subjects_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name"]

    def __str__(self):
        year = self.birth_date.year if self.birth_date else self.birth_year
        return f"{self.name} ({year})" if year else self.name

    def age_band(self, on: datetime.date | None = None) -> str:
        return age_band_for(
            birth_date=self.birth_date, birth_year=self.birth_year, on=on or timezone.localdate()
        )


class Concern(models.Model):
    """A concern report (bekymringsmelding). A concern, never an accusation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

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

    # URLs carry this, never the sequential id, so counting cases is not possible.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference number"), max_length=20, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )

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
        Subject, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("person")
    )

    observations = models.TextField(_("what you observed"), max_length=OBSERVATIONS_MAX_LENGTH)
    observed_on = models.DateField(_("when it was observed"))
    phenomenon = models.ForeignKey(
        Phenomenon, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("phenomenon")
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

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[signs])

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["reporter", "-created_at"], name="concern_reporter_recent"),
            models.Index(fields=["municipality", "status"], name="concern_municipality_status"),
        ]

    def __str__(self):
        return self.reference or str(_("Draft concern"))

    @property
    def is_acute(self) -> bool:
        return self.urgency == self.Urgency.ACUTE

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def age_band(self) -> str:
        return self.subject.age_band(on=self.observed_on)


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
