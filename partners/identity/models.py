import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import DomainNameValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concerns.crypto import EncryptedTextField
from config.env import env_secret


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
        SSO_SIGNED_IN = "sso_signed_in", _("Signed in through an identity provider")
        SSO_REFUSED = "sso_refused", _("Sign-in through an identity provider refused")
        SSO_ROLES_CHANGED = "sso_roles_changed", _("Roles changed by an identity provider")
        SSO_LOGGED_OUT_BY_PROVIDER = (
            "sso_logged_out_by_provider",
            _("Signed out by the identity provider"),
        )
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account switched off")

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


# --- single sign-on (OpenID Connect) ---------------------------------------------------------

# Plain http is for a provider on this machine only (the test provider, a
# developer's Keycloak): anything else would carry codes and tokens in clear.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SEPARATORS = re.compile(r"[\s,]+")


def split_values(text: str) -> list[str]:
    """Values typed one per line, or separated by spaces or commas."""
    return [value for value in _SEPARATORS.split(text or "") if value]


def url_scheme_problem(url: str) -> str | None:
    """Why the address may not be used to talk to a provider, or None."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return None
    return _("Use an https:// address (http:// only for 127.0.0.1 or localhost).")


def validate_issuer(value: str) -> None:
    problem = url_scheme_problem(value)
    if problem:
        raise ValidationError(problem)
    parts = urlsplit(value)
    # The issuer is compared character for character with the tokens' `iss`.
    if parts.query or parts.fragment:
        raise ValidationError(_("An issuer has no query (?…) or fragment (#…)."))


def email_domains_from(text: str) -> list[str]:
    return [value.lstrip("@").lower() for value in split_values(text)]


def validate_email_domains(value: str) -> None:
    for domain in email_domains_from(value):
        try:
            DomainNameValidator()(domain)
        except ValidationError:
            domain_ok = False
        else:
            domain_ok = "." in domain
        if not domain_ok:
            raise ValidationError(
                _("%(domain)s is not a domain name like trondheim.kommune.no."),
                params={"domain": domain},
            )


class ProviderSecretMissing(ImproperlyConfigured):
    pass


class IdentityProvider(models.Model):
    """A municipality's OpenID Connect provider (Entra ID, ADFS, Keycloak …), kept as data.

    Platform admins keep these rows. The client secret is never in the
    database: a database dump or the admin's history must not hand anyone
    the right to sign in as the municipality's client.
    """

    DEFAULT_SCOPES = "openid email profile groups offline_access"

    slug = models.SlugField(
        _("short name"),
        max_length=40,
        unique=True,
        help_text=_(
            "Used in addresses and in the name of the secret's environment variable, "
            "e.g. trondheim."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=80,
        help_text=_("Shown on the sign-in page as “Sign in with …”, e.g. Trondheim kommune."),
    )
    issuer = models.URLField(
        _("issuer"),
        max_length=255,
        validators=[validate_issuer],
        help_text=_(
            "Exactly as the provider writes it in its tokens; its discovery document is at "
            "issuer + /.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    scopes = models.CharField(_("scopes"), max_length=255, default=DEFAULT_SCOPES)
    groups_claim = models.CharField(_("groups claim"), max_length=100, default="groups")
    mfa_amr_values = models.CharField(
        _("amr values that count as a second factor"),
        max_length=255,
        blank=True,
        default="mfa hwk otp swk",
        help_text=_("Separated by spaces. A token with one of them needs no TOTP code here."),
    )
    mfa_acr_values = models.CharField(
        _("acr values that count as a second factor"),
        max_length=255,
        blank=True,
        help_text=_("Separated by spaces."),
    )
    email_domains = models.TextField(
        _("e-mail domains"),
        blank=True,
        validators=[validate_email_domains],
        help_text=_(
            "Someone who types an address in one of these domains on the sign-in page is "
            "sent to this provider. One per line, or separated by spaces or commas."
        ),
    )
    organisations = models.ManyToManyField(
        "partners.Organisation",
        related_name="identity_providers",
        verbose_name=_("organisations served"),
    )
    deactivate_after_days = models.PositiveSmallIntegerField(
        _("switch accounts off after (days without sign-in)"), default=60
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def secret_env_name(self) -> str:
        return "OIDC_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]", "_", self.slug.upper())

    def client_secret(self) -> str:
        secret = env_secret(self.secret_env_name)
        if not secret:
            raise ProviderSecretMissing(
                f"Set {self.secret_env_name} (or {self.secret_env_name}_FILE) to the client "
                f"secret of the identity provider {self.slug!r}."
            )
        return secret

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def email_domain_list(self) -> list[str]:
        return email_domains_from(self.email_domains)

    def clean(self):
        errors = {}
        if "openid" not in split_values(self.scopes):
            errors["scopes"] = _("The scopes must include openid.")
        others = IdentityProvider.objects.exclude(pk=self.pk)
        if self.slug and any(
            other.secret_env_name == self.secret_env_name for other in others.only("slug")
        ):
            errors["slug"] = _("Another provider's secret would have the same variable name.")
        if self.is_active and self.email_domains:
            claimed = {
                domain
                for other in others.filter(is_active=True).only("email_domains")
                for domain in other.email_domain_list()
            }
            taken = sorted(claimed & set(self.email_domain_list()))
            if taken:
                errors["email_domains"] = _("Already sent to another provider: %(domains)s.") % {
                    "domains": ", ".join(taken)
                }
        if errors:
            raise ValidationError(errors)


class GroupMapping(models.Model):
    """Members of a provider's group get a role in an organisation, at every sign-in."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="group_mappings",
        verbose_name=_("identity provider"),
    )
    group = models.CharField(
        _("group"),
        max_length=255,
        help_text=_("Exactly as the provider sends it, e.g. an Entra ID object id."),
    )
    role = models.ForeignKey(
        "partners.Role", on_delete=models.PROTECT, related_name="+", verbose_name=_("role")
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="group_mappings",
        verbose_name=_("organisation"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["provider__name", "group", "role__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "group", "role", "organisation"],
                name="group_mapping_unique",
            )
        ]

    def __str__(self):
        return f"{self.group} → {self.role} ({self.organisation})"

    def clean(self):
        from partners.models import Role

        errors = {}
        # The platform-admin role spans every municipality; nobody's group gives it.
        if self.role_id and self.role.code == Role.Code.PLATFORM_ADMIN:
            errors["role"] = _("No group can make someone a platform admin.")
        if (
            self.provider_id
            and self.organisation_id
            and not self.provider.organisations.filter(pk=self.organisation_id).exists()
        ):
            errors["organisation"] = _("Pick an organisation this provider serves.")
        if errors:
            raise ValidationError(errors)


class ExternalIdentity(models.Model):
    """Who a provider's `sub` is here. Found by (provider, subject), never by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    # PROTECT: an account must not lose the link that explains it by a provider's deletion.
    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.PROTECT,
        related_name="identities",
        verbose_name=_("identity provider"),
    )
    subject = models.CharField(_("subject (sub)"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    # Encrypted, and left out of history: whoever holds it can act as the user at the provider.
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)

    history = HistoricalRecords(excluded_fields=["refresh_token"])

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["provider__name", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self):
        return f"{self.provider}: {self.subject}"


class ProviderSession(models.Model):
    """A Django session that came from a provider session, so the provider can end it."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("identity provider"),
    )
    subject = models.CharField(_("subject (sub)"), max_length=255)
    sid = models.CharField(_("provider session id (sid)"), max_length=255, blank=True)
    # A bearer credential for the account: never copied into history.
    session_key = models.CharField(_("session key"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_sessions",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["session_key"])

    class Meta:
        verbose_name = _("provider session")
        verbose_name_plural = _("provider sessions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["provider", "sid"], name="provider_session_by_sid"),
            models.Index(fields=["provider", "subject"], name="provider_session_by_sub"),
            models.Index(fields=["session_key"], name="provider_session_by_key"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.subject}"
