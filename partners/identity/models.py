from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SecurityEventIsAppendOnly(Exception):
    pass


class SecurityEvent(models.Model):
    """What happened to an account's sign-in: the second factor, lockouts, expired sessions.

    Successful and failed password attempts are in django-axes' own tables;
    this log holds what axes does not see. Written once, never changed.
    """

    class Kind(models.TextChoices):
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Two-factor sign-in set up")
        SECOND_FACTOR_PASSED = "second_factor_passed", _("Second factor accepted")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes made")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Two-factor sign-in reset")
        LOCKED_OUT = "locked_out", _("Locked out after wrong passwords")
        SESSION_IDLE = "session_idle", _("Signed out after inactivity")
        SESSION_EXPIRED = "session_expired", _("Signed out at the end of the session")
        ACCESS_DENIED = "access_denied", _("Refused an object (answered 404)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("user"),
    )
    # A lockout may name a username that does not exist; it is kept as typed.
    username = models.CharField(_("username"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # For a refusal: what was asked for, e.g. "concern 3f2a…" (an id, never content).
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="security_event_by_user")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SecurityEventIsAppendOnly("Security events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SecurityEventIsAppendOnly("Security events cannot be deleted.")
