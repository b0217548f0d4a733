"""Handing a case on: Trondheim's coordinator transfers one to Malvik, whose coordinator
previews and accepts it; and hands another over outside the system, with its receipt."""

import re

import pytest

from concerns.models import CaseEvent, Concern
from referrals.models import Transfer
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser

OBSERVED = "Har vist fram våpenbilder"


def test_a_case_moves_to_malvik_with_a_receipt(page, demo_data, sign_in, screenshot):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)

    # Trondheim: the person has moved; the coordinator sends the case to Malvik.
    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")
    panel = page.get_by_test_id("transfer-panel")
    panel.locator(f"a[href='/referrals/transfers/new/{concern.public_id}/']").click()
    page.select_option("select[name=receiving_municipality]", label="Malvik kommune")
    # The minimum is ticked already: the concern, the outcome so far, open tasks.
    assert page.locator("input[name=parts][value=concern]").is_checked()
    assert not page.locator("input[name=parts][value=timeline]").is_checked()
    page.check("input[name=legal_basis][value=other]")
    page.fill("input[name=legal_basis_other]", "Saken følger personen ved flytting.")
    page.fill("textarea[name=note]", "Personen har flyttet til Malvik i november.")
    screenshot("1-transfer-form")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    transfer = Transfer.objects.get(source_concern=concern)
    assert transfer.status == Transfer.Status.SENT
    screenshot("2-sender-record")

    # Malvik: the coordinator finds it under Incoming transfers, previews, accepts.
    sign_in("mal-coordinator")
    page.locator(".app-navbar a[href='/referrals/transfers/incoming/']").click()
    row = page.locator("tbody tr", has_text=reference)
    assert row.count() == 1
    screenshot("3-malvik-incoming")
    row.locator("a").click()
    page.wait_for_url(re.compile(rf"/referrals/transfers/{transfer.public_id}/$"))
    assert OBSERVED in page.get_by_test_id("sent-observations").inner_text()
    assert str(concern.public_id) not in page.content()  # no way into Trondheim's case
    screenshot("4-malvik-preview")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.VIEWED
    page.locator("#accept-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    transfer.refresh_from_db()
    created = transfer.created_concern
    assert created.municipality.code == "malvik"
    page.wait_for_url(re.compile(rf"/concerns/{created.public_id}/$"))
    screenshot("5-malvik-new-case")

    # The new case is in Malvik's inbox; Trondheim's stays shut to her.
    page.goto("/concerns/inbox/")
    assert page.locator("tbody tr", has_text=created.reference).count() == 1
    assert page.locator("tbody tr", has_text=reference).count() == 0
    screenshot("6-malvik-inbox")
    assert page.goto(f"/concerns/{concern.public_id}/").status == 404

    # Trondheim: closed as transferred, with the receipt on the timeline.
    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")
    receipt = page.get_by_test_id("transfer-receipt").inner_text()
    assert "Marit" in receipt and created.reference in receipt
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.TRANSFERRED
    assert concern.events.filter(kind=CaseEvent.Kind.TRANSFER, data__what="accepted").exists()
    assert page.get_by_test_id("transfer-status").first.inner_text().strip()
    screenshot("7-trondheim-transferred")
    assert page.goto(f"/concerns/{created.public_id}/").status == 404


def test_a_case_is_handed_over_outside_the_system_and_its_receipt_recorded(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")
    page.get_by_test_id("transfer-panel").locator(
        f"a[href='/referrals/handovers/new/{concern.public_id}/']"
    ).click()
    page.fill("input[name=recipient]", "Barneverntjenesten i Oppdiktet kommune")
    page.check("input[name=channel][value=digital_mail]")
    page.check("input[name=legal_basis][value=other]")
    page.fill("input[name=legal_basis_other]", "Opplysningsplikt etter flytting.")
    assert page.locator("input[name=hide_staff_names]").is_checked()
    screenshot("1-handover-form")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    with page.expect_download() as download:
        page.locator("a[href$='/pdf/']").click()
    assert download.value.suggested_filename.startswith(f"chronology-{reference}")
    page.fill("input[name=received_by]", "Saksbehandler Oppdiktet")
    page.locator("#receipt-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert "Saksbehandler Oppdiktet" in page.get_by_test_id("handover-receipt").inner_text()
    screenshot("2-handover-receipt")
    page.goto(f"/concerns/{concern.public_id}/")
    assert "Saksbehandler Oppdiktet" in page.locator(".timeline").inner_text()
    screenshot("3-case-timeline")
