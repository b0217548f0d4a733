"""Signing in through the municipality's own identity provider, and being signed out by it.

The protocol is in partners.identity.sso, the writes in sso_services. A
refusal always ends on the sign-in page with a message and a line in the
security log; the message never says more than the person needs to try again.
"""

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from config.request import client_ip
from partners.identity import sso
from partners.identity.middleware import (
    SSO_MFA,
    role_not_required,
    second_factor_exempt,
    waiting_for_role,
)
from partners.identity.models import IdentityProvider, ProviderSecretMissing
from partners.identity.selectors import registry_admin_names
from partners.identity.sso_services import (
    change_reason,
    external_identity_resolve,
    provider_sessions_end,
    sso_refusal_record,
    sso_roles_apply,
    sso_sign_in_record,
)
from partners.models import Role

logger = logging.getLogger(__name__)

PROVIDER_BACKEND = "partners.backends.ProviderBackend"
# A provider's `error` code goes to the log only if it looks like one (RFC 6749 §4.1.2.1).
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")
_LOGIN_HINT_LENGTH = 254

_UNREACHABLE = {"discovery_failed", "discovery_invalid", "secret_missing", "token_endpoint"}
_STATE = {"state_mismatch", "state_expired"}


def safe_next(request, candidate: str | None) -> str:
    """`candidate` if it is a path on this site, else ""."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _message(reason: str, provider: IdentityProvider | None) -> str:
    name = provider.name if provider is not None else _("your municipality")
    if reason in _STATE:
        return _(
            "The sign-in could not be finished: it took too long or was started in another "
            "window. Start again."
        )
    if reason == "account_inactive":
        return _(
            "Your account here is switched off. Ask your registry admin to have it switched on."
        )
    if reason.startswith("provider_error"):
        return _("%(provider)s did not sign you in. Try again, or sign in another way.") % {
            "provider": name
        }
    if reason in _UNREACHABLE:
        return _(
            "%(provider)s cannot be reached right now. Try again later, or sign in another way."
        ) % {"provider": name}
    return _(
        "Signing in through %(provider)s did not work. Try again; if it keeps failing, tell "
        "your registry admin."
    ) % {"provider": name}


def _refuse(request, *, slug: str, reason: str, provider=None, user=None):
    sso_refusal_record(slug=slug, reason=reason, ip_address=client_ip(request), user=user)
    messages.error(request, _message(reason, provider))
    return redirect("login")


@login_not_required
@second_factor_exempt
@never_cache
@require_GET
def sso_start(request, slug):
    """Send the browser to the provider with a fresh state, nonce and PKCE challenge."""
    provider = get_object_or_404(IdentityProvider, slug=slug, is_active=True)
    hint = request.GET.get("login_hint", "").strip()
    hint = hint if len(hint) <= _LOGIN_HINT_LENGTH and hint.isprintable() else ""
    try:
        # Checked before the person signs in at the provider, not after.
        provider.client_secret()
        url = sso.authorization_url(
            request,
            provider,
            next_url=safe_next(request, request.GET.get("next")),
            login_hint=hint,
        )
    except ProviderSecretMissing as error:
        logger.error("%s", error)
        return _refuse(request, slug=slug, reason="secret_missing", provider=provider)
    except sso.SsoRefused as refusal:
        return _refuse(request, slug=slug, reason=refusal.reason, provider=provider)
    return HttpResponseRedirect(url)


@login_not_required
@second_factor_exempt
@never_cache
@require_GET
def sso_callback(request, slug):
    """The provider sends the browser back here with a code, or an error."""
    # First of all: a state is good for one callback, whatever happens next.
    try:
        flow = sso.flow_pop(request, state=request.GET.get("state", ""), slug=slug)
    except sso.SsoRefused as refusal:
        return _refuse(request, slug=slug, reason=refusal.reason)
    provider = IdentityProvider.objects.filter(slug=slug, is_active=True).first()
    if provider is None:
        return _refuse(request, slug=slug, reason="provider_inactive")
    error = request.GET.get("error")
    if error is not None:
        code = error if _ERROR_CODE.fullmatch(error) else "other"
        return _refuse(request, slug=slug, reason=f"provider_error {code}", provider=provider)
    # RFC 9207: a provider that names itself in the response must be the one we asked.
    if "iss" in request.GET and request.GET["iss"] != provider.issuer:
        return _refuse(request, slug=slug, reason="wrong_issuer", provider=provider)
    code = request.GET.get("code")
    if not code:
        return _refuse(request, slug=slug, reason="no_code", provider=provider)
    try:
        client = sso.provider_client(provider)
        tokens = sso.code_exchange(request, provider, client, code=code, flow=flow)
        claims = sso.id_token_verify(
            provider, client, tokens["id_token"], nonce=flow.get("nonce") or ""
        )
    except ProviderSecretMissing as missing:
        logger.error("%s", missing)
        return _refuse(request, slug=slug, reason="secret_missing", provider=provider)
    except sso.SsoRefused as refusal:
        return _refuse(request, slug=slug, reason=refusal.reason, provider=provider)

    resolved = external_identity_resolve(provider=provider, claims=claims)
    user = resolved.user
    if not user.is_active:
        return _refuse(request, slug=slug, reason="account_inactive", provider=provider, user=user)
    change = sso_roles_apply(user=user, provider=provider, groups=sso.groups_from(provider, claims))
    mfa = sso.mfa_satisfied(provider, claims)

    # login() saves last_login; that history row, too, says how the person came in.
    user._change_reason = change_reason(provider)
    user._history_user = None
    login(request, user, backend=PROVIDER_BACKEND)
    # login() flushes the session when another account was signed in; the
    # new key is made on save, and the provider session must name it.
    if request.session.session_key is None:
        request.session.save()
    request.session[sso.SSO_PROVIDER] = provider.slug
    request.session[sso.SSO_ID_TOKEN] = tokens["id_token"]
    request.session[SSO_MFA] = mfa
    request.session[sso.SSO_ROLE_CONFLICT] = change.organisation_conflict
    sid, refresh_token = claims.get("sid"), tokens.get("refresh_token")
    sso_sign_in_record(
        identity=resolved.identity,
        session_key=request.session.session_key,
        sid=sid if isinstance(sid, str) else "",
        refresh_token=refresh_token if isinstance(refresh_token, str) else "",
        mfa=mfa,
        ip_address=client_ip(request),
    )
    if not user.is_superuser and not Role.objects.filter(users=user).exists():
        return redirect("identity:sso_waiting")
    return redirect(safe_next(request, flow.get("next")) or settings.LOGIN_REDIRECT_URL)


@role_not_required
@require_GET
def sso_waiting(request):
    """Signed in, but no role yet: whom to ask, and nothing else."""
    if not waiting_for_role(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    provider = IdentityProvider.objects.filter(
        slug=request.session.get(sso.SSO_PROVIDER) or ""
    ).first()
    return render(
        request,
        "identity/waiting.html",
        {
            "provider": provider,
            "admin_names": registry_admin_names(provider=provider, user=request.user),
            "organisation_conflict": request.session.get(sso.SSO_ROLE_CONFLICT) is True,
        },
    )


def _bad_request() -> HttpResponse:
    response = HttpResponse(status=400)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@login_not_required
@second_factor_exempt
@require_POST
def sso_backchannel_logout(request, slug):
    """The provider tells us, server to server, that a person's session there has ended.

    OpenID Connect Back-Channel Logout 1.0. Answers 400 without a body to
    anything it does not accept, so a prober learns nothing.
    """
    provider = IdentityProvider.objects.filter(slug=slug, is_active=True).first()
    token = request.POST.get("logout_token", "")
    if provider is None or not token:
        return _bad_request()
    try:
        client = sso.provider_client(provider, with_secret=False)
        claims = sso.logout_token_verify(provider, client, token)
    except sso.SsoRefused as refusal:
        logger.info("Back-channel logout from %s refused: %s", provider.slug, refusal.reason)
        return _bad_request()
    sub, sid = claims.get("sub"), claims.get("sid")
    provider_sessions_end(
        provider=provider,
        subject=sub if isinstance(sub, str) else "",
        sid=sid if isinstance(sid, str) else "",
    )
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response
