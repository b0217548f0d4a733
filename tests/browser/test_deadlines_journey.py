"""Aalborg's deadlines in weekdays: the coordinator sees why the receipt falls when it does,
pauses and resumes the case's deadlines, and sends the reporter her receipt."""

import re

import pytest

from concerns.models import CaseEvent, Concern
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def _in_danish(page) -> None:
    page.get_by_label("Språk").select_option(label="Dansk")
    page.get_by_role("button", name="Bytt").click()
    page.get_by_role("button", name="Log ud").wait_for()


def test_aalborg_coordinator_sees_the_receipt_deadline_in_weekdays(
    page, demo_data, sign_in, screenshot
):
    sign_in("aal-frontline")
    reference = file_concern(page)  # a 16-year-old: the under-18 underretning card applies

    sign_in("aal-coordinator")
    _in_danish(page)
    page.get_by_role("link", name="Indbakke").click()
    page.get_by_role("link", name=reference).click()  # routed to INFO-huset: no purpose asked
    receipt_step = page.locator("li", has=page.get_by_role("button", name="Send kvitteringen"))
    basis = receipt_step.get_by_test_id("task-basis").inner_text()
    assert re.search(r"6 arbejdsdage, dansk kalender", basis), basis
    screenshot("1-receipt-deadline")

    page.get_by_role("link", name="Sæt fristerne på pause").click()
    page.get_by_label("Venter på politiet").check()
    page.get_by_role("button", name="Sæt fristerne på pause").click()
    page.get_by_test_id("deadlines-paused").wait_for()
    assert "Frister sat på pause: Venter på politiet" in page.locator(".timeline").inner_text()
    screenshot("2-paused")
    page.get_by_role("link", name="Genoptag fristerne").click()
    page.get_by_role("button", name="Genoptag fristerne").click()
    page.get_by_text("Gemt.").wait_for()
    assert page.get_by_test_id("deadlines-paused").count() == 0

    page.locator("li", has=page.get_by_role("button", name="Send kvitteringen")).get_by_role(
        "button", name="Send kvitteringen"
    ).click()
    page.get_by_text("Gemt.").wait_for()
    timeline = page.locator(".timeline").inner_text()
    assert "Kvittering sendt til indsenderen" in timeline
    assert "Tak for din underretning" in timeline
    screenshot("3-receipt-sent")

    # The reporter reads the receipt on her own concern, in her language.
    sign_in("aal-frontline")
    _in_danish(page)
    page.get_by_role("link", name="Mine bekymringer", exact=True).click()
    page.get_by_role("link", name=reference).click()
    assert "Tak for din underretning" in page.content()
    screenshot("4-reporter-reads-receipt")
    concern = Concern.objects.get(reference=reference)
    assert concern.events.filter(kind=CaseEvent.Kind.RECEIPT_SENT).count() == 1
