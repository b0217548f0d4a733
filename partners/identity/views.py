from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from config.request import client_ip
from partners.identity import sso
from partners.identity.forms import CodeForm, SetupCodeForm
from partners.identity.middleware import SSO_MFA, role_not_required, second_factor_exempt
from partners.identity.models import IdentityProvider
from partners.identity.selectors import active_providers, provider_for_email
from partners.identity.services import (
    has_second_factor,
    recovery_codes_renew,
    second_factor_verify,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_for_typing,
)

_NEW_RECOVERY_CODES = "new_recovery_codes"


def _next_url(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL if default == "home" else default


_SSO_SESSION_KEYS = (sso.SSO_PROVIDER, sso.SSO_ID_TOKEN, SSO_MFA, sso.SSO_ROLE_CONFLICT)


def _sso_start_url(provider, *, next_url: str = "", login_hint: str = "") -> str:
    url = reverse("identity:sso_start", kwargs={"slug": provider.slug})
    query = {key: value for key, value in (("next", next_url), ("login_hint", login_hint)) if value}
    return f"{url}?{urlencode(query)}" if query else url


class SignInView(auth_views.LoginView):
    """The password step, and a button per identity provider above it.

    The second factor follows (SecondFactorRequiredMiddleware). Someone who
    types an address in a provider's e-mail domain is sent to that provider:
    their password is the provider's to check, never ours.
    """

    def post(self, request, *args, **kwargs):
        provider = provider_for_email(request.POST.get("username", ""))
        if provider is not None:
            start = _sso_start_url(
                provider,
                next_url=self.get_redirect_url(),
                login_hint=request.POST.get("username", "").strip(),
            )
            return _leaving(request, start, provider.name, signing_out=False)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # A password sign-in owes nothing to a provider session that came before it.
        for key in _SSO_SESSION_KEYS:
            self.request.session.pop(key, None)
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["two_factor_required"] = settings.TWO_FACTOR_REQUIRED
        next_url = self.get_redirect_url()
        context["providers"] = [
            (provider, _sso_start_url(provider, next_url=next_url))
            for provider in active_providers()
        ]
        return context


def _leaving(request, url: str, provider_name: str, *, signing_out: bool):
    """A page that moves on to the provider by itself, instead of a redirect.

    Our Content-Security-Policy lets forms post to this site only
    (`form-action 'self'`), and browsers apply that to the redirects after a
    post too: a sign-in or sign-out form answered with a redirect to the
    provider would be stopped. A page reached by the post, which then moves
    on (meta refresh, or the link), is an ordinary navigation.
    """
    return render(
        request,
        "identity/leaving.html",
        {"url": url, "provider_name": provider_name, "signing_out": signing_out},
    )


class SignOutView(auth_views.LogoutView):
    """Sign out here; a session that came from a provider is then signed out there too."""

    def post(self, request, *args, **kwargs):
        slug = request.session.get(sso.SSO_PROVIDER)
        id_token = request.session.get(sso.SSO_ID_TOKEN) or ""
        # Read before logout() flushes the session that holds them.
        response = super().post(request, *args, **kwargs)
        if slug:
            provider_logout = sso.end_session_url(request, slug=slug, id_token=id_token)
            provider = IdentityProvider.objects.filter(slug=slug).first()
            if provider_logout and provider is not None:
                return _leaving(request, provider_logout, provider.name, signing_out=True)
        return response


sign_in = login_not_required(second_factor_exempt(SignInView.as_view()))
sign_out = second_factor_exempt(SignOutView.as_view())


def _complete_second_factor(request, device) -> None:
    otp_login(request, device)
    # A new privilege level gets a new session key (no fixation across the step).
    request.session.cycle_key()


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up the authenticator: scan the QR code, type the first code."""
    if has_second_factor(request.user):
        if request.user.is_verified():
            return redirect("identity:account")
        return redirect("identity:verify")
    device = totp_device_pending(user=request.user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = totp_device_confirm(
            user=request.user, token=form.cleaned_data["code"], ip_address=client_ip(request)
        )
        if enrolment is not None:
            _complete_second_factor(request, enrolment.device)
            request.session[_NEW_RECOVERY_CODES] = enrolment.recovery_codes
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('identity:recovery_codes')}?{query}")
        form.add_error(
            "code",
            _("That code is not right. Check the time on your phone and type the newest code."),
        )
    return render(
        request,
        "identity/setup.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret_for_typing(device),
            "next": _next_url(request),
        },
    )


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(request.user):
        return redirect("identity:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = second_factor_verify(
            user=request.user, token=form.cleaned_data["code"], ip_address=client_ip(request)
        )
        if result.device is not None:
            _complete_second_factor(request, result.device)
            return redirect(_next_url(request))
        if result.wait_seconds:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait %(seconds)s seconds and try again.")
                % {"seconds": result.wait_seconds},
            )
        else:
            form.add_error("code", _("That code is not right, or it was already used."))
    return render(request, "identity/verify.html", {"form": form, "next": _next_url(request)})


# Shown right after setting up the authenticator, also to someone still waiting for a role.
@role_not_required
def recovery_codes(request):
    """The new recovery codes, shown once."""
    codes = request.session.pop(_NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("identity:account")
    return render(
        request, "identity/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )


def account(request):
    return render(
        request,
        "identity/account.html",
        {"has_second_factor": has_second_factor(request.user)},
    )


@require_POST
def recovery_codes_new(request):
    codes = recovery_codes_renew(user=request.user, ip_address=client_ip(request))
    request.session[_NEW_RECOVERY_CODES] = codes
    messages.success(request, _("New recovery codes are made; the old ones no longer work."))
    return redirect("identity:recovery_codes")
