"""With the second factor required, the coordinator sets up an authenticator before any case.

The "authenticator" here computes the code from the key the setup page shows,
as a phone app would from the QR code.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp

from partners.models import User

pytestmark = pytest.mark.browser


def _code_from(secret_on_page: str) -> str:
    secret = "".join(secret_on_page.split())
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_the_coordinator_is_forced_through_two_factor_setup(page, demo_data, settings, screenshot):
    from partners.demo import DEMO_PASSWORD

    settings.TWO_FACTOR_REQUIRED = True
    page.goto("/concerns/inbox/")
    assert page.get_by_test_id("demo-two-factor-off").count() == 0
    page.get_by_label("Brukernavn").fill("trd-coordinator")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    screenshot("1-sign-in")
    page.get_by_role("button", name="Logg inn").click()

    # Not the inbox: the setup page, with a QR code drawn on our own server.
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    assert page.locator("[data-testid=totp-qr] svg").count() == 1
    assert page.get_by_role("link", name="Innboks").count() == 0
    screenshot("2-setup")
    page.goto("/concerns/inbox/")  # no way round it
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))

    page.get_by_text("Kan du ikke skanne?").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Den sekssifrede koden").fill(_code_from(secret))
    page.get_by_role("button", name="Slå på").click()

    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    screenshot("3-recovery-codes")
    page.get_by_role("link", name="Jeg har tatt vare på dem").click()
    page.wait_for_url(re.compile(r"/concerns/inbox/"))
    assert page.get_by_role("heading", name="Innboks").is_visible()
    screenshot("4-inbox")

    # Next sign-in: the password, then a code. A recovery code works once.
    page.get_by_role("button", name="Logg ut").click()
    page.goto("/accounts/login/")
    page.get_by_label("Brukernavn").fill("trd-coordinator")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Kode").fill(codes[0])
    screenshot("5-verify")
    page.get_by_role("button", name="Fortsett").click()
    page.wait_for_url(re.compile(r"/$"))
    assert (
        User.objects.get(username="trd-coordinator")
        .security_events.filter(kind="recovery_code_used")
        .exists()
    )
