"""The registry admin signs in with her second factor and prints the month's public journal."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.models import Concern, JournalEntry
from concerns.services import concern_close
from concerns.services.work import Evaluation
from partners.models import User
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser

# What file_concern writes about the person: none of it may reach the public journal.
PERSON = ("Oppdiktet Ungdom", "våpenbilder", "hevn")


def _second_factor(username: str) -> bytes:
    """An authenticator already set up for the account, as a phone app would hold it."""
    device = TOTPDevice.objects.create(
        user=User.objects.get(username=username), name="Telefon", confirmed=True
    )
    return device.bin_key


def test_the_registry_admin_prints_this_months_public_journal(
    page, demo_data, sign_in, settings, screenshot, tmp_path
):
    from partners.demo import DEMO_PASSWORD

    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)
    concern_close(
        concern=concern,
        actor=User.objects.get(username="trd-coordinator"),
        outcome=Concern.Outcome.ADVICE_GIVEN,
        comment="Oppdiktet Ungdom og foreldrene er fulgt opp.",
        reporter_message="Takk for meldingen.",
        evaluation=Evaluation(help_timely="yes", situation_change="unknown", partners=frozenset()),
    )
    assert concern.journal_entries.count() == 2

    settings.TWO_FACTOR_REQUIRED = True
    key = _second_factor("trd-admin")
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "trd-admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Kode").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Fortsett").click()
    page.wait_for_url(re.compile(r"://[^/]+/$"))

    # The menu leads there; this month is shown without choosing anything.
    page.locator("nav a[href='/public-journal/']").click()
    page.wait_for_url(re.compile(r"/public-journal/$"))
    table = page.get_by_test_id("public-journal")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").first.inner_text() == reference
    text = page.locator("main").inner_text()
    for forbidden in PERSON:
        assert forbidden not in text
    assert "Offl. § 13 jf. fvl. § 13 første ledd nr. 1" in text
    screenshot("1-public-journal")

    # A period that ends before it starts: a clear message, no entries.
    page.get_by_label(re.compile("^(Fra|From)$")).fill("2026-03-10")
    page.get_by_label(re.compile("^(Til|To)$")).fill("2026-03-01")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("error-summary").wait_for()
    assert page.get_by_test_id("public-journal").count() == 0
    screenshot("2-bad-period")
    page.goto("/public-journal/")

    with page.expect_download() as download:
        page.locator("a[href^='/public-journal/journal.csv']").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        csv_text = handle.read()
    assert reference in csv_text
    assert not any(forbidden in csv_text for forbidden in PERSON)

    page.locator("a[href^='/public-journal/print/']").click()
    page.wait_for_url(re.compile(r"/public-journal/print/"))
    assert page.locator(".navbar").count() == 0
    assert page.get_by_test_id("public-journal").locator("tbody tr").count() == 2
    page.emulate_media(media="print")
    screenshot("3-print")
    printed = tmp_path / "public-journal.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True)
    assert printed.read_bytes().startswith(b"%PDF")
    assert JournalEntry.objects.filter(concern=concern).count() == 2
