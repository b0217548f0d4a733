from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.models.concern import Concern
from concerns.models.subject import AgeBand
from measures.models import ActionCard, Phenomenon
from partners.models import Contact, District, Municipality, NaturalKeyManager, Organisation


class RoutingRule(models.Model):
    """Where a submitted concern goes. Data, not code: registry admins edit these.

    Primary rules are tried in order and the first that matches *and* resolves
    to an active contact wins. "Also" rules add a second recipient whenever
    they match, e.g. the police radicalisation contact for acute concerns.
    """

    class Mode(models.TextChoices):
        PRIMARY = "primary", _("Primary: the first matching rule decides")
        ALSO = "also", _("Also: involve this contact as well")

    class Target(models.TextChoices):
        OWN_RESOURCE_PERSON = (
            "own_resource_person",
            _("The radicalisation contact of the reporter's own organisation"),
        )
        MUNICIPAL_ROLE = "municipal_role", _("A contact role in the municipality")
        DISTRICT_POLICE = "district_police", _("The police contact for the person's district")
        SPECIFIC_CONTACT = "specific_contact", _("A specific contact")

    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PRIMARY)
    is_active = models.BooleanField(_("active"), default=True)

    # Conditions: an empty condition matches anything.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("municipality"),
    )
    reporter_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("reporter's organisation"),
    )
    organisation_kind = models.CharField(
        _("kind of reporter's organisation"),
        max_length=20,
        choices=Organisation.Kind.choices,
        blank=True,
    )
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("district")
    )
    phenomenon = models.ForeignKey(
        Phenomenon, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("phenomenon")
    )
    involves_conflict_travel = models.BooleanField(
        _("travel to or from an armed-conflict area"), null=True, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Concern.Urgency.choices, blank=True
    )

    # Target
    target = models.CharField(_("target"), max_length=30, choices=Target.choices)
    target_role = models.CharField(
        _("contact role (for a municipal role)"),
        max_length=30,
        choices=Contact.Role.choices,
        blank=True,
    )
    target_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact (for a specific contact)"),
    )
    action_card = models.ForeignKey(
        ActionCard, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("action card")
    )
    consider_pst = models.BooleanField(_("flag “consider PST”"), default=False)

    objects = NaturalKeyManager("name")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["name"], name="routing_rule_unique_name")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def clean(self):
        """A rule's conditions and targets all lie in its own municipality."""
        errors = {}
        municipality = self.municipality_id
        if self.target == self.Target.SPECIFIC_CONTACT and self.target_contact_id is None:
            errors["target_contact"] = _("Pick the contact this rule routes to.")
        if self.target == self.Target.MUNICIPAL_ROLE and not self.target_role:
            errors["target_role"] = _("Pick the contact role this rule routes to.")
        if municipality is not None:
            if self.district_id and self.district.municipality_id != municipality:
                errors["district"] = _("The district is not in the rule's municipality.")
            if self.reporter_organisation_id and not self.reporter_organisation.serves(
                municipality
            ):
                errors["reporter_organisation"] = _(
                    "The organisation does not serve the rule's municipality."
                )
            if self.target_contact_id and not self.target_contact.organisation.serves(municipality):
                errors["target_contact"] = _(
                    "The contact's organisation does not serve the rule's municipality."
                )
            if self.action_card_id and self.action_card.municipality_id != municipality:
                errors["action_card"] = _("The action card belongs to another municipality.")
        if errors:
            raise ValidationError(errors)


class RoutingDecision(models.Model):
    """Why a concern went where it went, kept as it was decided."""

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="routing_decisions",
        verbose_name=_("concern"),
    )
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("rule"),
    )
    # Kept as text too: the rule may be renamed or deleted later.
    rule_name = models.CharField(_("rule name"), max_length=200, blank=True)
    is_primary = models.BooleanField(_("primary"), default=True)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_decisions",
        verbose_name=_("routed to"),
    )
    consider_pst = models.BooleanField(_("consider PST"), default=False)
    action_card = models.ForeignKey(
        ActionCard, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("action card")
    )
    inputs = models.JSONField(_("inputs looked at"), default=dict)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    # Set when the rule was changed or switched off and the case no longer
    # matches it: the access the route gave is taken back.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.concern} → {self.contact or '—'}"

    @property
    def is_fallback(self) -> bool:
        return self.rule_id is None and not self.rule_name
