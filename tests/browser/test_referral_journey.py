"""The coordinator refers a case to NAV; NAV accepts; the coordinator sees it on the timeline."""

import pytest
from django.utils import translation

from referrals.models import Referral
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_coordinator_refers_to_nav_and_nav_accepts(page, demo_data, sign_in, screenshot):
    sign_in("trd-frontline")
    reference = file_concern(page)

    sign_in("trd-coordinator")
    page.goto("/concerns/inbox/")
    page.locator("a", has_text=reference).click()
    page.click("a[href^='/referrals/new/']")
    page.select_option("select[name=receiving_organisation]", label="NAV")
    page.fill("textarea[name=reason]", "Ungdommen trenger hjelp til å komme i arbeid eller skole.")
    page.fill(
        "textarea[name=shared_information]",
        "Navn og fødselsår. Behov for arbeidsrettet oppfølging.",
    )
    page.check("input[name=legal_basis][value=consent]")
    page.check("input[name=requested_measures] >> nth=2")  # measure 3: Mentoroppfølging
    screenshot("1-referral-form")
    page.click("button[name=action][value=send]")
    page.wait_for_selector(".alert-success")
    referral = Referral.objects.get(concern__reference=reference)
    assert referral.status == Referral.Status.SENT

    sign_in("trd-resource")  # NAV's resource person
    page.goto("/referrals/incoming/")
    row = page.locator("tr", has_text=reference)
    assert row.count() == 1
    screenshot("2-nav-incoming")
    row.locator("a").click()
    assert "Behov for arbeidsrettet oppfølging" in page.content()
    assert "Har vist fram våpenbilder" not in page.content()  # the observations are not shared
    page.fill("#accept-form textarea[name=reason]", "Vi tar kontakt innen en uke.")
    page.click("#accept-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    screenshot("3-nav-accepted")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{referral.concern.public_id}/")
    timeline = page.locator(".timeline").inner_text()
    with translation.override("nb"):
        accepted = str(Referral.Status.ACCEPTED.label)
    assert "NAV" in timeline and accepted in timeline and "Vi tar kontakt innen en uke." in timeline
    screenshot("4-coordinator-timeline")
