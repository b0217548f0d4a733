from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.validators import validate_nordic_phone


class NaturalKeyManager(models.Manager):
    """Reference data loads by natural key, so loading a fixture twice changes nothing."""

    natural_key_fields: tuple[str, ...] = ("code",)

    def __init__(self, *fields: str):
        super().__init__()
        if fields:
            self.natural_key_fields = fields

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.natural_key_fields, values, strict=True)))


class Municipality(models.Model):
    class Country(models.TextChoices):
        NORWAY = "NO", _("Norway")
        DENMARK = "DK", _("Denmark")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    # A follow-up this many days overdue is escalated to the coordinators as well.
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate overdue follow-up after (days)"), default=3
    )
    # The receipt a reporter is sent when the first assessment is done (Aalborg's
    # underretning card: within 6 weekdays). Kept per municipality, in each language.
    reporter_receipt_nb = models.TextField(_("receipt to the reporter (nb)"), blank=True)
    reporter_receipt_da = models.TextField(_("receipt to the reporter (da)"), blank=True)
    reporter_receipt_en = models.TextField(_("receipt to the reporter (en)"), blank=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def reporter_receipt(self, language: str) -> str:
        return getattr(self, f"reporter_receipt_{language}", "") or self.reporter_receipt_nb


class ClosureDay(models.Model):
    """A day the municipality's offices are closed besides the country's public holidays.

    Recurring days (24 and 31 December) have no year; a one-off local closure has one.
    Working-day deadlines skip them (partners.calendars).
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="closure_days",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=100)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty: every year.")
    )

    objects = NaturalKeyManager("municipality__code", "month", "day", "year")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["municipality__name", "month", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "month", "day", "year"], name="closure_day_once"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="closure_day_is_a_date",
            ),
        ]

    def __str__(self):
        when = f"{self.day}.{self.month}." + (str(self.year) if self.year else "")
        return f"{self.name} ({when})"

    def natural_key(self):
        return (self.municipality.code, self.month, self.day, self.year)

    natural_key.dependencies = ["partners.municipality"]

    def clean(self):
        import datetime

        try:
            datetime.date(self.year or 2024, self.month, self.day)  # 2024 has 29 February
        except (TypeError, ValueError):
            raise ValidationError(_("That day does not exist.")) from None


class DeadlineRule(models.Model):
    """How long a municipality gives for one kind of deadline, and in which unit.

    The due time is worked out once, when the deadline is set, and stored with
    its basis (partners.calendars.Deadline), so a rule changed later never moves
    a deadline already given.
    """

    class Kind(models.TextChoices):
        FOLLOW_UP_ACUTE = "follow_up_acute", _("First follow-up, acute concern")
        FOLLOW_UP_HIGH = "follow_up_high", _("First follow-up, high urgency")
        FOLLOW_UP_NORMAL = "follow_up_normal", _("First follow-up, normal urgency")
        REFERRAL_RESPONSE = "referral_response", _("Answer to a referral")
        REPORTER_REPLY = "reporter_reply", _("Reporter's answer to a question")
        REPORTER_RECEIPT = "reporter_receipt", _("Receipt to the reporter")
        TRANSFER_RESPONSE = "transfer_response", _("Answer to a case transfer")
        REVIEW_FIRST = "review_first", _("First review after support ended")
        REVIEW_SECOND = "review_second", _("Second review after support ended")

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        MONTHS = "months", _("months")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("deadline"), max_length=30, choices=Kind.choices)
    length = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)

    objects = NaturalKeyManager("municipality__code", "kind")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["municipality__name", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="deadline_rule_once"),
            models.CheckConstraint(condition=models.Q(length__gte=1), name="deadline_rule_length"),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.get_kind_display()}"

    def natural_key(self):
        return (self.municipality.code, self.kind)

    natural_key.dependencies = ["partners.municipality"]


class District(models.Model):
    """A bydel: Trondheim has four, each with its own police contact."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=100)

    objects = NaturalKeyManager("municipality__code", "name")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="district_unique_per_municipality"
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.municipality.code, self.name)

    natural_key.dependencies = ["partners.municipality"]


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal service")
        COUNTY = "county", _("County")
        STATE = "state", _("State agency")
        POLICE = "police", _("Police")
        PST = "pst", _("PST")
        HEALTH = "health", _("Health")
        SCHOOL = "school", _("School")
        VOLUNTARY = "voluntary", _("NGO / voluntary")
        FAITH = "faith", _("Faith community")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Regional bodies (a police district, RVTS) serve several municipalities.
    municipalities = models.ManyToManyField(
        Municipality, related_name="organisations", verbose_name=_("municipalities")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("slug")
    history = HistoricalRecords(m2m_fields=[municipalities])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def serves(self, municipality_id: int) -> bool:
        return self.municipalities.filter(pk=municipality_id).exists()

    @property
    def web_address(self) -> str:
        """The website, only if it is an ordinary web address: safe to put in a link.

        Forms refuse anything else, but fixtures and data scripts bypass forms.
        """
        return self.website if self.website.lower().startswith(("https://", "http://")) else ""


class Role(models.Model):
    """What a user does in the system. A user can hold several roles."""

    class Code(models.TextChoices):
        FRONTLINE = "frontline", _("Frontline staff")
        RESOURCE_PERSON = "resource_person", _("Radicalisation contact (resource person)")
        COORDINATOR = "coordinator", _("Coordinator")
        POLICE_CONTACT = "police_contact", _("Police contact")
        MENTOR = "mentor", _("Mentor")
        REGISTRY_ADMIN = "registry_admin", _("Registry admin")
        # Keeps what spans municipalities: municipalities themselves, regional
        # organisations, shared taxonomy, accounts and roles. Sees no case.
        PLATFORM_ADMIN = "platform_admin", _("Platform admin")

    code = models.CharField(_("code"), max_length=30, choices=Code.choices, unique=True)

    objects = NaturalKeyManager("code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self):
        return str(self.Code(self.code).label)

    def natural_key(self):
        return (self.code,)


class User(AbstractUser):
    # Null only for the break-glass superuser created from the command line;
    # every staff account belongs to an agency.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("roles"))

    objects = UserManager()
    # Old password hashes have no place in an audit trail.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[roles])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, code: str) -> bool:
        # Prefetch-friendly: reads roles.all() so a prefetched list is reused.
        return any(role.code == code for role in self.roles.all())


class Contact(models.Model):
    """A person, or a staffed line, in a role that concerns are routed to."""

    class Role(models.TextChoices):
        RESOURCE_PERSON = "resource_person", _("Radicalisation contact / resource person")
        COORDINATOR = "coordinator", _("Coordinator")
        PROJECT_COORDINATOR = "project_coordinator", _("Project coordinator")
        POLICE_RADICALISATION = "police_radicalisation", _("Police radicalisation contact")
        DISTRICT_POLICE = "district_police", _("District police contact")
        SSP_CONSULTANT = "ssp_consultant", _("INFO-huset SSP consultant")
        MENTOR = "mentor", _("Mentor")
        PST_LIAISON = "pst_liaison", _("PST liaison")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[validate_nordic_phone]
    )
    email = models.EmailField(_("email"), blank=True)
    districts = models.ManyToManyField(
        District, blank=True, related_name="contacts", verbose_name=_("districts covered")
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_roles",
        verbose_name=_("user account"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("organisation__slug", "role", "name")
    history = HistoricalRecords(m2m_fields=[districts])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation__name", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role", "name"], name="contact_unique_role_name"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()}, {self.organisation})"

    def clean(self):
        # Routing gives the linked account access to cases, so the account must
        # be one of the organisation's own staff: never someone elsewhere.
        if (
            self.user_id
            and self.organisation_id
            and self.user.organisation_id != self.organisation_id
        ):
            raise ValidationError(
                {"user": _("The account must belong to someone in this organisation.")}
            )

    def natural_key(self):
        return (self.organisation.slug, self.role, self.name)

    natural_key.dependencies = ["partners.organisation"]


class KontaktforumMembership(models.Model):
    """Membership of Trondheim's Kontaktforum (measure 2): resource persons and services."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="kontaktforum",
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="kontaktforum",
        verbose_name=_("organisation"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kontaktforum",
        verbose_name=_("representative"),
    )
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("municipality__code", "organisation__slug")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kontaktforum membership")
        verbose_name_plural = _("Kontaktforum memberships")
        ordering = ["municipality", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "organisation"], name="kontaktforum_once_per_org"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.municipality})"

    def natural_key(self):
        return (self.municipality.code, self.organisation.slug)

    natural_key.dependencies = ["partners.organisation"]


# Models of the partners.identity package live in this app.
from partners.identity.models import (  # noqa: E402, F401
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    ProviderSession,
    SecurityEvent,
)
