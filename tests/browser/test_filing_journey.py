"""The demo frontline user signs in, files a concern and sees the receipt."""

import re

import pytest

from concerns.models import Concern
from partners.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_frontline_user_files_a_concern_and_gets_a_receipt(page, demo_data, screenshot):
    page.goto("/")
    page.fill("input[name=username]", "trd-frontline")
    page.fill("input[name=password]", DEMO_PASSWORD)
    screenshot("1-login")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/concerns/new/")
    page.fill("input[name=subject_name]", "Oppdiktet Elev")
    page.fill("input[name=subject_birth_year]", "2011")
    page.select_option("select[name=subject_district]", label="Heimdal")
    page.fill("input[name=subject_school_or_workplace]", "Oppdiktet ungdomsskole")
    page.fill(
        "textarea[name=observations]",
        "Eleven har de siste ukene delt voldelige bilder i klassens chat.",
    )
    page.fill("input[name=observed_on]", "2026-11-20")
    page.check("input[name=phenomenon] >> nth=0")
    page.check("input[name=signs] >> nth=0")
    page.check("input[name=guardians_informed][value=no]")

    # Choosing acute shows the call-112 notice at once.
    assert page.locator("#acute-selected").is_hidden()
    page.check("input[name=urgency][value=acute]")
    assert page.locator("#acute-selected").is_visible()
    screenshot("2-form-acute")
    page.check("input[name=urgency][value=high]")
    assert page.locator("#acute-selected").is_hidden()

    page.click("button[name=action][value=submit]")

    page.wait_for_url(re.compile(r"/concerns/[0-9a-f-]+/receipt/$"))
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"BEK-\d{4}-\d{6}", reference)
    # Uteseksjonen has no resource person, so the SLT coordinator takes it,
    # with the phone number from the registry.
    assert "SLT-koordinator" in page.content()
    assert "952 63 621" in page.content()
    screenshot("3-receipt")

    page.click("main a[href='/concerns/mine/']")
    assert reference in page.locator("table").inner_text()
    screenshot("4-my-concerns")

    concern = Concern.objects.get(reference=reference)
    assert concern.history.latest().history_user.username == "trd-frontline"


def test_bad_input_in_the_browser_shows_errors_and_saves_nothing(page, demo_data):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "trd-frontline")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/concerns/new/")
    page.fill("input[name=subject_name]", "Oppdiktet Elev")
    page.fill("input[name=subject_birth_date]", "2099-01-01")
    page.fill("input[name=subject_national_id]", "01015560042")
    page.click("button[name=action][value=submit]")

    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
    assert Concern.objects.count() == 0
