"""The Trondheim registry admin keeps Trondheim's registry, and reaches nothing of Aalborg's."""

import re

import pytest

from concerns.models import Concern
from partners.models import Contact
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_registry_admin_adds_a_contact_and_reaches_nothing_else(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    file_concern(page)
    case_url = f"/concerns/{Concern.objects.get().public_id}/"

    sign_in("trd-admin")
    page.goto("/admin/partners/contact/add/")
    organisations = page.get_by_label("Organisasjon").locator("option").all_inner_texts()
    assert "Uteseksjonen" in organisations
    assert not any("INFO-huset" in name or "Aalborg" in name for name in organisations)
    page.get_by_label("Organisasjon").select_option(label="Uteseksjonen")
    page.get_by_label("Rolle").select_option(value="resource_person")
    page.get_by_label("Navn").fill("Oppdiktet Ressursperson")
    page.get_by_label("Telefon").fill("952 00 000")
    screenshot("1-add-contact")
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/partners/contact/$"))
    assert "INFO-huset" not in page.locator("#result_list").inner_text()
    screenshot("2-contact-list")

    page.goto("/directory/?q=Oppdiktet+Ressursperson")
    assert "Oppdiktet Ressursperson" in page.locator("main").inner_text()
    screenshot("3-directory")

    info_huset = Contact.objects.get(organisation__slug="info-huset")
    response = page.goto(f"/admin/partners/contact/{info_huset.pk}/change/")
    assert response.status == 404
    assert "INFO-huset" not in page.content()
    screenshot("4-aalborg-contact-404")

    response = page.goto(case_url)
    assert response.status == 404
    screenshot("5-case-404")
