"""Signing in through the municipality's own identity provider, against a real provider.

The provider is tests/oidc_provider/ (node oidc-provider) on 127.0.0.1; our
token request and JWKS fetch go to it over HTTP. Tokens with one thing wrong
are signed with the provider's own private key and checked by our
verification against its published JWKS. Every person is invented.
"""

import html
import re
import time
import urllib.parse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY, authenticate
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.permissions import CASE_HANDLER_ROLES
from partners.identity import sso as protocol
from partners.identity import sso_services
from partners.identity.middleware import SSO_MFA
from partners.identity.models import (
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    ProviderSecretMissing,
    ProviderSession,
    SecurityEvent,
)
from partners.identity.sso_services import sso_roles_apply
from partners.models import Role, User
from partners.permissions import CASE_HANDLER_ROLE_CODES
from tests.factories import ConcernFactory, UserFactory
from tests.partners import sso_support as support
from tests.partners.sso_support import ProviderBrowser, id_claims, sign, sso_sign_in

pytestmark = pytest.mark.django_db


def _client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def _refusals() -> list[str]:
    return list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_REFUSED).values_list(
            "detail", flat=True
        )
    )


def _page_after(client: Client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.url).content.decode()


def _roles(user: User) -> set[str]:
    return set(Role.objects.filter(users=user).values_list("code", flat=True))


# --- the sign-in page -------------------------------------------------------------------------


def test_the_sign_in_page_has_a_button_per_active_provider_above_the_password_form(sso):
    IdentityProvider.objects.create(
        slug="avslatt",
        name="Avslått kommune",
        issuer="https://idp.invalid",
        client_id="x",
        is_active=False,
    )
    page = _client().get(reverse("login")).content.decode()

    button = page.index("Sign in with Testkommune")
    assert button < page.index('id="login-form"')
    assert reverse("identity:sso_start", kwargs={"slug": support.SLUG}) in page
    assert "Avslått kommune" not in page


def test_an_address_in_a_providers_domain_goes_to_that_provider_with_a_login_hint(
    sso, oidc_provider
):
    client = _client()
    address = f"Kari.Testesen@{support.EMAIL_DOMAIN.upper()}"
    response = client.post(reverse("login"), {"username": address, "password": "irrelevant"})

    # A page that moves on by itself: a redirect answering the form's post would be
    # stopped by the browser under our CSP (form-action 'self').
    assert response.status_code == 200
    onward = _moves_on_to(response)
    start = urllib.parse.urlsplit(onward)
    assert start.path == reverse("identity:sso_start", kwargs={"slug": support.SLUG})
    assert urllib.parse.parse_qs(start.query)["login_hint"] == [address]
    authorization = client.get(onward)["Location"]
    assert authorization.startswith(oidc_provider.url + "/")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(authorization).query)["login_hint"] == [
        address
    ]
    # The provider's login page is filled in with it.
    page = ProviderBrowser(oidc_provider).follow("GET", authorization)
    assert f'value="{address}"' in page.text


def test_an_address_in_another_domain_is_checked_as_a_password(sso, people):
    response = _client().post(
        reverse("login"), {"username": "someone@elsewhere.example", "password": "wrong-password"}
    )
    assert response.status_code == 200  # the form again: no provider, no account


# --- a full sign-in ---------------------------------------------------------------------------


def test_a_first_sign_in_makes_the_account_gives_roles_from_groups_and_lands_on_the_inbox(
    sso, oidc_provider
):
    client = _client()
    inbox = reverse("concerns:inbox")
    trip = sso_sign_in(client, oidc_provider, "kari.testesen", query=f"?next={inbox}")

    assert trip.response.status_code == 302 and trip.response.url == inbox
    assert client.get(inbox).status_code == 200
    user = User.objects.get(external_identities__subject="5b1e-kari")
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "kari.testesen",
        "Kari",
        "Testesen",
        f"kari.testesen@{support.EMAIL_DOMAIN}",
    )
    assert not user.has_usable_password()
    assert _roles(user) == {Role.Code.COORDINATOR}
    assert user.organisation == sso.slt
    identity = user.external_identities.get()
    assert identity.provider == sso.provider and identity.last_sign_in_at is not None
    session = ProviderSession.objects.get(user=user)
    assert session.session_key == client.session.session_key and session.sid
    assert client.session[protocol.SSO_PROVIDER] == support.SLUG
    assert client.session[SSO_MFA] is True
    assert client.session["_auth_user_backend"] == "partners.backends.ProviderBackend"
    events = SecurityEvent.objects.filter(user=user)
    signed_in = events.get(kind=SecurityEvent.Kind.SSO_SIGNED_IN)
    assert signed_in.detail == "testkommune mfa=yes"
    roles_changed = events.get(kind=SecurityEvent.Kind.SSO_ROLES_CHANGED)
    assert roles_changed.actor is None
    assert roles_changed.detail == "testkommune +coordinator organisation -→sso-slt"
    reasons = set(user.history.values_list("history_change_reason", flat=True))
    assert reasons == {"Sign-in through Testkommune"}


def test_without_a_next_the_person_lands_on_the_home_page(sso, oidc_provider):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")
    assert trip.response.url == reverse("landing")
    assert client.get(reverse("home")).status_code == 200


def test_a_next_on_another_site_is_ignored(sso, oidc_provider):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen", query="?next=https://evil.example/")
    assert trip.response.url == reverse("landing")


def test_a_role_removed_at_the_provider_is_removed_at_the_next_sign_in(
    sso, oidc_provider, trondheim, monkeypatch
):
    lost = []
    monkeypatch.setattr(sso_services, "sso_handler_role_lost", lost.append)
    concern = ConcernFactory(
        municipality=trondheim,
        status=Concern.Status.SUBMITTED,
        submitted_at=timezone.now(),
        reference="BEK-2026-000777",
    )
    first = _client()
    sso_sign_in(first, oidc_provider, "kari.testesen")
    user = User.objects.get(username="kari.testesen")
    assert _roles(user) == {Role.Code.COORDINATOR}
    assert concern.reference in first.get(reverse("concerns:inbox")).content.decode()
    assert lost == []

    oidc_provider.set_user("kari.testesen", groups=[support.GROUP_FRONTLINE])
    trip = sso_sign_in(_client(), oidc_provider, "kari.testesen")

    assert trip.response.url == reverse("landing")
    user.refresh_from_db()
    assert _roles(user) == {Role.Code.FRONTLINE}
    assert user.organisation == sso.school
    assert [changed.pk for changed in lost] == [user.pk]
    # What the role gave ends at once, in the session that was already open too.
    assert concern.reference not in first.get(reverse("concerns:inbox")).content.decode()
    detail = reverse("concerns:detail", kwargs={"public_id": concern.public_id})
    assert first.get(detail).status_code == 404
    # The history says who changed the roles: the provider, at sign-in.
    removal = (
        user.history.filter(history_type="~", history_change_reason__isnull=False)
        .order_by("-history_id")
        .first()
    )
    assert removal.history_change_reason == "Sign-in through Testkommune"
    assert removal.history_user is None
    assert {row.role.code for row in removal.roles.all()} == {Role.Code.FRONTLINE}
    assert removal.organisation_id == sso.school.pk
    assert (
        SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.SSO_ROLES_CHANGED)
        .order_by("-pk")
        .values_list("detail", flat=True)
        .first()
        == "testkommune +frontline -coordinator organisation sso-slt→sso-skole"
    )


def test_a_sign_in_with_the_same_groups_changes_nothing(sso, oidc_provider):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    user = User.objects.get(username="ola.provesen")
    role_rows = user.history.first().roles.model  # the historical roles table
    rows = role_rows.objects.count()

    sso_sign_in(_client(), oidc_provider, "ola.provesen")

    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SSO_ROLES_CHANGED).count() == 1
    assert _roles(user) == {Role.Code.FRONTLINE}
    # Only login()'s own last_login row, which copies the one role once more.
    assert role_rows.objects.count() == rows + 1


def test_a_platform_admin_role_given_here_is_never_taken_by_a_sign_in(sso, oidc_provider):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    user = User.objects.get(username="ola.provesen")
    user.roles.add(Role.objects.get_or_create(code=Role.Code.PLATFORM_ADMIN)[0])
    oidc_provider.set_user("ola.provesen", groups=[support.GROUP_UNMAPPED])

    sso_sign_in(_client(), oidc_provider, "ola.provesen")

    assert _roles(user) == {Role.Code.PLATFORM_ADMIN}


def test_no_mapping_row_can_make_a_platform_admin(sso):
    user = UserFactory(username="utenfor", organisation=None, roles=[Role.Code.FRONTLINE])
    GroupMapping.objects.create(
        provider=sso.provider,
        group="snarvei",
        role=Role.objects.get_or_create(code=Role.Code.PLATFORM_ADMIN)[0],
        organisation=sso.school,
    )  # written around clean(), as a data script might

    sso_roles_apply(user=user, provider=sso.provider, groups=["snarvei"])

    assert _roles(user) == set()


def test_the_case_handler_roles_are_the_case_sides(sso):
    assert CASE_HANDLER_ROLE_CODES == CASE_HANDLER_ROLES


def test_a_taken_username_gets_a_suffix(sso, oidc_provider):
    local = UserFactory(username="ola.provesen")

    sso_sign_in(_client(), oidc_provider, "ola.provesen")

    made = User.objects.get(external_identities__subject="7c2f-ola")
    assert made.username == "ola.provesen-2" and made != local
    local.refresh_from_db()
    assert _roles(local) == {Role.Code.FRONTLINE} and local.external_identities.count() == 0


def test_the_refresh_token_is_encrypted_at_rest_and_kept_out_of_history(sso, oidc_provider):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    identity = ExternalIdentity.objects.get(subject="7c2f-ola")

    assert identity.refresh_token
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT refresh_token FROM partners_externalidentity WHERE id = %s", [identity.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored and identity.refresh_token not in stored
    history_fields = {field.name for field in identity.history.model._meta.fields}
    assert "refresh_token" not in history_fields
    assert "session_key" not in {field.name for field in ProviderSession.history.model._meta.fields}


def test_the_provider_can_rotate_its_keys_without_a_restart_here(sso, oidc_provider):
    oidc_provider.rotate_keys()
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")
    assert trip.response.url == reverse("landing")
    assert SESSION_KEY in client.session


# --- waiting for a role -----------------------------------------------------------------------


def _every_page_url(patterns=None, prefix="/"):
    """Every URL without parameters that is not a step of signing in."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = f"{prefix}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            yield from _every_page_url(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and not pattern.pattern.converters
            and not getattr(pattern.callback, "second_factor_exempt", False)
            and not getattr(pattern.callback, "role_not_required", False)
        ):
            yield route


def test_without_a_role_the_waiting_page_is_all_there_is(
    sso, oidc_provider, registry_admin, trondheim
):
    registry_admin.email = "rita.registerforer@testkommune.example"
    registry_admin.save()
    concern = ConcernFactory(municipality=trondheim)
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "nils.ventesen")

    waiting = reverse("identity:sso_waiting")
    assert trip.response.url == waiting
    page = client.get(waiting).content.decode()
    assert "You are signed in, but no role has been given to you yet" in page
    assert "Rita Registerfører" in page
    assert registry_admin.email not in page
    assert reverse("concerns:new") not in page  # no menu that leads nowhere
    user = User.objects.get(username="nils.ventesen")
    assert _roles(user) == set() and user.organisation is None

    urls = [
        *_every_page_url(),
        reverse("concerns:detail", kwargs={"public_id": concern.public_id}),
        reverse("admin:index"),
    ]
    assert reverse("home") in urls and reverse("concerns:inbox") in urls
    for url in urls:
        if url == waiting:
            continue
        response = client.get(url)
        assert response.status_code == 302 and response.url == waiting, url
        assert concern.observations not in response.content.decode()


def test_groups_in_two_organisations_give_no_role_and_the_page_says_why(
    sso, oidc_provider, registry_admin
):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "siri.todelt")

    assert trip.response.url == reverse("identity:sso_waiting")
    user = User.objects.get(username="siri.todelt")
    assert _roles(user) == set() and user.organisation is None
    page = client.get(trip.response.url).content.decode()
    assert 'data-testid="organisation-conflict"' in page


def test_someone_with_a_role_is_sent_on_from_the_waiting_page(sso, oidc_provider):
    client = _client()
    sso_sign_in(client, oidc_provider, "ola.provesen")
    response = client.get(reverse("identity:sso_waiting"))
    assert response.status_code == 302 and response.url == reverse("landing")


# --- the second factor ------------------------------------------------------------------------


def test_a_token_without_mfa_leads_to_our_totp_step(sso, oidc_provider, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")  # amr: pwd only

    assert client.session[SSO_MFA] is False
    home = client.get(trip.response.url)
    assert home.status_code == 302
    assert home.url.startswith(reverse("identity:setup"))


def test_mfa_in_amr_passes_the_second_factor(sso, oidc_provider, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "kari.testesen")  # amr: pwd mfa

    assert client.get(trip.response.url, follow=True).status_code == 200


def test_an_acr_the_provider_counts_passes_the_second_factor(sso, oidc_provider, settings):
    settings.TWO_FACTOR_REQUIRED = True
    sso.provider.mfa_amr_values = ""
    sso.provider.mfa_acr_values = "urn:test:loa:high"
    sso.provider.save()
    oidc_provider.set_user("ola.provesen", acr="urn:test:loa:high")
    try:
        client = _client()
        trip = sso_sign_in(client, oidc_provider, "ola.provesen")
        assert client.get(trip.response.url, follow=True).status_code == 200
        other = _client()
        trip = sso_sign_in(other, oidc_provider, "kari.testesen")  # mfa in amr, no longer counted
        assert other.get(trip.response.url).status_code == 302
    finally:
        oidc_provider.set_user("ola.provesen", acr="")


def test_a_password_sign_in_forgets_a_provider_sessions_mfa(sso, oidc_provider, settings):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    user = User.objects.get(username="ola.provesen")
    user.set_password("et-langt-testpassord-42")
    user.save()
    client = _client()
    session = client.session
    session[SSO_MFA] = True
    session.save()
    settings.TWO_FACTOR_REQUIRED = True

    client.post(
        reverse("login"), {"username": "ola.provesen", "password": "et-langt-testpassord-42"}
    )

    assert SSO_MFA not in client.session
    assert client.get(reverse("home")).url.startswith(reverse("identity:setup"))


# --- refusals ---------------------------------------------------------------------------------


def test_a_state_this_session_did_not_start_is_refused(sso, oidc_provider):
    client = _client()
    response = client.get(
        reverse("identity:sso_callback", kwargs={"slug": support.SLUG}),
        {"code": "a-code", "state": "a-state-nobody-made"},
    )

    assert response.url == reverse("login")
    assert "took too long or was started in another window" in _page_after(client, response)
    assert _refusals() == ["testkommune: state_mismatch"]
    assert SESSION_KEY not in client.session


def test_a_state_started_for_another_provider_is_refused(sso, oidc_provider):
    IdentityProvider.objects.create(
        slug="annen", name="Annen kommune", issuer=oidc_provider.url, client_id="annen"
    ).organisations.set([sso.school])
    client = _client()
    start = client.get(reverse("identity:sso_start", kwargs={"slug": support.SLUG}))
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(start["Location"]).query)["state"][0]

    response = client.get(
        reverse("identity:sso_callback", kwargs={"slug": "annen"}),
        {"code": "a-code", "state": state},
    )

    assert response.url == reverse("login")
    assert _refusals() == ["annen: state_mismatch"]


def test_a_replayed_callback_is_refused(sso, oidc_provider):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")
    assert trip.response.url == reverse("landing")

    attacker = _client()
    assert attacker.get(trip.callback).url == reverse("login")
    again = client.get(trip.callback)
    assert again.url == reverse("login")
    assert _refusals() == ["testkommune: state_mismatch", "testkommune: state_mismatch"]


def test_an_error_from_the_provider_is_refused_with_a_message(sso, oidc_provider):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen", cancel=True)

    assert "error=access_denied" in trip.callback
    assert trip.response.url == reverse("login")
    assert "Testkommune did not sign you in" in _page_after(client, trip.response)
    assert _refusals() == ["testkommune: provider_error access_denied"]
    assert not User.objects.filter(username="ola.provesen").exists()


def test_a_switched_off_account_is_refused_and_told_whom_to_ask(sso, oidc_provider):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    user = User.objects.get(username="ola.provesen")
    user.is_active = False
    user.save()
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")

    assert trip.response.url == reverse("login")
    page = _page_after(client, trip.response)
    assert "Your account here is switched off. Ask your registry admin" in page
    assert SESSION_KEY not in client.session
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.SSO_REFUSED).user == user


def test_a_missing_client_secret_is_refused_before_the_person_leaves(sso, monkeypatch):
    monkeypatch.delenv(support.SECRET_ENV)
    client = _client()
    response = client.get(reverse("identity:sso_start", kwargs={"slug": support.SLUG}))

    assert response.url == reverse("login")
    assert "cannot be reached right now" in _page_after(client, response)
    assert _refusals() == ["testkommune: secret_missing"]
    with pytest.raises(ProviderSecretMissing, match=support.SECRET_ENV):
        sso.provider.client_secret()


def test_the_secret_may_come_from_a_file(sso, monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(support.CLIENT_SECRET + "\n")
    monkeypatch.delenv(support.SECRET_ENV)
    monkeypatch.setenv(f"{support.SECRET_ENV}_FILE", str(secret_file))
    assert sso.provider.client_secret() == support.CLIENT_SECRET


def test_an_inactive_or_unknown_provider_has_no_start(sso):
    sso.provider.is_active = False
    sso.provider.save()
    client = _client()
    assert (
        client.get(reverse("identity:sso_start", kwargs={"slug": support.SLUG})).status_code == 404
    )
    assert client.get(reverse("identity:sso_start", kwargs={"slug": "ingen"})).status_code == 404


def test_the_provider_backend_never_accepts_a_password(sso, oidc_provider, rf):
    sso_sign_in(_client(), oidc_provider, "ola.provesen")
    user = User.objects.get(username="ola.provesen")
    from partners.backends import ProviderBackend

    request = rf.post("/")
    assert ProviderBackend().authenticate(request, username=user.username, password="") is None
    assert authenticate(request, username=user.username, password="") is None


# --- the ID token's checks, run against the provider's published keys ------------------------


@pytest.fixture
def verifier(sso, oidc_provider):
    """Our ID token verification, with the provider's published JWKS fetched over HTTP."""
    client = protocol.provider_client(sso.provider)

    def verify(token: str, nonce: str) -> dict:
        return protocol.id_token_verify(sso.provider, client, token, nonce=nonce)

    return verify


def _other_key_token(oidc_provider, claims) -> str:
    real_kid = oidc_provider.private_jwks()["keys"][0]["kid"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": real_kid})


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("signed_by_another_key", "bad_signature"),
        ("wrong_issuer", "wrong_issuer"),
        ("wrong_audience", "wrong_audience"),
        ("expired", "expired"),
        ("no_iat", "missing_claim"),
        ("no_sub", "missing_claim"),
        ("several_audiences_without_azp", "wrong_azp"),
        ("azp_of_another_client", "wrong_azp"),
        ("another_nonce", "nonce_mismatch"),
        ("no_nonce", "nonce_mismatch"),
        ("hs256_with_the_secret", "alg_not_allowed"),
        ("unsigned", "alg_not_allowed"),
        ("unknown_kid", "unknown_key"),
        ("not_a_token", "malformed"),
    ],
)
def test_a_token_with_one_thing_wrong_is_refused(verifier, oidc_provider, case, reason):
    nonce = f"nonce-{case}-{time.time_ns()}"
    now = int(time.time())
    changes = {
        "wrong_issuer": {"iss": oidc_provider.url + "/other"},
        "wrong_audience": {"aud": "another-client"},
        "expired": {"iat": now - 900, "exp": now - 61 - 5},
        "no_iat": {"iat": None},
        "no_sub": {"sub": None},
        "several_audiences_without_azp": {"aud": [support.CLIENT_ID, "another-client"]},
        "azp_of_another_client": {"azp": "another-client"},
        "another_nonce": {"nonce": "a-nonce-from-another-flow"},
        "no_nonce": {"nonce": None},
    }.get(case, {})
    claims = id_claims(oidc_provider, nonce=nonce)
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    if case == "signed_by_another_key":
        token = _other_key_token(oidc_provider, claims)
    elif case == "hs256_with_the_secret":
        token = jwt.encode(claims, support.CLIENT_SECRET, algorithm="HS256")
    elif case == "unsigned":
        token = jwt.encode(claims, None, algorithm="none")
    elif case == "unknown_kid":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "no-such-key"})
    elif case == "not_a_token":
        token = "not.a.token"
    else:
        token = sign(oidc_provider, claims)

    with pytest.raises(protocol.SsoRefused) as refused:
        verifier(token, nonce)
    assert refused.value.reason == reason


def test_a_token_that_is_right_is_accepted_once(verifier, oidc_provider):
    nonce = f"nonce-once-{time.time_ns()}"
    token = sign(
        oidc_provider,
        id_claims(oidc_provider, nonce=nonce, aud=[support.CLIENT_ID, "x"], azp=support.CLIENT_ID),
    )

    assert verifier(token, nonce)["sub"] == "5b1e-kari"
    with pytest.raises(protocol.SsoRefused) as replayed:
        verifier(token, nonce)
    assert replayed.value.reason == "nonce_replayed"


def test_a_real_id_token_cannot_be_used_twice(sso, oidc_provider, verifier):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")
    flow_nonce = jwt.decode(
        client.session[protocol.SSO_ID_TOKEN], options={"verify_signature": False}
    )["nonce"]
    assert trip.response.url == reverse("landing")

    with pytest.raises(protocol.SsoRefused) as replayed:
        verifier(client.session[protocol.SSO_ID_TOKEN], flow_nonce)
    assert replayed.value.reason == "nonce_replayed"


def test_a_token_within_the_leeway_is_accepted(verifier, oidc_provider):
    nonce = f"nonce-leeway-{time.time_ns()}"
    now = int(time.time())
    token = sign(oidc_provider, id_claims(oidc_provider, nonce=nonce, iat=now - 600, exp=now - 30))
    assert verifier(token, nonce)["sub"] == "5b1e-kari"


# --- signing out ------------------------------------------------------------------------------


def test_signing_out_ends_our_session_and_then_the_providers(sso, oidc_provider):
    client = _client()
    trip = sso_sign_in(client, oidc_provider, "ola.provesen")
    id_token = client.session[protocol.SSO_ID_TOKEN]
    session_key = client.session.session_key

    response = client.post(reverse("logout"))

    assert response.status_code == 200
    onward = _moves_on_to(response)
    end_session = oidc_provider.discovery()["end_session_endpoint"]
    assert onward.startswith(end_session + "?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(onward).query)
    assert query == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": [support.SIGNED_OUT],
        "client_id": [support.CLIENT_ID],
    }
    assert SESSION_KEY not in client.session
    assert not ProviderSession.objects.filter(session_key=session_key).exists()
    back = support.rp_logout_at_provider(trip.browser, onward)
    assert back.startswith(support.SIGNED_OUT)
    # The provider has forgotten the person: the next trip shows its login page again.
    page = trip.browser.follow("GET", sso_sign_in_url(client))
    assert page.status_code == 200 and 'id="password"' in page.text


def _moves_on_to(response) -> str:
    """Where the page moves on to: its meta refresh, the same as its one link."""
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page)
    link = re.search(r'<a [^>]*href="([^"]+)" data-testid="leaving"', page)
    assert refresh and link and refresh.group(1) == link.group(1), page
    return html.unescape(refresh.group(1))


def sso_sign_in_url(client) -> str:
    return client.get(reverse("identity:sso_start", kwargs={"slug": support.SLUG}))["Location"]


def test_a_password_session_signs_out_as_before(sso, people):
    client = _client()
    client.force_login(people.alice)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")


def _logout_tokens(result: dict) -> list[str]:
    return [sent["logout_token"] for sent in result["sent"]]


def test_a_backchannel_logout_ends_the_session(sso, oidc_provider, backchannel_receiver):
    client = _client()
    sso_sign_in(client, oidc_provider, "per.avlogget")
    assert client.get(reverse("home")).status_code == 200
    user = User.objects.get(username="per.avlogget")
    backchannel_receiver.tokens.clear()

    result = oidc_provider.backchannel_logout("per.avlogget")
    assert backchannel_receiver.tokens == _logout_tokens(result)  # what the provider posted
    provider_side = Client()
    url = reverse("identity:sso_backchannel_logout", kwargs={"slug": support.SLUG})
    for token in backchannel_receiver.tokens:
        response = provider_side.post(url, {"logout_token": token})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"

    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ProviderSession.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.SSO_LOGGED_OUT_BY_PROVIDER, detail="testkommune"
    ).exists()
    # The same token again is a replay.
    replay = provider_side.post(url, {"logout_token": backchannel_receiver.tokens[0]})
    assert replay.status_code == 400 and replay.content == b""


def test_a_backchannel_logout_by_sid_leaves_the_persons_other_sessions(sso, oidc_provider):
    first, second = _client(), _client()
    sso_sign_in(first, oidc_provider, "per.avlogget")
    sso_sign_in(second, oidc_provider, "per.avlogget")
    sid = ProviderSession.objects.get(session_key=first.session.session_key).sid
    now = int(time.time())
    token = sign(
        oidc_provider,
        {
            "iss": oidc_provider.url,
            "aud": support.CLIENT_ID,
            "iat": now,
            "exp": now + 120,
            "jti": f"jti-{time.time_ns()}",
            "sub": "3f5c-per",
            "sid": sid,
            "events": {protocol.BACKCHANNEL_LOGOUT_EVENT: {}},
        },
        headers={"typ": "logout+jwt"},
    )
    url = reverse("identity:sso_backchannel_logout", kwargs={"slug": support.SLUG})
    assert Client().post(url, {"logout_token": token}).status_code == 200

    assert first.get(reverse("home")).status_code == 302
    assert second.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "no_token",
        "garbage",
        "id_token_with_nonce",
        "no_event",
        "no_sub_or_sid",
        "no_jti",
        "wrong_audience",
        "another_key",
        "unknown_provider",
    ],
)
def test_a_bad_logout_token_gets_400_and_ends_nothing(sso, oidc_provider, case):
    client = _client()
    sso_sign_in(client, oidc_provider, "per.avlogget")
    now = int(time.time())
    claims = {
        "iss": oidc_provider.url,
        "aud": support.CLIENT_ID,
        "iat": now,
        "exp": now + 120,
        "jti": f"jti-{case}-{time.time_ns()}",
        "sub": "3f5c-per",
        "events": {protocol.BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    slug = support.SLUG
    if case == "id_token_with_nonce":
        claims["nonce"] = "n"
    elif case == "no_event":
        del claims["events"]
    elif case == "no_sub_or_sid":
        del claims["sub"]
    elif case == "no_jti":
        del claims["jti"]
    elif case == "wrong_audience":
        claims["aud"] = "another-client"
    elif case == "unknown_provider":
        slug = "ingen"
    token = sign(oidc_provider, claims)
    if case == "another_key":
        token = _other_key_token(oidc_provider, claims)
    data = {} if case == "no_token" else {"logout_token": "x.y.z" if case == "garbage" else token}

    response = Client().post(
        reverse("identity:sso_backchannel_logout", kwargs={"slug": slug}), data
    )

    assert response.status_code == 400
    assert response.content == b""
    assert response["Cache-Control"] == "no-store"
    assert client.get(reverse("home")).status_code == 200


def test_the_backchannel_endpoint_takes_post_only(sso):
    url = reverse("identity:sso_backchannel_logout", kwargs={"slug": support.SLUG})
    assert Client().get(url).status_code == 405


# --- the provider row ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "valid"),
    [
        ("https://login.microsoftonline.com/0000/v2.0", True),
        ("http://127.0.0.1:9001", True),
        ("http://localhost:8080/realms/test", True),
        ("http://idp.trondheim.example", False),
        ("https://idp.example/?tenant=1", False),
        ("ftp://idp.example", False),
    ],
)
def test_an_issuer_must_be_https_unless_on_this_machine(issuer, valid):
    provider = IdentityProvider(slug="k", name="K", issuer=issuer, client_id="c")
    errors = _errors(provider)
    assert ("issuer" not in errors) == valid, errors


def _errors(obj) -> dict:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=["organisations"])
    except ValidationError as error:
        return error.message_dict
    return {}


def test_email_domains_are_checked_and_not_shared_by_two_active_providers(sso):
    bad = IdentityProvider(
        slug="k",
        name="K",
        issuer="https://idp.example",
        client_id="c",
        email_domains="not a domain!",
    )
    assert "email_domains" in _errors(bad)
    taken = IdentityProvider(
        slug="k",
        name="K",
        issuer="https://idp.example",
        client_id="c",
        email_domains=f"@Example.org, {support.EMAIL_DOMAIN}",
    )
    assert "email_domains" in _errors(taken)
    assert taken.email_domain_list() == ["example.org", support.EMAIL_DOMAIN]


def test_two_slugs_cannot_share_a_secret_variable(sso):
    clash = IdentityProvider(
        slug="testkommune", name="K", issuer="https://i.example", client_id="c"
    )
    assert "slug" in _errors(clash)
    IdentityProvider.objects.create(
        slug="nord-by", name="Nord", issuer="https://n.example", client_id="c"
    )
    twin = IdentityProvider(slug="nord_by", name="K", issuer="https://i.example", client_id="c")
    assert twin.secret_env_name == "OIDC_CLIENT_SECRET_NORD_BY"
    assert "slug" in _errors(twin)


def test_a_mapping_must_name_an_organisation_the_provider_serves(sso, people):
    mapping = GroupMapping(
        provider=sso.provider,
        group="g",
        role=Role.objects.get(code=Role.Code.FRONTLINE),
        organisation=people.dana.organisation,
    )
    assert "organisation" in _errors(mapping)
    mapping.organisation = sso.school
    assert _errors(mapping) == {}
    mapping.role = Role.objects.get_or_create(code=Role.Code.PLATFORM_ADMIN)[0]
    assert "role" in _errors(mapping)
