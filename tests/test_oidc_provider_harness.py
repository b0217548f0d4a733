"""The loopback OpenID provider (tests/oidc_provider/) behaves as our relying party will need.

Driven by plain HTTP (urllib with a cookie jar), no browser and no database: discovery, the
authorization code flow with PKCE, state and nonce, the login page's refusals, the admin API,
back-channel and RP-initiated logout, and key rotation.
"""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import http.server
import json
import os
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

import jwt
import pytest

from tests.oidc_provider import (
    OidcProvider,
    OidcProviderError,
    OidcProviderUnavailable,
    free_port,
)

CLIENT_ID = "bekymring-test"
CLIENT_SECRET = "not-a-real-secret"
OTHER_CLIENT_ID = "other-rp"
REDIRECT_URI = "http://127.0.0.1:8999/oidc/callback/"
POST_LOGOUT_URI = "http://127.0.0.1:8999/signed-out/"
PASSWORD = "correct horse battery staple"

USERS = [
    {
        "sub": "a1b2c3-coordinator",
        "username": "trd-coordinator",
        "password": PASSWORD,
        "email": "kari.testesen@example.test",
        "name": "Kari Testesen",
        "given_name": "Kari",
        "family_name": "Testesen",
        "groups": ["bekymring-trondheim-coordinator"],
        "amr": ["pwd", "mfa"],
        "acr": "urn:example:loa:substantial",
    },
    {
        "sub": "d4e5f6-frontline",
        "username": "trd-frontline",
        "password": PASSWORD,
        "email": "ola.proevesen@example.test",
        "name": "Ola Prøvesen",
        "given_name": "Ola",
        "family_name": "Prøvesen",
        "groups": ["bekymring-trondheim-frontline"],
        "amr": ["pwd"],
    },
    {
        "sub": "g7h8i9-disabled",
        "username": "trd-disabled",
        "password": PASSWORD,
        "name": "Nils Utestengt",
        "groups": [],
        "disabled": True,
    },
    {
        "sub": "j1k2l3-logout",
        "username": "trd-logout",
        "password": PASSWORD,
        "name": "Siri Avlogget",
        "groups": ["bekymring-trondheim-frontline"],
    },
    {
        "sub": "p7q8r9-suspended",
        "username": "trd-suspended",
        "password": PASSWORD,
        "name": "Liv Suspendert",
        "groups": ["bekymring-trondheim-frontline"],
    },
    {
        "sub": "m4n5o6-rotation",
        "username": "trd-rotation",
        "password": PASSWORD,
        "name": "Per Nøkkelsen",
        "groups": [],
    },
]


# -- a tiny back-channel logout receiver ----------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.received.append(
            {"content_type": self.headers.get("Content-Type"), "form": urllib.parse.parse_qs(body)}
        )
        self.send_response(200)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = http.server.HTTPServer(("127.0.0.1", free_port()), _Receiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def provider(receiver):
    port = receiver.server_address[1]
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "client_name": "Bekymring (test)",
                "redirect_uris": [REDIRECT_URI],
                "post_logout_redirect_uris": [POST_LOGOUT_URI],
                "backchannel_logout_uri": f"http://127.0.0.1:{port}/oidc/backchannel-logout/",
            },
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": "another-fake-secret",
                "redirect_uris": ["http://127.0.0.1:8998/callback"],
            },
        ],
        "users": USERS,
    }
    try:
        op = OidcProvider().start(config)
    except OidcProviderUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    yield op
    op.stop()


# -- a cookie-keeping HTTP "browser" that stops at redirects leaving the provider -----------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    url: str
    headers: dict
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}
        self.buttons: list[str] = []
        self._label_for = None
        self._in_button = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=attrs.get("action", "")))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1].fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "label":
            self._label_for = attrs.get("for")
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] = self.labels.get(self._label_for, "") + data.strip()
        if self._in_button:
            self.buttons[-1] += data.strip()


def parse_html(body: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(body)
    return parser


class Browser:
    def __init__(self, provider: OidcProvider):
        self.issuer = provider.url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, method: str, url: str, data: dict | None = None) -> Response:
        url = urllib.parse.urljoin(self.issuer + "/", url)
        encoded = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=encoded, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=10) as response:
                return Response(
                    response.status, url, dict(response.headers), response.read().decode()
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, url, dict(error.headers), error.read().decode())

    def follow(self, method: str, url: str, data: dict | None = None) -> Response:
        """Follow redirects while they stay on the provider; return the first other response."""
        response = self.request(method, url, data)
        for _ in range(10):
            if response.status not in (301, 302, 303, 307, 308):
                return response
            target = urllib.parse.urljoin(response.url, response.location)
            if not target.startswith(self.issuer + "/"):
                return response
            response = self.request("GET", target)
        raise AssertionError("too many redirects")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@dataclass
class Flow:
    browser: Browser
    state: str
    nonce: str
    verifier: str
    response: Response | None = None

    @property
    def callback(self) -> dict:
        query = urllib.parse.urlsplit(self.response.location).query
        return {key: values[0] for key, values in urllib.parse.parse_qs(query).items()}


def authorize(provider: OidcProvider, browser: Browser | None = None, **extra) -> Flow:
    browser = browser or Browser(provider)
    verifier, challenge = pkce_pair()
    flow = Flow(browser, secrets.token_urlsafe(16), secrets.token_urlsafe(16), verifier)
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": "openid email profile groups",
        "redirect_uri": REDIRECT_URI,
        "state": flow.state,
        "nonce": flow.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    endpoint = provider.discovery()["authorization_endpoint"]
    flow.response = browser.follow("GET", f"{endpoint}?{urllib.parse.urlencode(params)}")
    return flow


def sign_in(flow: Flow, username: str, password: str = PASSWORD) -> Flow:
    page = parse_html(flow.response.body)
    form = next(form for form in page.forms if form.action.endswith("/login"))
    flow.response = flow.browser.follow(
        "POST", form.action, {**form.fields, "username": username, "password": password}
    )
    return flow


def exchange(provider: OidcProvider, flow: Flow, auth: str = "basic") -> dict:
    assert flow.response.status in (302, 303), flow.response
    assert flow.response.location.startswith(REDIRECT_URI)
    data = {
        "grant_type": "authorization_code",
        "code": flow.callback["code"],
        "redirect_uri": REDIRECT_URI,
        "code_verifier": flow.verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth == "basic":
        credentials = f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    else:
        data.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    request = urllib.request.Request(  # noqa: S310
        provider.discovery()["token_endpoint"],
        data=urllib.parse.urlencode(data).encode(),
        headers=headers,
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def verify(provider: OidcProvider, token: str, **options) -> dict:
    """Check an RS256 JWT against the provider's published JWKS (not the private keys)."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(key for key in provider.jwks()["keys"] if key["kid"] == kid)
    key = jwt.PyJWK(jwk).key
    return jwt.decode(
        token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=provider.url, **options
    )


def signed_in(provider: OidcProvider, username: str, browser: Browser | None = None):
    flow = sign_in(authorize(provider, browser), username)
    tokens = exchange(provider, flow)
    return flow, tokens, verify(provider, tokens["id_token"])


# -- the tests ------------------------------------------------------------------------------


def test_discovery_lists_what_the_relying_party_relies_on(provider):
    document = provider.discovery()

    assert document["issuer"] == provider.url
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert document[endpoint].startswith(provider.url + "/")
    assert document["end_session_endpoint"] == f"{provider.url}/session/end"
    assert document["backchannel_logout_supported"] is True
    assert document["backchannel_logout_session_supported"] is True
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["response_types_supported"] == ["code"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert {"openid", "email", "profile", "groups"} <= set(document["scopes_supported"])
    assert {"groups", "amr", "acr", "sid", "email", "name"} <= set(document["claims_supported"])
    assert all(key["kty"] == "RSA" and "d" not in key for key in provider.jwks()["keys"])


def test_code_flow_with_pkce_state_and_nonce(provider):
    flow = authorize(provider)
    page = parse_html(flow.response.body)
    assert flow.response.status == 200
    assert page.labels == {"username": "Username", "password": "Password"}
    assert "Sign in" in page.buttons

    sign_in(flow, "trd-coordinator")
    assert flow.callback["state"] == flow.state
    assert flow.callback["iss"] == provider.url
    tokens = exchange(provider, flow)
    claims = verify(provider, tokens["id_token"])

    assert claims["sub"] == "a1b2c3-coordinator"
    assert claims["nonce"] == flow.nonce
    assert claims["groups"] == ["bekymring-trondheim-coordinator"]
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["acr"] == "urn:example:loa:substantial"
    assert claims["email"] == "kari.testesen@example.test"
    assert claims["name"] == "Kari Testesen"
    assert claims["preferred_username"] == "trd-coordinator"
    assert claims["sid"]
    assert jwt.get_unverified_header(tokens["id_token"])["alg"] == "RS256"

    userinfo = urllib.request.Request(  # noqa: S310
        provider.discovery()["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    with urllib.request.urlopen(userinfo, timeout=10) as response:  # noqa: S310
        assert json.loads(response.read())["groups"] == ["bekymring-trondheim-coordinator"]

    # The code is single-use, and a wrong verifier is refused.
    with pytest.raises(urllib.error.HTTPError) as reused:
        exchange(provider, flow, auth="post")
    assert reused.value.code == 400
    other = sign_in(authorize(provider), "trd-coordinator")
    other.verifier = pkce_pair()[0]
    with pytest.raises(urllib.error.HTTPError) as wrong_verifier:
        exchange(provider, other, auth="post")
    assert json.loads(wrong_verifier.value.read())["error"] == "invalid_grant"


def test_pkce_is_required(provider):
    flow = authorize(provider, code_challenge="", code_challenge_method="")

    assert flow.response.location.startswith(REDIRECT_URI)
    assert flow.callback["error"] == "invalid_request"
    assert "PKCE" in flow.callback["error_description"]
    assert flow.callback["state"] == flow.state


def test_wrong_password_and_disabled_user_are_refused(provider):
    flow = sign_in(authorize(provider), "trd-frontline", password="wrong")
    assert flow.response.status == 401
    assert "Wrong username or password." in flow.response.body

    flow = sign_in(authorize(provider), "trd-disabled")
    assert flow.response.status == 403
    assert "This account is disabled." in flow.response.body


def test_a_user_disabled_while_signed_in_must_sign_in_again_and_is_refused(provider):
    browser = Browser(provider)
    signed_in(provider, "trd-suspended", browser)

    provider.set_user("trd-suspended", disabled=True)

    silent = authorize(provider, browser, prompt="none")
    assert silent.callback["error"] == "login_required"
    flow = authorize(provider, browser)
    assert flow.response.status == 200
    assert "This account is disabled." in sign_in(flow, "trd-suspended").response.body


def test_cancel_returns_access_denied(provider):
    flow = authorize(provider)
    cancel = next(form for form in parse_html(flow.response.body).forms if "abort" in form.action)
    flow.response = flow.browser.follow("POST", cancel.action, cancel.fields)

    assert flow.callback["error"] == "access_denied"
    assert flow.callback["state"] == flow.state


def test_changed_groups_show_in_the_next_token(provider):
    browser = Browser(provider)
    _, _, claims = signed_in(provider, "trd-frontline", browser)
    assert claims["groups"] == ["bekymring-trondheim-frontline"]
    assert claims["amr"] == ["pwd"]
    assert "acr" not in claims

    changed = provider.set_user("trd-frontline", groups=["bekymring-trondheim-coordinator"])
    assert changed["groups"] == ["bekymring-trondheim-coordinator"]
    assert provider.get_user("trd-frontline")["groups"] == ["bekymring-trondheim-coordinator"]

    # Still signed in at the provider: no login page, a new code straight away.
    flow = authorize(provider, browser)
    claims = verify(provider, exchange(provider, flow)["id_token"])
    assert claims["groups"] == ["bekymring-trondheim-coordinator"]

    with pytest.raises(OidcProviderError, match="unknown user fields"):
        provider.set_user("trd-frontline", grups=["typo"])


def test_admin_api_needs_the_token(provider):
    request = urllib.request.Request(f"{provider.url}/_admin/keys")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 401


def test_backchannel_logout_from_the_admin_api(provider, receiver):
    browser = Browser(provider)
    _, _, id_claims = signed_in(provider, "trd-logout", browser)
    receiver.received.clear()

    result = provider.backchannel_logout("trd-logout")

    assert result["sessions_ended"] == 1
    assert [(sent["client_id"], sent["status"]) for sent in result["sent"]] == [(CLIENT_ID, 200)]
    assert len(receiver.received) == 1
    posted = receiver.received[0]
    assert posted["content_type"] == "application/x-www-form-urlencoded"
    logout_token = posted["form"]["logout_token"][0]
    assert jwt.get_unverified_header(logout_token)["typ"] == "logout+jwt"
    claims = verify(provider, logout_token)
    assert claims["sub"] == "j1k2l3-logout"
    assert claims["sid"] == id_claims["sid"]
    assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
    assert claims["jti"]
    assert "nonce" not in claims

    # The provider session is gone: the same browser has to sign in again.
    assert authorize(provider, browser).response.status == 200


def test_rp_initiated_logout_redirects_and_sends_backchannel(provider, receiver):
    browser = Browser(provider)
    _, tokens, id_claims = signed_in(provider, "trd-logout", browser)
    receiver.received.clear()
    query = urllib.parse.urlencode(
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "bye",
        }
    )

    confirm = browser.follow("GET", f"{provider.discovery()['end_session_endpoint']}?{query}")
    page = parse_html(confirm.body)
    assert "Sign out" in page.buttons
    form = page.forms[0]
    done = browser.follow("POST", form.action, {**form.fields, "logout": "yes"})

    assert done.status in (302, 303)
    assert done.location == f"{POST_LOGOUT_URI}?state=bye"
    claims = verify(provider, receiver.received[0]["form"]["logout_token"][0])
    assert (claims["sub"], claims["sid"]) == ("j1k2l3-logout", id_claims["sid"])
    assert authorize(provider, browser).response.status == 200


def test_rotate_keys_signs_with_a_new_kid_and_keeps_the_old_published(provider):
    browser = Browser(provider)
    flow, tokens, _ = signed_in(provider, "trd-rotation", browser)
    old_kid = jwt.get_unverified_header(tokens["id_token"])["kid"]

    rotated = provider.rotate_keys()

    assert rotated["kid"] != old_kid
    assert rotated["kids"][0] == rotated["kid"]
    published = [key["kid"] for key in provider.jwks()["keys"]]
    assert published[0] == rotated["kid"] and old_kid in published
    private = provider.private_jwks()["keys"]
    assert private[0]["kid"] == rotated["kid"] and "d" in private[0]
    # Sessions survive the rotation: no login page, and the new token has the new kid.
    flow = authorize(provider, browser)
    tokens = exchange(provider, flow)
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == rotated["kid"]
    assert verify(provider, tokens["id_token"])["sub"] == "m4n5o6-rotation"

    dropped = provider.rotate_keys(drop_old=True)
    assert [key["kid"] for key in provider.jwks()["keys"]] == [dropped["kid"]]
