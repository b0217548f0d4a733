from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from partners.models import Organisation


class AccessLogIsAppendOnly(Exception):
    pass


class AccessLog(models.Model):
    """Who opened which case, when, from where and why. Written once, never changed."""

    class Purpose(models.TextChoices):
        REPORTER = "reporter", _("Own concern")
        HANDLER = "handler", _("Assigned handler")
        STATED = "stated", _("Stated reason")
        RECEIVER = "receiver", _("Receiving agency of a referral")
        TRANSFER_RECEIVER = "transfer_receiver", _("Receiving coordinator of a case transfer")
        BREAK_GLASS = "break_glass", _("Break-glass access in the admin")
        OVERVIEW = "overview", _("Listed in a person's chronology")
        MENTOR = "mentor", _("Mentor, with the concern shared by the coordinator")
        NATIONAL_ID = "national_id", _("Revealed the national identity number")
        ACCESS_REQUEST = "access_request", _("Exported for the person's access request")
        MEETING = "meeting", _("Named case item of a meeting, within its window")

    concern = models.ForeignKey(
        "concerns.Concern",
        on_delete=models.PROTECT,
        related_name="access_logs",
        verbose_name=_("concern"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    view = models.CharField(_("page"), max_length=50)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    # A history table beside an append-only log would only ever hold inserts,
    # but the rule is every model, and it shows that nothing was edited.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["concern", "-at"], name="access_log_by_concern")]

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AccessLogIsAppendOnly("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("Access log entries cannot be deleted.")


class ConcernUserObjectPermission(UserObjectPermissionBase):
    """Guardian grants on one concern, with a real foreign key: no orphans, fast joins.

    A police contact's list is every case ever given to them: thousands over
    the years. So that it is read in order, and counted per status, from one
    index on the grants instead of visiting each case, the grant carries two
    copies of the case's own columns: the submission time (fixed once
    submitted, and grants come only after) and the status, which
    concerns.permissions writes wherever a case changes status. A test holds
    the copies to the case.
    """

    content_object = models.ForeignKey("concerns.Concern", on_delete=models.CASCADE)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    concern_status = models.CharField(_("status"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("concern grant to a user")
        verbose_name_plural = _("concern grants to users")
        indexes = [
            models.Index(
                fields=["user", "permission", "-submitted_at", "-content_object"],
                include=["concern_status"],
                name="concern_grant_recent",
            )
        ]


class ConcernGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("concerns.Concern", on_delete=models.CASCADE)

    history = HistoricalRecords()

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("concern grant to a group")
        verbose_name_plural = _("concern grants to groups")
