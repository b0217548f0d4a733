import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.national_id import validate_national_id
from partners.models import District, Municipality


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
    # URLs carry this, never the sequential id (the person's chronology page).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Blank only while the draft that describes the person is half-written.
    name = models.CharField(_("name"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subjects",
        verbose_name=_("district"),
        db_index=False,  # subject_district below serves it
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
    # Set by a handler who finds that two reporters described the same person.
    same_person_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_subjects",
        verbose_name=_("same person as"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name"]
        indexes = [
            # The filing form offers a reporter the people they described lately.
            models.Index(fields=["created_by", "-created_at"], name="subject_reporter_recent"),
            # The inbox's district filter joins concerns to these keys alone.
            models.Index(fields=["district", "id"], name="subject_district"),
        ]

    def __str__(self):
        year = self.birth_date.year if self.birth_date else self.birth_year
        return f"{self.name} ({year})" if year else self.name

    def age_band(self, on: datetime.date | None = None) -> str:
        return age_band_for(
            birth_date=self.birth_date, birth_year=self.birth_year, on=on or timezone.localdate()
        )
