"""The SLT coordinator's day with one case: find it, hand it on, follow the procedure, close it."""

import re

import pytest

from concerns.models import ChecklistTask, Concern
from referrals.models import Referral
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_coordinator_finds_assigns_notes_follows_the_card_refers_and_closes(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)

    # Find it: a status filter and a word from the observations.
    sign_in("trd-coordinator")
    page.get_by_role("link", name="Innboks").click()
    filters = page.locator("form.inbox-filters")
    filters.get_by_label("Sendt inn").check()
    filters.get_by_label("Søk").fill("våpenbilder")
    filters.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"q=v%C3%A5penbilder"))
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    screenshot("1-inbox-filtered")
    rows.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(rf"/concerns/{concern.public_id}/$"))

    # Assign it to the police's radicalisation contact.
    page.get_by_role("link", name="Tildel", exact=True).click()
    assignee = page.get_by_label("Tildel til")
    police = assignee.locator("option", has_text=re.compile(r"^Radikaliseringskontakt"))
    assignee.select_option(value=police.get_attribute("value"))
    page.get_by_label("Begrunnelse").fill("Våpenbilder: politiet vurderer kontakt med PST.")
    page.get_by_role("button", name="Tildel", exact=True).click()
    page.wait_for_selector(".alert-success")

    # A note for the handlers only.
    page.get_by_role("link", name="Skriv et notat").click()
    page.get_by_label("Internt notat").fill("Skolen er varslet og følger med i friminuttene.")
    page.get_by_role("button", name="Skriv et notat").click()
    page.wait_for_selector(".alert-success")
    assert "Skolen er varslet" in page.locator(".timeline").inner_text()

    # A second action card, and its first step ticked off.
    page.get_by_role("link", name="Ta i bruk et tiltakskort").click()
    cards = page.get_by_label("Tiltakskort")
    other_card = cards.locator("option:not([value=''])").last
    card_title = other_card.inner_text().strip()
    cards.select_option(value=other_card.get_attribute("value"))
    page.get_by_role("button", name="Ta i bruk et tiltakskort").click()
    page.wait_for_selector(".alert-success")
    assert f"Tiltakskort tatt i bruk: {card_title}" in page.locator(".timeline").inner_text()
    done_button = page.get_by_role("button", name="Marker som utført")
    first_open_step = page.locator("[aria-labelledby=checklist-heading] li", has=done_button).first
    first_open_step.get_by_label("Notat (valgfritt)").fill("Gjort på telefon.")
    first_open_step.get_by_role("button", name="Marker som utført").click()
    page.wait_for_selector(".alert-success")
    assert ChecklistTask.objects.filter(
        concern=concern, done_at__isnull=False, note="Gjort på telefon."
    ).exists()
    screenshot("2-case-with-card")

    # Refer to NAV.
    page.get_by_role("link", name="Henvis til en samarbeidspartner").click()
    page.get_by_label("Henvis til").select_option(label="NAV")
    page.get_by_label("Hvorfor henviser du?").fill("Trenger hjelp til arbeid eller skole.")
    page.get_by_label("Hva deler du med dem?").fill("Navn og fødselsår. Behov for oppfølging.")
    page.locator("input[name=legal_basis][value=consent]").check()
    screenshot("3-referral")
    page.get_by_role("button", name="Send henvisning").click()
    page.wait_for_selector(".alert-success")
    assert Referral.objects.get(concern=concern).status == Referral.Status.SENT

    # Close, with an outcome chosen on purpose and a word for the reporter.
    page.goto(f"/concerns/{concern.public_id}/")
    page.get_by_role("link", name="Avslutt", exact=True).click()
    page.get_by_label("Råd gitt").check()
    page.get_by_label("Det melderen får vite").fill("Takk. Saken er fulgt opp.")
    # The short evaluation of the course of work, counted for the police council.
    page.locator("input[name=help_timely][value=yes]").check()
    page.locator("input[name=partners][value=child_welfare]").check()
    page.locator("input[name=situation_change][value=unknown]").check()
    page.get_by_label("Jeg har kontrollert at saken kan avsluttes nå.").check()
    screenshot("4-close")
    page.get_by_role("button", name="Avslutt", exact=True).click()
    page.wait_for_selector(".alert-success")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.ADVICE_GIVEN
    assert concern.assignee.name == "Radikaliseringskontakt"
    assert concern.evaluation.help_timely == "yes"
    screenshot("5-closed")
