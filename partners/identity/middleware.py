"""Session limits, the second factor and a role, enforced on every request.

SessionLimitsMiddleware signs out a session idle for 30 minutes or older than
10 hours. SecondFactorRequiredMiddleware lets a signed-in account reach
nothing but the sign-in steps until it has passed its second factor: with a
device, always; without one, it is sent to set one up unless the embedded demo
switched the mandate off (TWO_FACTOR_REQUIRED). A provider's token that says
the person passed its own second factor (partners.identity.sso) counts the
same as our TOTP code. RoleRequiredMiddleware then keeps an account that
holds no role yet (someone signed in through their municipality's provider
before any group gave them one) on the waiting page.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from config.request import client_ip
from partners.identity.models import SecurityEvent
from partners.identity.services import has_second_factor, security_event_record

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# Set by the single sign-on callback when the provider's token carries MFA (amr/acr).
SSO_MFA = "sso_mfa"
# The session is written at most this often just to say "still here".
_TOUCH_EVERY_SECONDS = 60


def second_factor_exempt(view):
    """Mark a view as part of signing in: reachable before the second factor is passed."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.second_factor_exempt = True
    return wrapped


def role_not_required(view):
    """Mark a view that an account without any role may reach (after its second factor)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.role_not_required = True
    return wrapped


def sign_in_complete(request) -> bool:
    """Signed in and past every step the account needs."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_verified():
        return True
    # Only the callback sets it, after login() flushed or cycled the session,
    # so it always speaks of the account signed in now.
    if request.session.get(SSO_MFA) is True:
        return True
    if not hasattr(request, "_has_second_factor"):
        request._has_second_factor = has_second_factor(user)
    return not request._has_second_factor and not settings.TWO_FACTOR_REQUIRED


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SIGNED_IN_AT, now)
            last_seen_at = request.session.get(LAST_SEEN_AT, now)
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if now - signed_in_at > absolute:
                return self._sign_out(request, SecurityEvent.Kind.SESSION_EXPIRED)
            if now - last_seen_at > idle:
                return self._sign_out(request, SecurityEvent.Kind.SESSION_IDLE)
            request.session.setdefault(SIGNED_IN_AT, now)
            if now - last_seen_at >= _TOUCH_EVERY_SECONDS or LAST_SEEN_AT not in request.session:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _sign_out(self, request, kind: str):
        user = request.user
        security_event_record(user=user, kind=kind, actor=user, ip_address=client_ip(request))
        logout(request)
        if kind == SecurityEvent.Kind.SESSION_IDLE:
            text = _("You were signed out after 30 minutes without activity. Sign in again.")
        else:
            text = _("You were signed out because your session reached 10 hours. Sign in again.")
        messages.info(request, text)
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or sign_in_complete(request):
            return None
        if getattr(view_func, "second_factor_exempt", False):
            return None
        target = "identity:verify" if request._has_second_factor else "identity:setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def waiting_for_role(user) -> bool:
    """Signed in, but no role given yet: nothing to see but the waiting page."""
    return (
        user.is_authenticated
        and not user.is_superuser
        and not any(True for _role in user.roles.all())
    )


class RoleRequiredMiddleware:
    """An account without a role reaches the waiting page, the sign-in steps and sign-out only.

    Every other page reads roles to decide what to show; one that forgot to
    would show a role-less account more than it should. Runs after
    SecondFactorRequiredMiddleware, so the second factor comes first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not waiting_for_role(request.user):
            return None
        if getattr(view_func, "second_factor_exempt", False) or getattr(
            view_func, "role_not_required", False
        ):
            return None
        return redirect("identity:sso_waiting")
