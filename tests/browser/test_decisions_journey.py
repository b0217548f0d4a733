"""Decisions with their reasons, tried as a coordinator would, and the accessibility statement.

A step that suggests telling the police is settled by deciding not to, with a
reason; "no further action" is refused without a reason, then accepted with
one; both reasons stand on the timeline. A case closed after its support ended
shows when it will be reviewed, and the review is recorded. The footer leads
anyone, signed in or not, to the accessibility statement.
"""

import re

import pytest

from concerns.models import CaseEvent, ChecklistTask, Concern
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser

NOT_NOTIFIED = "Politiet kjenner allerede familien og har vurdert saken (oppdiktet)."
NO_FURTHER_ACTION = "Samtalen med skolen viste at bildene var fra et dataspill (oppdiktet)."


def _fill_close_form(page, outcome: str) -> None:
    page.locator(f"input[name=outcome][value={outcome}]").check()
    page.get_by_label("Det melderen får vite").fill("Takk for meldingen. Saken er vurdert.")
    page.locator("input[name=help_timely][value=yes]").check()
    page.locator("input[name=situation_change][value=unknown]").check()
    page.get_by_label("Jeg har kontrollert at saken kan avsluttes nå.").check()


def test_a_coordinator_gives_reasons_for_not_acting_and_reviews_later(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)
    task = concern.checklist.get(step__notifies="police")

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")

    # The police step: decided not to notify, with the reason.
    decline = page.get_by_test_id(f"decline-{task.pk}")
    decline.locator("summary").click()
    decline.locator("textarea[name=reason]").fill(NOT_NOTIFIED)
    screenshot("1-decide-not-to-notify")
    decline.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    task.refresh_from_db()
    assert task.declined and task.note == NOT_NOTIFIED
    assert page.get_by_test_id("task-declined").count() == 1
    assert NOT_NOTIFIED in page.locator(".timeline").inner_text()
    screenshot("2-step-declined")

    # Closing with "no further action": refused without a reason ...
    page.get_by_role("link", name="Avslutt", exact=True).click()
    _fill_close_form(page, "no_further_action")
    page.get_by_role("button", name="Avslutt", exact=True).click()
    page.wait_for_selector("#id_reason.is-invalid")
    concern.refresh_from_db()
    assert concern.status != Concern.Status.CLOSED
    screenshot("3-close-refused-without-reason")
    # ... and accepted with one; what was typed is still there.
    assert page.get_by_label("Det melderen får vite").input_value().startswith("Takk")
    page.locator("textarea[name=reason]").fill(NO_FURTHER_ACTION)
    page.get_by_label("Jeg har kontrollert at saken kan avsluttes nå.").check()
    page.get_by_role("button", name="Avslutt", exact=True).click()
    page.wait_for_selector(".alert-success")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.NO_FURTHER_ACTION
    timeline = page.locator(".timeline").inner_text()
    assert NO_FURTHER_ACTION in timeline and NOT_NOTIFIED in timeline
    assert concern.events.filter(kind=CaseEvent.Kind.DECISION).count() == 2
    screenshot("4-closed-with-reason")

    # The reporter sees the message written for her, never the reasons.
    sign_in("trd-frontline")
    page.goto(f"/concerns/{concern.public_id}/")
    body = page.locator("main").inner_text()
    assert "Takk for meldingen. Saken er vurdert." in body
    assert NO_FURTHER_ACTION not in body and NOT_NOTIFIED not in body

    # A second case, closed once the support has ended, comes up for review.
    second = Concern.objects.get(reference=file_concern(page))
    sign_in("trd-coordinator")
    page.goto(f"/concerns/{second.public_id}/")
    page.get_by_role("link", name="Avslutt", exact=True).click()
    _fill_close_form(page, "mentor_follow_up")
    page.locator("input[name=support_ended]").check()
    page.get_by_role("button", name="Avslutt", exact=True).click()
    page.wait_for_selector(".alert-success")
    reviews = page.get_by_test_id("reviews")
    assert reviews.is_visible()
    assert re.search(r"\d", reviews.inner_text())  # the due dates
    screenshot("5-reviews-due")
    page.locator(f"a[href='/concerns/{second.public_id}/review/']").click()
    page.locator("textarea[name=note]").fill("Har fast jobb og godt nettverk (oppdiktet).")
    screenshot("6-record-review")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert second.events.filter(kind=CaseEvent.Kind.REVIEWED).count() == 1
    assert "Har fast jobb" in page.locator(".timeline").inner_text()
    assert ChecklistTask.objects.filter(concern=second, declined=True).count() == 0

    # The footer's accessibility statement, signed in and signed out.
    page.get_by_test_id("site-footer").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/accessibility/$"))
    assert page.locator("h1").count() == 1
    assert page.get_by_test_id("official-statement").is_visible()
    assert page.get_by_test_id("site-footer").get_by_role("link").get_attribute("aria-current")
    screenshot("7-accessibility-statement")
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_test_id("site-footer").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/accessibility/$"))
    assert page.get_by_test_id("official-statement").is_visible()
    screenshot("8-accessibility-signed-out")
