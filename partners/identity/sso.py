"""The relying party's side of OpenID Connect: what we send to a provider and what we accept back.

Several providers stand side by side as IdentityProvider rows. For each one:

- its discovery document is fetched from issuer + /.well-known/openid-configuration
  and kept in the cache for an hour;
- the authorization code flow runs with PKCE (S256), `state` and `nonce`; the
  three live in the session beside the provider's slug, and the state is
  taken out of the session before anything else is looked at, so a callback
  works once;
- the code is exchanged at the token endpoint with client_secret_basic, by
  mozilla-django-oidc's backend (ADR 0001), subclassed to read its settings
  from the row instead of Django settings;
- the ID token's signature is checked against the provider's JWKS, fetched
  for every verification so a key rotated at the provider works at once;
  `iss`, `aud`, `azp`, `exp`, `iat`, `sub` and `nonce` are checked here with
  PyJWT, and a nonce is accepted once.

Nothing here writes to the database; partners.identity.sso_services does.
Refusals raise SsoRefused with a short reason code that goes to the security
log. A code never holds token content.
"""

import hashlib
import hmac
import logging
import secrets
import time
from urllib.parse import urlencode

import jwt
import requests
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)

from partners.identity.models import IdentityProvider, split_values, url_scheme_problem

logger = logging.getLogger(__name__)

# Session keys. mozilla-django-oidc keeps the pending flows under its own key.
FLOWS = "oidc_states"
SSO_PROVIDER = "sso_provider"  # slug of the provider this session signed in through
SSO_ID_TOKEN = "sso_id_token"  # noqa: S105 (a session key) the ID token, for id_token_hint
SSO_ROLE_CONFLICT = "sso_role_conflict"  # the groups named more than one organisation

# Asymmetric algorithms only: with HS256 the client secret would be the key,
# and "none" is no signature at all.
ALLOWED_ALGORITHMS = ("RS256", "ES256", "PS256")
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 5
DISCOVERY_CACHE_SECONDS = 3600
# Long enough to type a password and a code at the provider, short enough
# that a forgotten tab does not keep a usable state for the rest of the day.
FLOW_MAX_AGE_SECONDS = 15 * 60
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A logout token is a few hundred bytes; a larger one is not worth parsing.
MAX_TOKEN_LENGTH = 16 * 1024


class SsoRefused(Exception):
    """A sign-in or logout that must not go through. `reason` is a short code for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- discovery -------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _discovery_problem(provider: IdentityProvider, document) -> str | None:
    if not isinstance(document, dict):
        return "not a JSON object"
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
    if document.get("issuer") != provider.issuer:
        return "issuer differs"
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or url_scheme_problem(value):
            return f"{name} missing or not https"
    end_session = document.get("end_session_endpoint")
    if end_session is not None and (
        not isinstance(end_session, str) or url_scheme_problem(end_session)
    ):
        return "end_session_endpoint not https"
    return None


def discovery_document(provider: IdentityProvider) -> dict:
    """The provider's discovery document, from the cache when fetched within the hour."""
    key = f"sso:discovery:{_digest(provider.discovery_url)}"
    document = cache.get(key)
    if document is not None:
        return document
    try:
        response = requests.get(
            provider.discovery_url,
            timeout=HTTP_TIMEOUT_SECONDS,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("Discovery for identity provider %s failed: %s", provider.slug, error)
        raise SsoRefused("discovery_failed") from error
    problem = _discovery_problem(provider, document)
    if problem:
        logger.warning("Discovery document of identity provider %s: %s", provider.slug, problem)
        raise SsoRefused("discovery_invalid")
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


# --- mozilla-django-oidc, configured from the row ----------------------------------------------


class ProviderClient(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for one provider row (ADR 0001).

    Used for the token request and the JWKS lookup only. It is never in
    AUTHENTICATION_BACKENDS: its authenticate() would act on any request that
    carries ?code=&state=, and signing in is decided by our callback view.
    """

    def __init__(self, provider: IdentityProvider, document: dict, *, with_secret: bool = True):
        self.provider = provider
        self._settings = {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": document["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": document.get("userinfo_endpoint", ""),
            "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
            "OIDC_RP_CLIENT_ID": provider.client_id,
            # Read from the environment here, never stored: ProviderSecretMissing if unset.
            "OIDC_RP_CLIENT_SECRET": provider.client_secret() if with_secret else "",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_IDP_SIGN_KEY": None,
            "OIDC_RP_SCOPES": provider.scopes,
            # client_secret_basic: the secret goes in the Authorization header, not the body.
            "OIDC_TOKEN_USE_BASIC_AUTH": True,
            "OIDC_TIMEOUT": HTTP_TIMEOUT_SECONDS,
            "OIDC_VERIFY_SSL": True,
            "OIDC_PROXY": None,
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": True,
            "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        }
        super().__init__()

    def get_settings(self, attr, *args):
        if attr in self._settings:
            return self._settings[attr]
        if args:
            return args[0]
        raise ImproperlyConfigured(f"{attr} is not kept on an identity provider.")

    def authenticate(self, request, **kwargs):
        return None

    def signing_key(self, token: str) -> jwt.PyJWK:
        """The published key the token names; fetched twice if the first JWKS lacks it.

        The second fetch covers a provider that began signing with a new key a
        moment after we read its key set.
        """
        for attempt in (1, 2):
            try:
                return self.retrieve_matching_jwk(token)
            except (SuspiciousOperation, KeyError):
                if attempt == 2:
                    raise SsoRefused("unknown_key") from None
            except (requests.RequestException, ValueError, TypeError, jwt.PyJWKError) as error:
                logger.warning("JWKS of identity provider %s: %s", self.provider.slug, error)
                raise SsoRefused("jwks_unavailable") from error
        raise SsoRefused("unknown_key")  # pragma: no cover (the loop returns or raises)


def provider_client(provider: IdentityProvider, *, with_secret: bool = True) -> ProviderClient:
    return ProviderClient(provider, discovery_document(provider), with_secret=with_secret)


# --- the authorization request -------------------------------------------------------------


def callback_url(request, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(
        reverse("identity:sso_callback", kwargs={"slug": provider.slug})
    )


def authorization_url(
    request, provider: IdentityProvider, *, next_url: str = "", login_hint: str = ""
) -> str:
    """Where to send the browser; the flow's secrets are kept in the session until the callback."""
    document = discovery_document(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": callback_url(request, provider),
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(code_verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
    request.session[FLOWS][state].update(provider=provider.slug, next=next_url)
    request.session.modified = True
    if login_hint:
        params["login_hint"] = login_hint
    endpoint = document["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def flow_pop(request, *, state: str, slug: str) -> dict:
    """Take the pending flow out of the session: a state is good for one callback only."""
    flows = request.session.get(FLOWS)
    flow = flows.pop(state, None) if isinstance(flows, dict) and state else None
    request.session.modified = True
    if not isinstance(flow, dict) or flow.get("provider") != slug:
        raise SsoRefused("state_mismatch")
    if time.time() - float(flow.get("added_on") or 0) > FLOW_MAX_AGE_SECONDS:
        raise SsoRefused("state_expired")
    return flow


# --- tokens ------------------------------------------------------------------------------------


def code_exchange(
    request, provider: IdentityProvider, client: ProviderClient, *, code: str, flow: dict
) -> dict:
    """The token response for the code, as the provider sent it."""
    payload = {
        "client_id": provider.client_id,
        "client_secret": client.get_settings("OIDC_RP_CLIENT_SECRET"),
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url(request, provider),
        "code_verifier": flow.get("code_verifier") or "",
    }
    try:
        tokens = client.get_token(payload)
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        logger.warning("Token endpoint of identity provider %s answered %s", provider.slug, status)
        raise SsoRefused("token_endpoint") from None
    except (requests.RequestException, ValueError) as error:
        logger.warning("Token endpoint of identity provider %s: %s", provider.slug, type(error))
        raise SsoRefused("token_endpoint") from None
    if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
        raise SsoRefused("no_id_token")
    return tokens


def _decode(provider: IdentityProvider, client: ProviderClient, token: str, *, require) -> dict:
    if len(token) > MAX_TOKEN_LENGTH:
        raise SsoRefused("malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SsoRefused("malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise SsoRefused("alg_not_allowed")
    key = client.signing_key(token)
    try:
        return jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=provider.client_id,
            issuer=provider.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": list(require)},
        )
    except jwt.InvalidSignatureError:
        raise SsoRefused("bad_signature") from None
    except jwt.ExpiredSignatureError:
        raise SsoRefused("expired") from None
    except jwt.InvalidIssuerError:
        raise SsoRefused("wrong_issuer") from None
    except jwt.InvalidAudienceError:
        raise SsoRefused("wrong_audience") from None
    except jwt.MissingRequiredClaimError:
        raise SsoRefused("missing_claim") from None
    except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
        raise SsoRefused("not_yet_valid") from None
    except jwt.InvalidAlgorithmError:
        raise SsoRefused("alg_not_allowed") from None
    except jwt.PyJWTError:
        raise SsoRefused("invalid_token") from None


def _remember_once(kind: str, provider: IdentityProvider, value: str, expires_at) -> bool:
    """True the first time a value is seen before it expires; False for a replay."""
    try:
        lifetime = int(float(expires_at) - time.time())
    except (TypeError, ValueError):
        lifetime = 0
    timeout = max(lifetime, 0) + LEEWAY_SECONDS
    return cache.add(f"sso:{kind}:{_digest(provider.slug, value)}", 1, timeout)


def id_token_verify(
    provider: IdentityProvider, client: ProviderClient, token: str, *, nonce: str
) -> dict:
    """The ID token's claims, once every check has passed. Raises SsoRefused otherwise."""
    claims = _decode(provider, client, token, require=("iss", "aud", "exp", "iat", "sub"))
    if not isinstance(claims["sub"], str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise SsoRefused("missing_claim")
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    # OpenID Connect Core §3.1.3.7: with several audiences, azp must name us.
    if (several or "azp" in claims) and claims.get("azp") != provider.client_id:
        raise SsoRefused("wrong_azp")
    token_nonce = claims.get("nonce")
    if (
        not nonce
        or not isinstance(token_nonce, str)
        or not hmac.compare_digest(token_nonce.encode(), nonce.encode())
    ):
        raise SsoRefused("nonce_mismatch")
    if not _remember_once("nonce", provider, token_nonce, claims["exp"]):
        raise SsoRefused("nonce_replayed")
    return claims


def logout_token_verify(provider: IdentityProvider, client: ProviderClient, token: str) -> dict:
    """A back-channel logout token's claims (OpenID Connect Back-Channel Logout 1.0 §2.6)."""
    claims = _decode(provider, client, token, require=("iss", "aud", "iat", "exp", "jti"))
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise SsoRefused("logout_event_missing")
    # A nonce would make it usable as an ID token; the spec forbids it for that reason.
    if "nonce" in claims:
        raise SsoRefused("logout_has_nonce")
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) and sub) and not (isinstance(sid, str) and sid):
        raise SsoRefused("logout_without_subject")
    if not isinstance(claims["jti"], str) or not claims["jti"]:
        raise SsoRefused("missing_claim")
    if not _remember_once("jti", provider, claims["jti"], claims["exp"]):
        raise SsoRefused("logout_replayed")
    return claims


# --- what the claims say -------------------------------------------------------------------


def mfa_satisfied(provider: IdentityProvider, claims: dict) -> bool:
    """Whether the provider says the person passed a second factor (amr or acr)."""
    amr = claims.get("amr")
    methods = {value for value in amr if isinstance(value, str)} if isinstance(amr, list) else set()
    if methods & set(split_values(provider.mfa_amr_values)):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in split_values(provider.mfa_acr_values)


def groups_from(provider: IdentityProvider, claims: dict) -> list[str]:
    value = claims.get(provider.groups_claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [group for group in value if isinstance(group, str)]
    return []


def end_session_url(request, *, slug: str, id_token: str) -> str | None:
    """Where to send the browser so the provider signs the person out too (RP-initiated logout)."""
    provider = IdentityProvider.objects.filter(slug=slug).first()
    if provider is None:
        return None
    try:
        endpoint = discovery_document(provider).get("end_session_endpoint")
    except SsoRefused:
        return None
    if not endpoint:
        return None
    params = {
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        "client_id": provider.client_id,
    }
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
