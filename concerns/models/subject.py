import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.crypto import EncryptedTextField, keyed_digest, masked
from concerns.national_id import validate_national_id
from partners.models import District, Municipality


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    ADULT = "18_plus", _("18 and over")


class AgeGroup(models.TextChoices):
    """Age groups for statistics, fixed when the concern is submitted."""

    UP_TO_12 = "0_12", _("12 or younger")
    FROM_13_TO_15 = "13_15", _("13–15")
    FROM_16_TO_17 = "16_17", _("16–17")
    FROM_18_TO_24 = "18_24", _("18–24")
    FROM_25 = "25_plus", _("25 or older")
    UNKNOWN = "unknown", _("Age unknown")


def age_on(*, birth_date: datetime.date | None, birth_year: int | None, on: datetime.date):
    """Whole years on a given day, or None when nothing is known.

    With only a birth year the person may not have had this year's birthday
    yet; we count the younger age, because child-welfare duties must not be
    missed for someone who turns 18 this year but is still 17.
    """
    if birth_date is not None:
        had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
        return on.year - birth_date.year - (0 if had_birthday else 1)
    if birth_year is not None:
        return on.year - birth_year - 1
    return None


def age_band_for(
    *, birth_date: datetime.date | None, birth_year: int | None, on: datetime.date
) -> str:
    """The age band on a given day; "under 18" when the age is not known."""
    age = age_on(birth_date=birth_date, birth_year=birth_year, on=on)
    return AgeBand.ADULT if age is not None and age >= 18 else AgeBand.UNDER_18


def age_group_for(
    *, birth_date: datetime.date | None, birth_year: int | None, on: datetime.date
) -> str:
    age = age_on(birth_date=birth_date, birth_year=birth_year, on=on)
    if age is None or age < 0:
        return AgeGroup.UNKNOWN
    for limit, group in (
        (12, AgeGroup.UP_TO_12),
        (15, AgeGroup.FROM_13_TO_15),
        (17, AgeGroup.FROM_16_TO_17),
        (24, AgeGroup.FROM_18_TO_24),
    ):
        if age <= limit:
            return group
    return AgeGroup.FROM_25


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
    # Encrypted at rest (concerns.crypto); "same person?" matches the digest.
    national_id = EncryptedTextField(
        _("national identity number"), blank=True, validators=[validate_national_id]
    )
    national_id_digest = models.CharField(
        _("national identity number (keyed hash)"), max_length=64, blank=True, editable=False
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
            models.Index(
                fields=["municipality", "national_id_digest"],
                name="subject_national_id",
                condition=~models.Q(national_id_digest=""),
            ),
        ]

    def __str__(self):
        year = self.birth_date.year if self.birth_date else self.birth_year
        return f"{self.name} ({year})" if year else self.name

    def save(self, *args, **kwargs):
        # The digest is derived from the number, so it is written whenever the number is.
        self.national_id_digest = keyed_digest(self.national_id) if self.national_id else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "national_id" in update_fields:
            kwargs["update_fields"] = {*update_fields, "national_id_digest"}
        super().save(*args, **kwargs)

    @property
    def national_id_masked(self) -> str:
        return masked(self.national_id)

    def age_band(self, on: datetime.date | None = None) -> str:
        return age_band_for(
            birth_date=self.birth_date, birth_year=self.birth_year, on=on or timezone.localdate()
        )
