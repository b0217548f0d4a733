"""Signing in: lockout after wrong passwords, the second factor, and session limits.

Everything here goes through the real sign-in page (django-axes sees the
request, django-otp checks real codes), with time moved by time_machine.
Every person is invented.
"""

import datetime
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import polib
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.identity.models import SecurityEvent
from tests.factories import TEST_PASSWORD, ConcernFactory

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "helt-feil-passord-987"
# A whole minute: a TOTP step (30 s) starts here, so a few seconds' shift stays in the step.
START = datetime.datetime(2026, 3, 10, 9, 0, 1, tzinfo=datetime.UTC)
DA_PO = Path(settings.BASE_DIR) / "locale" / "da" / "LC_MESSAGES" / "django.po"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


# --- helpers -------------------------------------------------------------------------------


def _client(*, language: str = "en", address: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _sign_in(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _sign_out(client: Client):
    return client.post(reverse("logout"))


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def _redirects_to(response, name: str, next_url: str | None = None) -> bool:
    if response.status_code != 302:
        return False
    expected = reverse(name)
    if next_url is not None:
        return response.url == f"{expected}?{urlencode({'next': next_url})}"
    return response.url == expected or response.url.startswith(f"{expected}?")


def _totp(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _wrong_totp(device: TOTPDevice) -> str:
    """A six-digit code that no step within the device's tolerance accepts."""
    valid = {_totp(device, offset_steps=offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def _confirmed_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _without_csrf(content: bytes) -> str:
    return CSRF_VALUE.sub(r"\1\2", content.decode())


def _fail_password(client: Client, username: str, times: int) -> list[int]:
    return [_sign_in(client, username, WRONG_PASSWORD).status_code for _ in range(times)]


def _page_urls(patterns=None, prefix="/"):
    """Every URL without parameters that is not a step of signing in (the admin's own aside)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = f"{prefix}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            if route != "/admin/":
                yield from _page_urls(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and not pattern.pattern.converters
            and not getattr(pattern.callback, "second_factor_exempt", False)
        ):
            yield route


# --- lockout -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(people):
    client = _client()
    statuses = _fail_password(client, people.alice.username, 5)
    assert statuses[:4] == [200, 200, 200, 200]

    response = _sign_in(client, people.alice.username, TEST_PASSWORD)

    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert not _signed_in(client)
    assert _redirects_to(client.get(reverse("home")), "login")


def test_unknown_username_gets_the_same_lockout_answer_as_a_known_one(people):
    client = _client()
    _fail_password(client, people.bob.username, 5)
    known = _sign_in(client, people.bob.username, TEST_PASSWORD)
    _fail_password(client, "ingen.slik.bruker", 5)
    unknown = _sign_in(client, "ingen.slik.bruker", TEST_PASSWORD)

    assert known.status_code == unknown.status_code == 429
    assert _without_csrf(known.content) == _without_csrf(unknown.content)


def test_twenty_failures_from_one_address_lock_that_address(people):
    attacker = _client(address="203.0.113.7")
    for n in range(20):
        _sign_in(attacker, f"gjettet.navn.{n}", WRONG_PASSWORD)

    response = _sign_in(attacker, people.charlie.username, TEST_PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(attacker)
    # The username itself was never tried: from another address it still signs in.
    elsewhere = _client(address="198.51.100.23")
    assert _redirects_to(_sign_in(elsewhere, people.charlie.username), "landing")
    assert _signed_in(elsewhere)


def test_nineteen_failures_from_one_address_do_not_lock_it(people):
    client = _client(address="203.0.113.8")
    for n in range(19):
        assert _sign_in(client, f"gjettet.navn.{n}", WRONG_PASSWORD).status_code == 200

    response = _sign_in(client, people.charlie.username, TEST_PASSWORD)

    assert _redirects_to(response, "landing")
    assert _signed_in(client)


def test_lockout_page_is_in_the_readers_language(people):
    entry = polib.pofile(str(DA_PO)).find("Sign-in is paused")
    danish = entry.msgstr if entry is not None else ""
    assert danish, f'{DA_PO} has no Danish msgstr for "Sign-in is paused"'
    client = _client(language="da")
    _fail_password(client, people.dana.username, 5)

    response = _sign_in(client, people.dana.username, TEST_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="da">' in page
    assert danish in page
    assert "Sign-in is paused" not in page


def test_lockout_writes_a_security_event(people):
    client = _client(address="192.0.2.44")
    _fail_password(client, people.alice.username, 5)
    _sign_in(client, people.alice.username, TEST_PASSWORD)

    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT)
    assert events.filter(
        user=people.alice, username=people.alice.username, ip_address="192.0.2.44"
    ).exists()


def test_right_password_works_again_after_the_cool_off(people):
    client = _client()
    with time_machine.travel(START, tick=False) as traveller:
        _fail_password(client, people.bob.username, 5)
        assert _sign_in(client, people.bob.username, TEST_PASSWORD).status_code == 429

        traveller.shift(datetime.timedelta(minutes=16))
        response = _sign_in(client, people.bob.username, TEST_PASSWORD)

        assert _redirects_to(response, "landing")
        assert _signed_in(client)
        assert client.get(reverse("home")).status_code == 200


# --- two factor ----------------------------------------------------------------------------


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True
    return settings


def test_without_a_device_home_and_case_pages_redirect_to_setup(two_factor_on, people, trondheim):
    case = ConcernFactory(reporter=people.alice, municipality=trondheim)
    client = _client()
    assert _redirects_to(_sign_in(client, people.alice.username), "landing")

    for url in (
        reverse("home"),
        reverse("concerns:inbox"),
        reverse("concerns:detail", kwargs={"public_id": case.public_id}),
    ):
        assert _redirects_to(client.get(url), "identity:setup", next_url=url), url


def test_without_a_device_nothing_but_the_sign_in_steps_is_reachable(
    two_factor_on, people, trondheim
):
    case = ConcernFactory(reporter=people.alice, municipality=trondheim)
    client = _client()
    _sign_in(client, people.alice.username)
    urls = [
        *_page_urls(),
        reverse("concerns:edit", kwargs={"public_id": case.public_id}),
        reverse("concerns:history", kwargs={"public_id": case.public_id}),
        reverse("admin:index"),
    ]
    assert reverse("identity:account") in urls and reverse("concerns:new") in urls

    for url in urls:
        assert _redirects_to(client.get(url), "identity:setup", next_url=url), f"GET {url}"
        assert _redirects_to(client.post(url), "identity:setup", next_url=url), f"POST {url}"
    assert not StaticDevice.objects.filter(user=people.alice).exists()


def test_setup_page_draws_the_qr_code_inline_on_our_server(two_factor_on, people):
    client = _client()
    _sign_in(client, people.alice.username)

    response = client.get(reverse("identity:setup"))

    assert response.status_code == 200
    page = response.content.decode()
    qr = re.search(r'data-testid="totp-qr">(.*?)</div>', page, re.S)
    assert qr is not None
    assert qr.group(1).strip().startswith("<svg")
    assert "<path" in qr.group(1)
    assert "<img" not in qr.group(1)
    assert not re.search(r'<img[^>]+src="(https?:)?//', page)
    assert "otpauth" not in page
    device = TOTPDevice.objects.get(user=people.alice, confirmed=False)
    assert device.key not in page  # only the base32 form for typing, never a URL with it


def test_setup_with_a_correct_code_confirms_and_shows_recovery_codes_once(two_factor_on, people):
    client = _client()
    user = people.alice
    with time_machine.travel(START, tick=False):
        _sign_in(client, user.username)
        assert client.get(reverse("identity:setup")).status_code == 200
        device = TOTPDevice.objects.get(user=user, confirmed=False)

        response = client.post(reverse("identity:setup"), {"code": _totp(device), "next": "/"})

        assert _redirects_to(response, "identity:recovery_codes", next_url="/")
        device.refresh_from_db()
        assert device.confirmed
        shown = client.get(response.url)
        assert shown.status_code == 200
        listed = re.search(r'data-testid="recovery-codes">(.*?)</ul>', shown.content.decode(), re.S)
        codes = re.findall(r"<li>(\w+)</li>", listed.group(1))
        assert len(codes) == 10
        stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
        assert set(codes) == stored

        again = client.get(reverse("identity:recovery_codes"), follow=True)
        assert not any(code in again.content.decode() for code in codes)

        assert client.get(reverse("home")).status_code == 200


def test_with_a_device_the_password_step_leads_to_verify_and_the_code_passes(two_factor_on, people):
    client = _client()
    device = _confirmed_totp(people.bob)
    with time_machine.travel(START, tick=False):
        assert _redirects_to(_sign_in(client, people.bob.username), "landing")
        home = reverse("home")
        assert _redirects_to(client.get(home), "identity:verify", next_url=home)

        response = client.post(reverse("identity:verify"), {"code": _totp(device), "next": home})

        assert response.status_code == 302 and response.url == home
        assert client.get(home).status_code == 200
        assert SecurityEvent.objects.filter(
            user=people.bob, kind=SecurityEvent.Kind.SECOND_FACTOR_PASSED
        ).exists()


def test_the_same_code_is_refused_the_second_time(two_factor_on, people):
    client = _client()
    device = _confirmed_totp(people.bob)
    with time_machine.travel(START, tick=False):
        code = _totp(device)
        _sign_in(client, people.bob.username)
        assert client.post(reverse("identity:verify"), {"code": code}).status_code == 302
        _sign_out(client)
        assert not _signed_in(client)

        _sign_in(client, people.bob.username)
        response = client.post(reverse("identity:verify"), {"code": code})

        assert response.status_code == 200
        assert "already used" in response.content.decode()
        assert _redirects_to(client.get(reverse("home")), "identity:verify")


def test_wrong_codes_are_throttled_and_logged(two_factor_on, people):
    client = _client()
    device = _confirmed_totp(people.charlie)
    with time_machine.travel(START, tick=False) as traveller:
        _sign_in(client, people.charlie.username)
        wrong = client.post(reverse("identity:verify"), {"code": _wrong_totp(device)})
        assert wrong.status_code == 200
        failed = SecurityEvent.objects.filter(
            user=people.charlie, kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED
        )
        assert failed.count() == 1

        right_too_soon = client.post(reverse("identity:verify"), {"code": _totp(device)})

        assert right_too_soon.status_code == 200
        assert "Wait" in right_too_soon.content.decode()
        assert _redirects_to(client.get(reverse("home")), "identity:verify")
        # The same code a few seconds later (same 30-second step) passes: the refusal was the wait.
        traveller.shift(datetime.timedelta(seconds=5))
        assert client.post(reverse("identity:verify"), {"code": _totp(device)}).status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_signs_in_once(two_factor_on, people):
    client = _client()
    _confirmed_totp(people.dana)
    recovery = StaticDevice.objects.create(user=people.dana, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="oppdikt7")
    StaticToken.objects.create(device=recovery, token="oppdikt8")
    with time_machine.travel(START, tick=False):
        _sign_in(client, people.dana.username)
        first = client.post(reverse("identity:verify"), {"code": "oppdikt7"})
        assert first.status_code == 302
        assert client.get(reverse("home")).status_code == 200
        _sign_out(client)

        # At once: a recovery code is checked as a recovery code only, so
        # there is no wait to sit out on the authenticator.
        _sign_in(client, people.dana.username)
        second = client.post(reverse("identity:verify"), {"code": "oppdikt7"})

        assert second.status_code == 200
        assert "already used" in second.content.decode()
        assert _redirects_to(client.get(reverse("home")), "identity:verify")
    assert (
        SecurityEvent.objects.filter(
            user=people.dana, kind=SecurityEvent.Kind.RECOVERY_CODE_USED
        ).count()
        == 1
    )


def test_with_two_factor_off_a_user_without_device_reaches_home_and_sees_the_demo_notice(
    settings, people
):
    settings.TWO_FACTOR_REQUIRED = False
    client = _client()
    assert 'data-testid="demo-two-factor-off"' in client.get(reverse("login")).content.decode()

    _sign_in(client, people.alice.username)

    assert client.get(reverse("home")).status_code == 200


def test_with_two_factor_on_the_login_page_has_no_demo_notice(two_factor_on):
    response = _client().get(reverse("login"))

    assert response.status_code == 200
    assert 'data-testid="demo-two-factor-off"' not in response.content.decode()
    assert 'id="login-form"' in response.content.decode()


def test_a_user_with_a_device_must_pass_it_even_with_two_factor_off(settings, people):
    settings.TWO_FACTOR_REQUIRED = False
    _confirmed_totp(people.charlie)
    client = _client()

    assert _redirects_to(_sign_in(client, people.charlie.username), "landing")

    for url in (reverse("home"), reverse("concerns:inbox"), reverse("identity:account")):
        assert _redirects_to(client.get(url), "identity:verify", next_url=url), url


# --- sessions ------------------------------------------------------------------------------


def test_idle_session_is_signed_out_after_31_minutes(people):
    client = _client()
    with time_machine.travel(START, tick=False) as traveller:
        _sign_in(client, people.alice.username)
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))

        assert _redirects_to(response, "login")
        assert not _signed_in(client)
        assert _redirects_to(client.get(reverse("home")), "login")
    assert SecurityEvent.objects.filter(
        user=people.alice, kind=SecurityEvent.Kind.SESSION_IDLE
    ).exists()


def test_session_active_every_20_minutes_lasts_two_hours(people):
    client = _client()
    with time_machine.travel(START, tick=False) as traveller:
        _sign_in(client, people.bob.username)
        for _ in range(6):
            traveller.shift(datetime.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200

        assert _signed_in(client)
        assert client.get(reverse("concerns:mine")).status_code == 200
    assert not SecurityEvent.objects.filter(
        user=people.bob,
        kind__in=[SecurityEvent.Kind.SESSION_IDLE, SecurityEvent.Kind.SESSION_EXPIRED],
    ).exists()


def test_even_an_active_session_ends_after_ten_hours(people):
    client = _client()
    with time_machine.travel(START, tick=False) as traveller:
        _sign_in(client, people.charlie.username)
        for _ in range(30):  # 30 × 20 minutes: exactly 10 hours, still in
            traveller.shift(datetime.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200

        traveller.shift(datetime.timedelta(minutes=1))
        response = client.get(reverse("home"))

        assert _redirects_to(response, "login")
        assert not _signed_in(client)
    assert SecurityEvent.objects.filter(
        user=people.charlie, kind=SecurityEvent.Kind.SESSION_EXPIRED
    ).exists()


def test_a_deactivated_user_is_signed_out_on_the_next_request(people, trondheim):
    ConcernFactory(reporter=people.dana, municipality=trondheim)
    client = _client()
    _sign_in(client, people.dana.username)
    assert client.get(reverse("concerns:mine")).status_code == 200

    people.dana.is_active = False
    people.dana.save()

    for url in (reverse("home"), reverse("concerns:mine")):
        response = client.get(url)
        assert _redirects_to(response, "login"), url
        assert response.content == b""


def test_signed_in_pages_are_not_stored(people):
    client = _client()
    _sign_in(client, people.alice.username)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_wrong_authenticator_codes_do_not_block_a_recovery_code(two_factor_on, people):
    """Someone whose phone shows wrong codes falls back to a recovery code at once."""
    client = _client()
    device = _confirmed_totp(people.dana)
    recovery = StaticDevice.objects.create(user=people.dana, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="oppdikt9")
    with time_machine.travel(START, tick=False):
        _sign_in(client, people.dana.username)
        client.post(reverse("identity:verify"), {"code": _wrong_totp(device)})
        response = client.post(reverse("identity:verify"), {"code": "oppdikt9"})
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200
