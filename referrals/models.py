import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models import Initiative, Measure, PreventionCorps, Translated
from partners.models import Contact, Municipality, NaturalKeyManager, Organisation


class IllegalReferralTransition(Exception):
    pass


class LegalBasis(Translated):
    """A legal basis for sharing a person's information with another agency, per country.

    Reference data kept by platform admins (fixtures/10_legal_bases.json): the
    law changes, and Norway and Denmark differ. A referral stores the code.
    """

    OTHER = "other"

    country = models.CharField(_("country"), max_length=2, choices=Municipality.Country.choices)
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_nb = models.CharField(_("name (nb)"), max_length=200)
    name_da = models.CharField(_("name (da)"), max_length=200)
    name_en = models.CharField(_("name (en)"), max_length=200)
    law_reference = models.CharField(_("law reference"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NaturalKeyManager("country", "code")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal basis for sharing")
        verbose_name_plural = _("legal bases for sharing")
        ordering = ["country", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="legal_basis_once_per_country")
        ]

    def __str__(self):
        name = self.translated("name")
        return f"{name} ({self.law_reference})" if self.law_reference else name

    def natural_key(self):
        return (self.country, self.code)

    @classmethod
    def for_country(cls, country: str):
        return cls.objects.filter(country=country, is_active=True)


class Referral(models.Model):
    """A concern referred to a partner agency, which then sees what the referral shares."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ENDED = "ended", _("Ended when the case was closed")

    # Closing the case ends every referral still open on it: an agency never
    # keeps reading a closed case (ENDED).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SENT, Status.WITHDRAWN, Status.ENDED}),
        Status.SENT: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.ENDED}),
        Status.ACCEPTED: frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.ENDED}),
        Status.DECLINED: frozenset(),
        Status.COMPLETED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.ENDED: frozenset(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.SENT, Status.ACCEPTED)
    # While a referral is live, the receiving organisation may see the case.
    LIVE_STATUSES = (Status.SENT, Status.ACCEPTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("concern"),
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="incoming_referrals",
        verbose_name=_("to organisation"),
    )
    receiving_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_referrals",
        verbose_name=_("to contact"),
    )
    reason = models.TextField(_("reason for the referral"), max_length=5000)
    shared_information = models.TextField(
        _("what is shared with the receiving organisation"),
        max_length=5000,
        help_text=_(
            "The receiving organisation sees only this text and the person's name and birth year."
        ),
    )
    # The code of a LegalBasis of the concern's country.
    legal_basis = models.CharField(_("legal basis for sharing"), max_length=40)
    legal_basis_other = models.CharField(_("other legal basis"), max_length=300, blank=True)
    requested_measures = models.ManyToManyField(
        Measure,
        blank=True,
        related_name="referrals",
        verbose_name=_("requested measures (Trondheim)"),
    )
    requested_initiatives = models.ManyToManyField(
        Initiative,
        blank=True,
        related_name="referrals",
        verbose_name=_("requested initiatives (Aalborg)"),
    )
    requested_corps = models.ManyToManyField(
        PreventionCorps,
        blank=True,
        related_name="referrals",
        verbose_name=_("requested corps (Aalborg)"),
    )
    # The receiving organisation sees these files of the case, and no others.
    shared_attachments = models.ManyToManyField(
        "concerns.Attachment",
        blank=True,
        related_name="referrals",
        verbose_name=_("attachments shared"),
    )
    response_due = models.DateField(_("response due"))
    # Why the answer is due then (partners.calendars.Deadline.basis); empty when
    # the sender picked the date herself.
    response_due_basis = models.JSONField(_("basis of the due date"), default=dict, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    response_reason = models.TextField(
        _("reason for accepting or declining"), blank=True, max_length=5000
    )
    outcome = models.TextField(_("outcome"), blank=True, max_length=5000)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    history = HistoricalRecords(
        m2m_fields=[
            requested_measures,
            requested_initiatives,
            requested_corps,
            shared_attachments,
        ]
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["receiving_organisation", "status"], name="referral_incoming"),
            models.Index(fields=["status", "response_due"], name="referral_response_due"),
        ]

    def __str__(self):
        return f"{self.concern} → {self.receiving_organisation}"

    @property
    def legal_basis_label(self) -> str:
        basis = LegalBasis.objects.filter(
            country=self.concern.municipality.country, code=self.legal_basis
        ).first()
        return str(basis) if basis else self.legal_basis

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def can_be_withdrawn(self) -> bool:
        return self.Status.WITHDRAWN in self.TRANSITIONS[self.status]

    def transition_to(self, status: str) -> str:
        if status not in self.TRANSITIONS[self.status]:
            raise IllegalReferralTransition(f"{self.status} → {status}")
        previous, self.status = self.status, status
        return previous


class ReferralNote(models.Model):
    """A progress note by the receiving organisation, or the referrer."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="notes", verbose_name=_("referral")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=5000)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral} {self.at:%Y-%m-%d}"
