"""Writes that single sign-on causes: accounts made just in time, roles from groups, sessions.

The provider is the source of truth for who someone is and which groups they
are in; our mappings (GroupMapping) turn groups into roles. Roles are applied
at every sign-in, so a group removed at the provider is a role removed here
the next time the person signs in, and since every request reads the
account's roles afresh, what the role gave ends with it.
"""

import re
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from partners.identity.models import (
    ExternalIdentity,
    IdentityProvider,
    ProviderSession,
    SecurityEvent,
)
from partners.identity.services import security_event_record
from partners.models import Organisation, Role, User
from partners.permissions import CASE_HANDLER_ROLE_CODES

# Roles that never come from a provider's group and that a sign-in leaves alone.
ROLES_KEPT_OUTSIDE_PROVIDERS = frozenset({Role.Code.PLATFORM_ADMIN.value})
# Roles that open the admin: an account holding one needs is_staff.
_ADMIN_ROLE_CODES = frozenset({Role.Code.REGISTRY_ADMIN.value, Role.Code.PLATFORM_ADMIN.value})
# simple-history's change reason column holds 100 characters.
_CHANGE_REASON_LENGTH = 100
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
_USERNAME_LENGTH = 140  # leaves room for a "-12" suffix within Django's 150


def change_reason(provider: IdentityProvider) -> str:
    return f"Sign-in through {provider.name}"[:_CHANGE_REASON_LENGTH]


# The case side (concerns.handover) takes back what the old role was given one by
# one; partners must not import concerns, so it is told by this signal.
handler_role_lost = Signal()


def sso_handler_role_lost(user: User) -> None:
    """Tell the case side that `user` no longer holds the handler role they held.

    Called inside the sign-in transaction when an account stops holding a
    case-handler role (concerns.permissions.CASE_HANDLER_ROLES), or holds one
    for another organisation than before; and when an account is switched off
    (partners.identity.departures).
    """
    handler_role_lost.send(sender=User, user=user)


# --- the account ---------------------------------------------------------------------------


def _claim(claims: dict, name: str, length: int) -> str:
    value = claims.get(name)
    return value.strip()[:length] if isinstance(value, str) else ""


def _names(claims: dict) -> tuple[str, str]:
    first, last = _claim(claims, "given_name", 150), _claim(claims, "family_name", 150)
    if not first and not last:
        full = _claim(claims, "name", 301)
        first, _sep, last = full.partition(" ")
    return first[:150], last[:150]


def _email(claims: dict) -> str:
    email = _claim(claims, "email", 254)
    # An address the provider itself says is unverified is not worth keeping.
    if not email or claims.get("email_verified") is False:
        return ""
    try:
        EmailValidator()(email)
    except ValidationError:
        return ""
    return email


def _username_base(claims: dict) -> str:
    wanted = _claim(claims, "preferred_username", 254)
    if not wanted:
        wanted = _email(claims).partition("@")[0]
    return _USERNAME_UNSAFE.sub("", wanted)[:_USERNAME_LENGTH] or "sso-user"


def _free_username(base: str) -> str:
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@dataclass(frozen=True)
class ResolvedIdentity:
    user: User
    identity: ExternalIdentity
    created: bool


def _update_details(user: User, provider: IdentityProvider, claims: dict) -> None:
    first, last = _names(claims)
    email = _email(claims)
    changed = []
    for field, value in (("first_name", first), ("last_name", last), ("email", email)):
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user._change_reason = change_reason(provider)
        user._history_user = None
        user.save(update_fields=changed)


def external_identity_resolve(*, provider: IdentityProvider, claims: dict) -> ResolvedIdentity:
    """The account for the token's (provider, sub), made now if this is the first sign-in.

    Found by the subject only, never by e-mail or username: a provider that
    lets people choose their address must not open someone else's account.
    A new account has an unusable password, no organisation and no role
    until a mapping gives one.
    """
    subject = claims["sub"]
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    if identity is not None:
        _update_details(identity.user, provider, claims)
        return ResolvedIdentity(user=identity.user, identity=identity, created=False)
    first, last = _names(claims)
    base = _username_base(claims)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                user = User(
                    username=_free_username(base),
                    first_name=first,
                    last_name=last,
                    email=_email(claims),
                )
                user.set_unusable_password()
                user._change_reason = change_reason(provider)
                user._history_user = None
                user.save()
                identity = ExternalIdentity(user=user, provider=provider, subject=subject)
                identity._change_reason = change_reason(provider)
                identity._history_user = None
                identity.save()
            return ResolvedIdentity(user=user, identity=identity, created=True)
        except IntegrityError:
            # The same person's first sign-in in two tabs, or a username taken a
            # moment ago: look again.
            identity = (
                ExternalIdentity.objects.select_related("user")
                .filter(provider=provider, subject=subject)
                .first()
            )
            if identity is not None:
                return ResolvedIdentity(user=identity.user, identity=identity, created=False)
    raise IntegrityError("Could not make an account for a new sign-in.")


# --- roles from groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class RoleChange:
    added: frozenset[str]
    removed: frozenset[str]
    organisation_before: int | None
    organisation_after: int | None
    # The groups matched mappings in more than one organisation: no role was given.
    organisation_conflict: bool

    @property
    def changed(self) -> bool:
        return bool(
            self.added or self.removed or self.organisation_before != self.organisation_after
        )


def _role_change_detail(provider: IdentityProvider, change: RoleChange) -> str:
    parts = [provider.slug]
    parts += [f"+{code}" for code in sorted(change.added)]
    parts += [f"-{code}" for code in sorted(change.removed)]
    if change.organisation_before != change.organisation_after:
        slugs = dict(
            Organisation.objects.filter(
                pk__in=[change.organisation_before, change.organisation_after]
            ).values_list("pk", "slug")
        )
        before = slugs.get(change.organisation_before, "-")
        after = slugs.get(change.organisation_after, "-")
        parts.append(f"organisation {before}→{after}")
    if change.organisation_conflict:
        parts.append("conflict")
    return " ".join(parts)


@transaction.atomic
def sso_roles_apply(*, user: User, provider: IdentityProvider, groups: list[str]) -> RoleChange:
    """Make the account's roles and organisation exactly what the provider's groups map to.

    Roles given outside providers (platform admin) are never touched. When the
    matched mappings name more than one organisation we cannot tell which one
    the person works for: they get no role and no organisation, and the
    waiting page says why.
    """
    # Two sign-ins of one person at once apply their groups one after the other.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    # The caller's object is the one login() saves next; it must not hold stale values.
    user.refresh_from_db(fields=["organisation", "is_staff", "is_superuser"])
    wanted_groups = {group for group in groups if isinstance(group, str)}
    mappings = [
        mapping
        for mapping in provider.group_mappings.filter(group__in=wanted_groups).select_related(
            "role"
        )
        # GroupMapping.clean() refuses these; a row written around it still gives nothing.
        if mapping.role.code not in ROLES_KEPT_OUTSIDE_PROVIDERS
    ]
    organisation_ids = {mapping.organisation_id for mapping in mappings}
    conflict = len(organisation_ids) > 1
    if conflict or not mappings:
        mapped_roles: set[Role] = set()
        organisation_after = None
    else:
        mapped_roles = {mapping.role for mapping in mappings}
        organisation_after = organisation_ids.pop()

    current = set(Role.objects.filter(users=user))
    target = mapped_roles | {role for role in current if role.code in ROLES_KEPT_OUTSIDE_PROVIDERS}
    added, removed = target - current, current - target
    organisation_before = user.organisation_id
    change = RoleChange(
        added=frozenset(role.code for role in added),
        removed=frozenset(role.code for role in removed),
        organisation_before=organisation_before,
        organisation_after=organisation_after,
        organisation_conflict=conflict,
    )
    if not change.changed:
        return change

    user._change_reason = change_reason(provider)
    user._history_user = None
    fields = []
    if organisation_before != organisation_after:
        user.organisation_id = organisation_after
        fields.append("organisation")
    target_codes = {role.code for role in target}
    is_staff = user.is_superuser or bool(target_codes & _ADMIN_ROLE_CODES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        fields.append("is_staff")
    if fields:
        user.save(update_fields=fields)
    # Each call writes one history row of the roles, with the same change reason.
    if removed:
        user.roles.remove(*removed)
    if added:
        user.roles.add(*added)

    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.SSO_ROLES_CHANGED,
        actor=None,
        detail=_role_change_detail(provider, change),
    )
    held_before = {role.code for role in current} & CASE_HANDLER_ROLE_CODES
    lost_handler_role = bool(change.removed & CASE_HANDLER_ROLE_CODES)
    moved_as_handler = bool(held_before) and organisation_before != organisation_after
    if lost_handler_role or moved_as_handler:
        sso_handler_role_lost(user)
    return change


# --- signing in and out ----------------------------------------------------------------------


@transaction.atomic
def sso_sign_in_record(
    *,
    identity: ExternalIdentity,
    session_key: str,
    sid: str,
    refresh_token: str,
    mfa: bool,
    ip_address: str | None,
) -> ProviderSession:
    """What a completed sign-in leaves behind: the session the provider may end, and the log."""
    identity.last_sign_in_at = timezone.now()
    fields = ["last_sign_in_at"]
    if refresh_token:
        identity.refresh_token = refresh_token
        fields.append("refresh_token")
    identity._history_user = None
    identity.save(update_fields=fields)
    session = ProviderSession(
        provider=identity.provider,
        subject=identity.subject,
        sid=sid[:255],
        session_key=session_key,
        user=identity.user,
    )
    session._history_user = None
    session.save()
    security_event_record(
        user=identity.user,
        kind=SecurityEvent.Kind.SSO_SIGNED_IN,
        actor=identity.user,
        ip_address=ip_address,
        detail=f"{identity.provider.slug} mfa={'yes' if mfa else 'no'}",
    )
    return session


def sso_refusal_record(
    *, slug: str, reason: str, ip_address: str | None, user: User | None = None
) -> None:
    security_event_record(
        user=user,
        kind=SecurityEvent.Kind.SSO_REFUSED,
        actor=None,
        ip_address=ip_address,
        detail=f"{slug}: {reason}",
    )


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


@transaction.atomic
def provider_sessions_end(*, provider: IdentityProvider, subject: str, sid: str) -> int:
    """End our sessions the provider says are over: by its session id, or else every one of sub's.

    Returns how many sessions ended.
    """
    sessions = ProviderSession.objects.select_related("user").filter(provider=provider)
    if sid:
        sessions = sessions.filter(sid=sid)
        if subject:
            sessions = sessions.filter(subject=subject)
    elif subject:
        sessions = sessions.filter(subject=subject)
    else:
        return 0
    store = _session_store()
    ended = 0
    for session in sessions:
        store.delete(session.session_key)
        security_event_record(
            user=session.user,
            kind=SecurityEvent.Kind.SSO_LOGGED_OUT_BY_PROVIDER,
            actor=None,
            detail=provider.slug,
        )
        session._history_user = None
        session.delete()
        ended += 1
    return ended


def provider_sessions_forget(*, session_key: str) -> None:
    """Signed out here, or the session ran out: nothing is left for the provider to end."""
    for session in ProviderSession.objects.filter(session_key=session_key):
        session._history_user = None
        session.delete()
