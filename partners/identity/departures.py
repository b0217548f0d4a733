"""Access that ends when the job ends: accounts switched off by a daily task.

An account is switched off when its identity provider says it is disabled,
or when nobody has signed in with it for a while (its provider's
`deactivate_after_days`, or ACCOUNT_INACTIVE_DAYS for a local account). The
provider is asked the standard way: the refresh token it gave at the last
sign-in is presented once a day, and a disabled or removed account answers
`invalid_grant` (RFC 6749 §5.2) at Entra ID, Keycloak and ADFS alike.

Nothing the person held is lost: their open cases, pending referrals and
mentorships wait on the coordinator's "needs a new handler" page
(concerns.handover). The break-glass superuser is never switched off here.
"""

import datetime
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.identity.models import ExternalIdentity, ProviderSession, SecurityEvent
from partners.identity.services import security_event_record
from partners.identity.sso import SsoRefused, discovery_document, provider_client
from partners.identity.sso_services import sso_handler_role_lost
from partners.models import User

logger = logging.getLogger(__name__)


class Reason:
    INACTIVE = "inactive"
    DISABLED_AT_PROVIDER = "disabled_at_provider"


@dataclass
class Departures:
    inactive: int = 0
    disabled_at_provider: int = 0
    asked: int = 0  # providers asked about an account
    unanswered: int = 0  # provider unreachable or answering otherwise: asked again tomorrow


@transaction.atomic
def account_deactivate(*, user: User, reason: str, actor: User | None = None) -> bool:
    """Switch an account off; its sessions end at their next request (AccountBackend)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user._change_reason = f"Deactivated: {reason}"
    user._history_user = actor
    user.save(update_fields=["is_active"])
    security_event_record(
        user=user, kind=SecurityEvent.Kind.ACCOUNT_DEACTIVATED, actor=actor, detail=reason
    )
    # What the account was given case by case is taken back; its cases wait for a new handler.
    sso_handler_role_lost(user)
    return True


def _still_enabled(identity: ExternalIdentity) -> bool | None:
    """What the provider says of the account: True, False (disabled or gone) or None (no answer)."""
    provider = identity.provider
    try:
        endpoint = discovery_document(provider)["token_endpoint"]
        secret = provider_client(provider).get_settings("OIDC_RP_CLIENT_SECRET")
        response = requests.post(
            endpoint,
            data={"grant_type": "refresh_token", "refresh_token": identity.refresh_token},
            auth=(provider.client_id, secret),
            timeout=10,
        )
    except (SsoRefused, ImproperlyConfigured, requests.RequestException, KeyError) as error:
        logger.warning("Identity provider %s not asked: %s", provider.slug, type(error).__name__)
        return None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code == 200 and isinstance(answer, dict):
        if answer.get("refresh_token"):  # a provider that rotates them
            identity.refresh_token = answer["refresh_token"]
            identity.save(update_fields=["refresh_token"])
        return True
    if response.status_code in (400, 401) and answer.get("error") == "invalid_grant":
        return False
    logger.warning("Identity provider %s answered %s", provider.slug, response.status_code)
    return None


def departed_accounts_deactivate(now: datetime.datetime | None = None) -> Departures:
    """The daily run: accounts unused for too long, and accounts disabled at their provider."""
    now = now or timezone.now()
    result = Departures()
    identities = ExternalIdentity.objects.filter(
        user__is_active=True, user__is_superuser=False, provider__is_active=True
    ).select_related("provider", "user")
    for identity in identities:
        last = identity.last_sign_in_at or identity.created_at
        if last < now - datetime.timedelta(days=identity.provider.deactivate_after_days):
            result.inactive += account_deactivate(user=identity.user, reason=Reason.INACTIVE)
            continue
        if not identity.refresh_token:
            continue
        result.asked += 1
        enabled = _still_enabled(identity)
        if enabled is False:
            result.disabled_at_provider += account_deactivate(
                user=identity.user, reason=Reason.DISABLED_AT_PROVIDER
            )
        elif enabled is None:
            result.unanswered += 1
    # Local accounts: the last sign-in, or the day the account was made.
    cutoff = now - datetime.timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)
    local = User.objects.filter(
        is_active=True, is_superuser=False, external_identities__isnull=True
    ).filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    for user in local:
        result.inactive += account_deactivate(user=user, reason=Reason.INACTIVE)
    # Sessions that simply expired leave their provider-session rows behind.
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    ProviderSession.objects.exclude(session_key__in=live).delete()
    return result
