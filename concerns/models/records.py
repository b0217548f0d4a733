"""The case's records for the archive: its journal and its archive export.

Each submitted concern is a case folder (saksmappe) keyed by its reference
number. A journal entry is written, through the services, for every document
that comes in or goes out; the public journal is read from these rows with
every screened field blanked. See docs/archive.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Offentleglova § 13 with forvaltningsloven § 13 (1) nr. 1: personal circumstances.
DEFAULT_SCREENING_BASIS_NO = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
# Offentlighedsloven § 30 nr. 1: private circumstances of individuals.
DEFAULT_SCREENING_BASIS_DK = "Offentlighedsloven § 30, nr. 1"


class JournalEntry(models.Model):
    """One journal post (journalpost) in a case folder."""

    class Direction(models.TextChoices):
        # Noark 5's journalposttype codes.
        INCOMING = "I", _("Incoming document")
        OUTGOING = "U", _("Outgoing document")
        INTERNAL = "N", _("Internal note")

    class DocumentKind(models.TextChoices):
        CONCERN = "concern", _("Concern report")
        REFERRAL = "referral", _("Referral")
        REFERRAL_ANSWER = "referral_answer", _("Answer to a referral")
        CLOSING_DECISION = "closing_decision", _("Closing decision")
        DECISION = "decision", _("Decision with reasons")
        TRANSFER = "transfer", _("Case transfer")
        RECEIPT = "receipt", _("Receipt to the reporter")
        MEETING_MINUTES = "meeting_minutes", _("Minutes of a meeting that discussed the case")

    class Screened(models.TextChoices):
        """Fields the public journal blanks."""

        PERSON_NAME = "person_name", _("The person's name")
        CORRESPONDENT = "correspondent", _("Sender or recipient")
        TITLE = "title", _("Title")

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="journal_entries",
        verbose_name=_("concern"),
    )
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    # Per case folder: 1, 2, 3 ... (the document number after the case number).
    document_number = models.PositiveIntegerField(_("document number"))
    journal_date = models.DateField(_("journal date"))
    document_date = models.DateField(_("document date"))
    direction = models.CharField(_("type"), max_length=1, choices=Direction.choices)
    document_kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    # An organisation's name, never a person's: the staff member is in `created_by`.
    correspondent = models.CharField(_("sender or recipient"), max_length=200, blank=True)
    access_code = models.CharField(_("access code"), max_length=10, default="U")
    screening_basis = models.CharField(_("legal basis for screening"), max_length=200)
    screened_fields = models.JSONField(_("screened fields"), default=list, blank=True)
    # Denmark (offentlighedsloven § 15): a short thematic description, and an optional KLE code.
    theme = models.CharField(_("thematic description"), max_length=200, blank=True)
    kle_code = models.CharField(_("KLE code"), max_length=20, blank=True)
    # What the document is about in codes and references (a referral's id, an
    # outcome), so the title is written in the reader's language.
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["concern", "document_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "document_number"], name="journal_entry_number_once"
            )
        ]
        indexes = [
            # The public journal: a municipality's entries over a period, in order.
            models.Index(fields=["municipality", "journal_date", "id"], name="journal_by_date"),
        ]

    def __str__(self):
        return f"{self.concern.reference}/{self.document_number}"


class ArchiveExport(models.Model):
    """A closed case's archive package (Noark 5 arkivmelding) and its delivery.

    Retention and anonymisation leave a case alone until its export is delivered.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    concern = models.OneToOneField(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="archive_export",
        verbose_name=_("concern"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    sink = models.CharField(_("delivered through"), max_length=50, blank=True)
    location = models.CharField(_("where it was delivered"), max_length=500, blank=True)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("archive export")
        verbose_name_plural = _("archive exports")
        indexes = [models.Index(fields=["status"], name="archive_export_status")]

    def __str__(self):
        return f"{self.concern.reference}: {self.get_status_display()}"
