"""The coordinator finds a new concern in the inbox, routed, and assigns it to the police."""

import re

import pytest

from concerns.models import Concern
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_coordinator_triages_and_assigns_to_the_police_contact(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)

    sign_in("trd-coordinator")
    page.goto("/concerns/inbox/")
    row = page.locator("tr", has_text=reference)
    assert row.count() == 1
    assert "SLT-koordinator" in row.inner_text()  # routed: Uteseksjonen has no resource person
    screenshot("1-inbox")

    row.locator("a", has_text=reference).click()
    # The coordinator is the routed contact, so the case opens without a stated purpose.
    page.wait_for_selector("text=SLT-koordinator")
    assert "Trondheim: ingen ressursperson → SLT-koordinator" in page.content()
    screenshot("2-case")

    # The quick-action bar opens one focused form.
    page.get_by_role("link", name="Tildel", exact=True).click()
    assignee = page.get_by_label("Tildel til")
    police = assignee.locator("option", has_text=re.compile(r"^Radikaliseringskontakt"))
    assignee.select_option(value=police.get_attribute("value"))
    page.get_by_label("Begrunnelse").fill(
        "Våpenbilder: politiet bør vurdere og ta kontakt med PST ved behov."
    )
    page.get_by_role("button", name="Tildel").click()
    page.wait_for_selector(".alert-success")
    concern = Concern.objects.get(reference=reference)
    assert concern.status == Concern.Status.ASSIGNED
    assert concern.assignee.name == "Radikaliseringskontakt"
    assert "Våpenbilder: politiet bør vurdere" in page.locator(".timeline").inner_text()
    screenshot("3-assigned")

    sign_in("trd-police")
    page.goto("/concerns/inbox/")
    page.locator("a", has_text=reference).click()
    assert "Har vist fram våpenbilder" in page.content()
    screenshot("4-police-case")
    case_url = page.url

    sign_in("trd-resource")  # NAV's resource person: another organisation
    page.goto("/concerns/inbox/")
    assert reference not in page.content()
    response = page.goto(case_url)
    assert response.status == 404
    assert "Har vist fram våpenbilder" not in page.content()
    screenshot("5-other-org-404")
