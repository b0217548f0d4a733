"""Driving single sign-on against the real test provider (tests/oidc_provider/).

Our side runs in the Django test client; the provider's login page is driven
by a `requests.Session`, which follows the provider's redirects until the
provider sends the browser to http://testserver/…/callback/. Our server's token
request and JWKS fetch are real HTTP to the provider. Every person is invented.
"""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

import jwt
import requests
from django.test import Client
from django.urls import reverse

from tests.oidc_provider import OidcProvider, free_port

SLUG = "testkommune"
PROVIDER_NAME = "Testkommune"
CLIENT_ID = "bekymring-test"
CLIENT_SECRET = "only-for-the-test-provider-and-nowhere-else"
SECRET_ENV = "OIDC_CLIENT_SECRET_TESTKOMMUNE"
EMAIL_DOMAIN = "testkommune.example"
PASSWORD = "correct horse battery staple"
CALLBACK = f"http://testserver/accounts/sso/{SLUG}/callback/"
SIGNED_OUT = "http://testserver/accounts/login/"

GROUP_FRONTLINE = "bekymring-frontline"
GROUP_COORDINATOR = "bekymring-koordinator"
GROUP_ELSEWHERE = "bekymring-annen-etat"
GROUP_UNMAPPED = "kantine-gruppen"

USERS = [
    {
        "sub": "5b1e-kari",
        "username": "kari.testesen",
        "password": PASSWORD,
        "email": f"kari.testesen@{EMAIL_DOMAIN}",
        "name": "Kari Testesen",
        "given_name": "Kari",
        "family_name": "Testesen",
        "groups": [GROUP_COORDINATOR],
        "amr": ["pwd", "mfa"],
    },
    {
        "sub": "7c2f-ola",
        "username": "ola.provesen",
        "password": PASSWORD,
        "email": f"ola.provesen@{EMAIL_DOMAIN}",
        "name": "Ola Prøvesen",
        "given_name": "Ola",
        "family_name": "Prøvesen",
        "groups": [GROUP_FRONTLINE],
        "amr": ["pwd"],
    },
    {
        "sub": "9d3a-nils",
        "username": "nils.ventesen",
        "password": PASSWORD,
        "email": f"nils.ventesen@{EMAIL_DOMAIN}",
        "name": "Nils Ventesen",
        "given_name": "Nils",
        "family_name": "Ventesen",
        "groups": [GROUP_UNMAPPED],
        "amr": ["pwd", "mfa"],
    },
    {
        "sub": "1e4b-siri",
        "username": "siri.todelt",
        "password": PASSWORD,
        "name": "Siri Todelt",
        "given_name": "Siri",
        "family_name": "Todelt",
        "groups": [GROUP_FRONTLINE, GROUP_ELSEWHERE],
        "amr": ["pwd", "mfa"],
    },
    {
        "sub": "3f5c-per",
        "username": "per.avlogget",
        "password": PASSWORD,
        "name": "Per Avlogget",
        "given_name": "Per",
        "family_name": "Avlogget",
        "groups": [GROUP_FRONTLINE],
        "amr": ["pwd", "mfa"],
    },
]


class BackchannelReceiver(http.server.BaseHTTPRequestHandler):
    """Takes the provider's logout tokens; a test hands them to our view through the test client."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.server.tokens.extend(form.get("logout_token", []))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def start_receiver() -> http.server.HTTPServer:
    server = http.server.HTTPServer(("127.0.0.1", free_port()), BackchannelReceiver)
    server.tokens = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def provider_config(receiver_port: int) -> dict:
    return {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "client_name": "Bekymring (test)",
                "redirect_uris": [CALLBACK],
                "post_logout_redirect_uris": [SIGNED_OUT],
                "backchannel_logout_uri": f"http://127.0.0.1:{receiver_port}/backchannel/",
                "grant_types": ["authorization_code", "refresh_token"],
            }
        ],
        "users": USERS,
    }


# --- the provider's pages ----------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=attrs.get("action") or ""))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1].fields[attrs["name"]] = attrs.get("value") or ""


def forms_in(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class ProviderBrowser:
    """The person's browser at the provider: keeps the provider's cookies, stops when it leaves."""

    def __init__(self, provider: OidcProvider):
        self.issuer = provider.url
        self.session = requests.Session()

    def follow(self, method: str, url: str, data: dict | None = None) -> requests.Response:
        response = self.session.request(method, url, data=data, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            target = urllib.parse.urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.issuer + "/"):
                return response
            response = self.session.get(target, allow_redirects=False, timeout=10)
        raise AssertionError("the provider redirected too often")

    def submit(self, response: requests.Response, action_suffix: str, **values):
        form = next(form for form in forms_in(response.text) if form.action.endswith(action_suffix))
        action = urllib.parse.urljoin(response.url, form.action)
        return self.follow("POST", action, {**form.fields, **values})


def _back_at_testserver(response: requests.Response) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    location = response.headers["Location"]
    assert location.startswith("http://testserver/"), location
    parts = urllib.parse.urlsplit(location)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class SignIn:
    """One trip through the provider: where it sent the browser back to, and our answer."""

    browser: ProviderBrowser
    authorization_url: str
    callback: str = ""
    response: object = None


def sso_sign_in(
    client: Client,
    provider: OidcProvider,
    username: str,
    *,
    browser: ProviderBrowser | None = None,
    password: str = PASSWORD,
    query: str = "",
    cancel: bool = False,
) -> SignIn:
    """Start here, sign in at the provider (unless still signed in there), return our answer."""
    start = client.get(reverse("identity:sso_start", kwargs={"slug": SLUG}) + query)
    assert start.status_code == 302, start.status_code
    trip = SignIn(browser=browser or ProviderBrowser(provider), authorization_url=start["Location"])
    assert trip.authorization_url.startswith(provider.url + "/"), trip.authorization_url
    page = trip.browser.follow("GET", trip.authorization_url)
    if page.status_code == 200:
        if cancel:
            page = trip.browser.submit(page, "/abort")
        else:
            page = trip.browser.submit(page, "/login", username=username, password=password)
    trip.callback = _back_at_testserver(page)
    trip.response = client.get(trip.callback)
    return trip


def rp_logout_at_provider(browser: ProviderBrowser, end_session_url: str) -> str:
    """Follow our sign-out redirect through the provider's confirmation; where it sends us back."""
    confirm = browser.follow("GET", end_session_url)
    assert confirm.status_code == 200, confirm.status_code
    form = forms_in(confirm.text)[0]
    done = browser.follow(
        "POST", urllib.parse.urljoin(confirm.url, form.action), {**form.fields, "logout": "yes"}
    )
    assert done.status_code in (302, 303), done.status_code
    return done.headers["Location"]


# --- tokens made with the provider's own keys ------------------------------------------------


def sign(provider: OidcProvider, claims: dict, *, key_index: int = 0, headers=None) -> str:
    """A JWT signed with the provider's real private key (so only the claims are wrong)."""
    jwk = provider.private_jwks()["keys"][key_index]
    key = jwt.PyJWK(jwk).key
    return jwt.encode(
        claims, key, algorithm="RS256", headers={"kid": jwk["kid"], **(headers or {})}
    )


def id_claims(provider: OidcProvider, *, nonce: str, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": provider.url,
        "aud": CLIENT_ID,
        "sub": "5b1e-kari",
        "iat": now,
        "exp": now + 600,
        "nonce": nonce,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}
