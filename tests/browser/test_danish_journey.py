"""Aalborg in Danish: the frontline worker files, INFO-huset handles, both via the switcher."""

import re

import pytest

from concerns.models import Concern

pytestmark = pytest.mark.browser


def _in_danish(page) -> None:
    page.get_by_label("Språk").select_option(label="Dansk")
    page.get_by_role("button", name="Bytt").click()
    page.get_by_role("button", name="Log ud").wait_for()


def test_aalborg_files_and_info_huset_handles_in_danish(page, demo_data, sign_in, screenshot):
    sign_in("aal-frontline")
    _in_danish(page)
    page.get_by_role("link", name="Ny bekymring").click()
    page.get_by_label("Navn", exact=True).fill("Opdigtet Ung")
    page.get_by_label("Fødselsår, hvis du ikke kender datoen").fill("2010")
    page.get_by_label("Hvad har du observeret?").fill("Har delt voldelige videoer i klubben.")
    page.get_by_label("Hvornår observerede du det?").fill("2026-11-27")
    page.locator("input[name=phenomenon]").first.check()
    page.get_by_label("Ved ikke").check()
    screenshot("1-form")
    page.get_by_role("button", name="Indsend bekymringshenvendelse").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    assert "99 31 31 31" in page.content()  # INFO-huset's number on the receipt
    reference = page.get_by_test_id("reference").inner_text().strip()
    screenshot("2-receipt")

    sign_in("aal-coordinator")
    _in_danish(page)
    page.get_by_role("link", name="Indbakke").click()
    filters = page.locator("form.inbox-filters")
    filters.get_by_label("Søg").fill("videoer")
    filters.get_by_role("button", name="Filtrér").click()
    page.get_by_role("link", name=reference).click()
    screenshot("3-case")

    page.get_by_role("link", name="Skriv et notat").click()
    page.get_by_label("Internt notat").fill("Sparring med SSP-konsulenten aftalt.")
    page.get_by_role("button", name="Skriv et notat").click()
    page.get_by_text("Gemt.").wait_for()
    page.get_by_role("link", name="Afslut", exact=True).click()
    page.get_by_label("Rådgivning givet").check()
    page.get_by_label("Det, indsenderen får at vide").fill("Tak. Sagen er fulgt op.")
    # Aalborg's evaluation of the course of work (forløb), in Danish.
    page.get_by_role("group", name="Kom hjælpen i tide?").get_by_label("Delvist").check()
    page.get_by_label("Skole eller daginstitution").check()
    page.get_by_role("group", name="Er situationen forbedret?").get_by_label("Forbedret").check()
    page.get_by_label("Jeg har kontrolleret, at sagen kan lukkes nu.").check()
    page.get_by_role("button", name="Afslut", exact=True).click()
    page.get_by_text("Gemt.").wait_for()
    timeline = page.locator(".timeline").inner_text()
    assert "Internt notat" in timeline and "Sparring med SSP-konsulenten aftalt." in timeline
    screenshot("4-closed")
    concern = Concern.objects.get(reference=reference)
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.ADVICE_GIVEN
