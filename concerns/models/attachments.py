import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.uploads import KINDS


class Attachment(models.Model):
    """A file added to a concern when filing, or to a note or an activity on the case.

    The file lies in the attachments storage under a generated name
    (`stored_name`); its own name is kept only to be shown and offered on
    download. It is read only through a view that applies the case's rule.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("concern"),
    )
    # Set when the file came with a note or an activity rather than the filing.
    event = models.ForeignKey(
        "concerns.CaseEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("note"),
    )
    activity = models.ForeignKey(
        "concerns.CaseActivity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("activity"),
    )
    name = models.CharField(_("file name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=10, choices=[(code, code.upper()) for code in KINDS]
    )
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(_("stored as"), max_length=100, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["concern", "uploaded_at"], name="attachment_by_concern")]

    def __str__(self):
        return self.name
