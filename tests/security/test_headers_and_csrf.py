"""CSRF, the Content-Security-Policy, templates CSP can live with, and production settings."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from concerns.models import CaseEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- CSRF -------------------------------------------------------------------------------


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _token(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_case_action_without_a_csrf_token_is_refused(csrf_client, world):
    csrf_client.force_login(world.coordinator)
    url = reverse("concerns:action", args=[world.case.public_id, "note"])
    before = CaseEvent.objects.filter(concern=world.case).count()
    response = csrf_client.post(url, {"text": "Notat uten token."})
    assert response.status_code == 403
    assert CaseEvent.objects.filter(concern=world.case).count() == before


def test_the_same_case_action_with_a_token_goes_through(csrf_client, world):
    """The control: the refusal above is CSRF's doing, not a missing permission."""
    csrf_client.force_login(world.coordinator)
    token = _token(csrf_client, reverse("concerns:detail", args=[world.case.public_id]))
    url = reverse("concerns:action", args=[world.case.public_id, "note"])
    response = csrf_client.post(url, {"text": "Notat med token.", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CaseEvent.objects.filter(concern=world.case, text="Notat med token.").exists()


def test_signing_in_without_a_csrf_token_is_refused(csrf_client, people):
    response = csrf_client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session
    people.alice.refresh_from_db()
    assert people.alice.last_login is None


def test_signing_in_with_a_csrf_token_works(csrf_client, people):
    token = _token(csrf_client, reverse("login"))
    response = csrf_client.post(
        reverse("login"),
        {"username": "alice", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert csrf_client.session["_auth_user_id"] == str(people.alice.pk)


# --- Content-Security-Policy and caching ------------------------------------------------

PAGES = {
    "login": (None, lambda w: reverse("login")),
    "home": ("reporter", lambda w: reverse("home")),
    "my concerns": ("reporter", lambda w: reverse("concerns:mine")),
    "directory": ("reporter", lambda w: reverse("partners:directory")),
    "inbox": ("coordinator", lambda w: reverse("concerns:inbox")),
    "case page": ("coordinator", lambda w: reverse("concerns:detail", args=[w.case.public_id])),
    "admin index": ("registry_admin", lambda w: reverse("admin:index")),
}


def _viewer(world, name):
    return world.attackers["registry_admin"] if name == "registry_admin" else getattr(world, name)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_is_sent_with_a_strict_content_security_policy(client, world, page):
    viewer, url = PAGES[page]
    if viewer:
        client.force_login(_viewer(world, viewer))
    response = client.get(url(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{page} has no Content-Security-Policy"
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    directives = _directives(header)
    assert directives.get("script-src") == ["'self'"]
    assert directives.get("frame-ancestors") == ["'none'"]


def test_a_signed_in_case_page_is_not_stored_by_browsers_or_proxies(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("concerns:detail", args=[world.case.public_id]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- templates that a strict CSP does not break ----------------------------------------

SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def _our_template_dirs() -> list[Path]:
    folders = {Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]}
    folders |= {Path(app.path) / "templates" for app in apps.get_app_configs()}
    return sorted(
        folder
        for folder in folders
        if folder.is_dir() and folder.is_relative_to(ROOT) and ".venv" not in folder.parts
    )


def _templates() -> list[Path]:
    return sorted(
        path
        for folder in _our_template_dirs()
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".svg"}
    )


def _problems(text: str) -> list[str]:
    found = [
        "inline <script>"
        for attributes, body in SCRIPT_ELEMENT.findall(text)
        if body.strip() or "src=" not in attributes
    ]
    found += ["style= attribute"] * len(STYLE_ATTRIBUTE.findall(text))
    found += ["on…= event handler"] * len(EVENT_HANDLER.findall(text))
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">\n  go();\n</script>',
        '<div style="color:red">',
        '<button type="button" onclick="go()">',
        "<img\n  src=x\n  onerror=go()>",
    ],
)
def test_the_template_scan_recognises_what_csp_would_block(snippet):
    assert _problems(snippet)


def test_the_template_scan_lets_external_scripts_through():
    assert _problems("<script src=\"{% static 'js/concern_form.js' %}\"></script>") == []


def test_no_template_has_inline_script_style_or_event_handlers():
    templates = _templates()
    assert ROOT / "templates" / "base.html" in templates
    assert len(templates) > 20
    offenders = {
        str(path.relative_to(ROOT)): problems
        for path in templates
        if (problems := _problems(path.read_text()))
    }
    assert offenders == {}


# --- production settings ----------------------------------------------------------------


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "example.org",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://example.org",
            # Production must ignore this: the second factor is not optional there.
            "TWO_FACTOR_REQUIRED": "0",
            "VAR_DIR": str(tmp_path),
            "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLXRlc3Q=",
            "NATIONAL_ID_HMAC_KEY": "production-like-hmac-key-for-the-test",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        }
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_production_settings_pass_check_deploy_without_warnings(production_env):
    result = _run(production_env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_REFERRER_POLICY", "TWO_FACTOR_REQUIRED", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
)}))
"""


def test_production_settings_are_locked_down(production_env):
    result = _run(production_env, "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["TWO_FACTOR_REQUIRED"] is True, "the environment switched off the second factor"
    assert values["ALLOWED_HOSTS"] == ["example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://example.org"]
