"""Everyone around a case is told: acute alerts, questions and answers, referrals, in Danish too."""

import re

import pytest

from concerns.models import Concern
from tests.browser.conftest import file_concern, run_worker_once

pytestmark = pytest.mark.browser


def _bell_count(page) -> int:
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_an_acute_concern_alerts_the_police_at_once_and_stays_pinned(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    page.goto("/concerns/new/")
    page.get_by_label("Navn", exact=True).fill("Oppdiktet Akuttsen")
    page.get_by_label("Fødselsår, hvis du ikke vet datoen").fill("2009")
    page.get_by_label("Hva har du observert?").fill("Sier han skal skade noen på skolen i morgen.")
    page.get_by_label("Når observerte du det?").fill("2026-11-28")
    page.locator("input[name=phenomenon]").first.check()
    page.locator("input[name=guardians_informed][value=unknown]").check()
    page.get_by_label("Akutt: fare nå").check()
    page.get_by_label("Jeg har ringt 112").check()
    screenshot("1-acute-form")
    page.get_by_role("button", name="Send inn bekymringsmelding").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    reference = page.get_by_test_id("reference").inner_text().strip()

    # No worker has run: the police contact's bell rings already.
    sign_in("trd-police")
    assert _bell_count(page) >= 1
    page.goto("/notifications/")
    assert "AKUTT" in page.locator("#notifications").inner_text()
    page.goto("/concerns/inbox/?sort=submitted")
    first_row = page.locator("tbody tr").first
    assert reference in first_row.inner_text()
    assert first_row.get_attribute("data-testid") == "pinned"
    screenshot("2-police-inbox-pinned")

    first_row.get_by_role("link", name=reference).click()
    # The step the reporter took when filing is already done.
    assert "Utført" in page.locator("li", has_text="Ring 112 straks").first.inner_text()
    page.get_by_role("button", name="Bekreft at du har sett den akutte meldingen").click()
    page.wait_for_selector(".alert-success")
    assert "Akutt bekymring bekreftet sett" in page.locator(".timeline").inner_text()
    screenshot("3-acknowledged")
    page.goto("/concerns/inbox/")
    assert page.get_by_test_id("pinned").count() == 0


def test_a_question_reaches_the_reporter_and_her_answer_reaches_the_coordinator(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")
    page.get_by_role("link", name="Spør melderen").click()
    page.get_by_label("Hva trenger du å vite fra melderen?").fill("Har andre elever sett bildene?")
    page.get_by_role("button", name="Spør melderen").click()
    page.wait_for_selector(".alert-success")
    screenshot("1-question-asked")
    run_worker_once()

    sign_in("trd-frontline")
    assert _bell_count(page) == 1
    page.goto("/notifications/")
    page.get_by_role("button", name="Åpne").first.click()
    page.wait_for_url(re.compile(rf"/concerns/{concern.public_id}/$"))
    assert "Har andre elever sett bildene?" in page.content()
    page.get_by_label("Svaret ditt").fill("Ja, to elever i klassen.")
    screenshot("2-reporter-answers")
    page.get_by_role("button", name="Send svar").click()
    page.wait_for_selector(".alert-success")
    run_worker_once()

    sign_in("trd-coordinator")
    assert _bell_count(page) >= 1
    page.goto("/notifications/")
    assert "Melderen svarte på spørsmålet ditt" in page.locator("#notifications").inner_text()
    page.goto(f"/concerns/{concern.public_id}/")
    assert "Ja, to elever i klassen." in page.locator(".timeline").inner_text()
    screenshot("3-coordinator-reads-the-answer")


def test_nav_is_told_of_a_referral(page, demo_data, sign_in, screenshot):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)

    sign_in("trd-coordinator")
    page.goto(f"/referrals/new/{concern.public_id}/")
    page.get_by_label("Henvis til").select_option(label="NAV")
    page.get_by_label("Hvorfor henviser du?").fill("Trenger hjelp til arbeid eller skole.")
    page.get_by_label("Hva deler du med dem?").fill("Navn og fødselsår. Behov for oppfølging.")
    page.locator("input[name=legal_basis][value=consent]").check()
    page.locator("button[name=action][value=send]").click()
    page.wait_for_selector(".alert-success")
    run_worker_once()

    sign_in("trd-resource")
    assert _bell_count(page) == 1
    page.goto("/notifications/")
    assert "En henvisning er kommet til organisasjonen din" in page.content()
    screenshot("1-nav-bell")
    page.get_by_role("button", name="Åpne").first.click()
    page.wait_for_url(re.compile(r"/referrals/[0-9a-f-]+/$"))
    assert "Behov for oppfølging" in page.content()


def test_a_danish_coordinator_reads_danish_steps_and_sees_the_dates(
    page, demo_data, sign_in, screenshot
):
    sign_in("aal-frontline")
    page.goto("/concerns/new/")
    page.locator("input[name=subject_name]").fill("Opdigtet Ung")
    page.locator("input[name=subject_birth_year]").fill("2010")
    page.locator("textarea[name=observations]").fill("Har delt voldelige videoer i klubben.")
    page.locator("input[name=observed_on]").fill("2026-11-27")
    page.locator("input[name=phenomenon]").first.check()
    page.locator("input[name=guardians_informed][value=unknown]").check()
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/receipt/$"))
    assert "99 31 31 31" in page.content()  # INFO-huset's number on the receipt
    reference = page.get_by_test_id("reference").inner_text().strip()
    concern = Concern.objects.get(reference=reference)

    sign_in("aal-coordinator")
    page.locator("#language").select_option("da")
    page.get_by_role("button", name="Bytt").click()
    page.goto(f"/concerns/{concern.public_id}/")
    checklist = page.locator("[aria-labelledby=checklist-heading]").inner_text()
    assert "for sparring om bekymringen" in checklist  # the step in Danish
    assert "for råd om bekymringen" not in checklist  # not in the reporter's Norwegian
    assert "Contact INFO-huset" not in checklist
    screenshot("1-danish-case")
    page.get_by_role("link", name="Sæt næste opfølgning").click()
    value = page.locator("input[name=follow_up_on]").input_value()
    assert value == concern.follow_up_on.isoformat()
    screenshot("2-danish-date")
