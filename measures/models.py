from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import NaturalKeyManager


class Translated(models.Model):
    """Reference data written in nb, da and en, read in the user's language.

    The seeds are in Norwegian and Danish; staff in either country, and
    English-speaking staff, must read the same taxonomy in their own language.
    """

    class Meta:
        abstract = True

    def translated(self, field: str) -> str:
        language = (get_language() or "nb")[:2]
        language = {"no": "nb", "nn": "nb"}.get(language, language)
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_nb")


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
    """One of Aalborg's four action cards: situation × age band.

    "Aalborg Kommunes særlige procedure for, hvordan der skal handles ved
    bekymring om radikalisering." The steps arrive with the registry issue.
    """

    class Situation(models.TextChoices):
        RADICALISATION = "radicalisation", _("Knowledge of, or concern about, radicalisation")
        CONFLICT_TRAVEL = "conflict_travel", _("Travel to or from a country with armed conflict")

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        ADULT = "18_plus", _("18 and over")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    situation = models.CharField(_("situation"), max_length=20, choices=Situation.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    title_nb = models.CharField(_("title (nb)"), max_length=200)
    title_da = models.CharField(_("title (da)"), max_length=200)
    title_en = models.CharField(_("title (en)"), max_length=200)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action card")
        verbose_name_plural = _("action cards")
        ordering = ["situation", "age_band"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation", "age_band"], name="action_card_one_per_situation_age"
            )
        ]

    def __str__(self):
        return self.translated("title")

    def natural_key(self):
        return (self.code,)
