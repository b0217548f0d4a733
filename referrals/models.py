import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.state_machine import StatusMachine
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


class Referral(StatusMachine, models.Model):
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
    illegal_transition = IllegalReferralTransition
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


class IllegalTransferTransition(Exception):
    pass


class TransferPart(models.TextChoices):
    """What a coordinator may choose to send with a case; the person and its facts always go."""

    CONCERN = "concern", _("The concern: what was observed, when, and the signs")
    OUTCOME = "outcome", _("Status and outcome so far, with who holds the case")
    TASKS = "tasks", _("Open tasks")
    TIMELINE = "timeline", _("The timeline, notes included")
    ATTACHMENTS = "attachments", _("The list of attachments (names only, not the files)")
    CHRONOLOGY = "chronology", _("The person's other concerns you handle")


# The minimum: enough for the receiving coordinator to take the case on.
DEFAULT_TRANSFER_PARTS = (TransferPart.CONCERN, TransferPart.OUTCOME, TransferPart.TASKS)


class Transfer(StatusMachine, models.Model):
    """A case handed to another municipality's coordinators on the same system.

    What was sent is frozen in `snapshot` (codes, not words, where it can be):
    the receiving side reads only that, never the sending case. Accepting it
    files a new case in the receiving municipality (`created_concern`) and
    closes the sending one as transferred.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        VIEWED = "viewed", _("Viewed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ENDED = "ended", _("Ended when the case was closed")

    # Accepting and declining come after a receiving coordinator has opened
    # the preview (it is where she answers, and opening it marks it viewed),
    # so nobody answers a transfer unseen. The sender may take back a pending
    # transfer; closing the case another way ends it. A declined transfer is
    # never sent again: the sender makes a new one, with a new choice of what goes.
    illegal_transition = IllegalTransferTransition
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SENT: frozenset({Status.VIEWED, Status.WITHDRAWN, Status.ENDED}),
        Status.VIEWED: frozenset(
            {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.ENDED}
        ),
        Status.ACCEPTED: frozenset(),
        Status.DECLINED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.ENDED: frozenset(),
    }
    # Waiting for the receiving municipality's answer: these may be sent again.
    PENDING_STATUSES = (Status.SENT, Status.VIEWED)
    # The receiving coordinators see the preview while it waits, and keep what
    # they accepted; a declined or withdrawn transfer is shut to them.
    RECEIVER_STATUSES = (Status.SENT, Status.VIEWED, Status.ACCEPTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("case transferred"),
    )
    sending_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="outgoing_transfers",
        verbose_name=_("from municipality"),
    )
    receiving_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
        verbose_name=_("to municipality"),
    )
    # The sending case's reference, as the receiving side may read it.
    reference = models.CharField(_("reference number"), max_length=20)
    parts = models.JSONField(_("what was sent"), default=list)
    snapshot = models.JSONField(_("what was sent, as sent"), default=dict)
    # The code of a LegalBasis of the sending municipality's country.
    legal_basis = models.CharField(_("legal basis for sharing"), max_length=40)
    legal_basis_other = models.CharField(_("other legal basis"), max_length=300, blank=True)
    note = models.TextField(_("note to the receiving coordinator"), max_length=5000)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    response_due = models.DateTimeField(_("answer due"))
    response_due_basis = models.JSONField(_("basis of the due time"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_sent_at = models.DateTimeField(_("last sent"))
    times_resent = models.PositiveSmallIntegerField(_("times sent again"), default=0)
    viewed_at = models.DateTimeField(_("first viewed"), null=True, blank=True)
    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first viewed by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # Why it was declined (required), or why the sender took it back.
    reason = models.TextField(_("reason"), blank=True, max_length=5000)
    created_concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("case created on acceptance"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["receiving_municipality", "status", "-last_sent_at"],
                name="transfer_incoming",
            ),
            models.Index(fields=["status", "response_due"], name="transfer_response_due"),
        ]
        constraints = [
            # One answer awaited at a time: two municipalities cannot both accept a case.
            models.UniqueConstraint(
                fields=["source_concern"],
                condition=models.Q(status__in=["sent", "viewed"]),
                name="transfer_one_pending_per_case",
            )
        ]

    def __str__(self):
        return f"{self.reference} → {self.receiving_municipality}"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES


class Handover(StatusMachine, models.Model):
    """A case handed to a body outside the system, as a PDF; its receipt is recorded by hand.

    What went is frozen in `snapshot`, as for a Transfer, so the PDF can be
    printed again exactly as it was handed over.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Handed over")
        RECEIPT_RECORDED = "receipt_recorded", _("Receipt recorded")

    illegal_transition = IllegalTransferTransition
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SENT: frozenset({Status.RECEIPT_RECORDED}),
        Status.RECEIPT_RECORDED: frozenset(),
    }

    class Channel(models.TextChoices):
        DIGITAL_MAIL = "digital_mail", _("Secure digital mail (e.g. SvarUt, Digital Post)")
        SECURE_EMAIL = "secure_email", _("Encrypted e-mail")
        POST = "post", _("Post")
        BY_HAND = "by_hand", _("By hand")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("case"),
    )
    # An organisation, never a person: e.g. another municipality's child welfare service.
    recipient = models.CharField(_("handed over to"), max_length=200)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    parts = models.JSONField(_("what was handed over"), default=list)
    snapshot = models.JSONField(_("what was handed over, as it was"), default=dict)
    hide_staff_names = models.BooleanField(_("staff names hidden"), default=True)
    legal_basis = models.CharField(_("legal basis for sharing"), max_length=40)
    legal_basis_other = models.CharField(_("other legal basis"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    created_at = models.DateTimeField(_("handed over"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The receipt, recorded by hand: who at the recipient confirmed it, and when.
    received_by = models.CharField(_("received by"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    receipt_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt recorded by"),
    )
    receipt_recorded_at = models.DateTimeField(_("receipt recorded"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover outside the system")
        verbose_name_plural = _("handovers outside the system")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.concern} → {self.recipient}"
