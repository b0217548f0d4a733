"""NAV gets a referral: told by the bell, accepts, notes progress, completes; no case access."""

import datetime
import re

import pytest
from django.utils import timezone

from concerns.models import Concern
from partners.models import Organisation, User
from referrals.models import Referral
from referrals.services import ReferralDetails, referral_create, referral_send
from tests.browser.conftest import file_concern, run_worker_once

pytestmark = pytest.mark.browser


def _refer_to_nav(concern: Concern) -> Referral:
    coordinator = User.objects.get(username="trd-coordinator")
    referral = referral_create(
        concern=concern,
        actor=coordinator,
        details=ReferralDetails(
            receiving_organisation=Organisation.objects.get(slug="nav"),
            receiving_contact=None,
            reason="Trenger hjelp til arbeid eller skole.",
            shared_information="Navn og fødselsår. Ønsker arbeidsrettet oppfølging.",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate() + datetime.timedelta(days=14),
        ),
    )
    return referral_send(referral=referral, actor=coordinator)


def test_nav_is_told_accepts_writes_progress_and_completes_without_seeing_the_case(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    concern = Concern.objects.get(reference=file_concern(page))
    referral = _refer_to_nav(concern)
    run_worker_once()

    sign_in("trd-resource")  # NAV's resource person
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.get_by_role("link", name="Varsler, 1 ulest").click()
    assert "En henvisning er kommet til organisasjonen din" in page.content()
    screenshot("1-told")
    page.get_by_role("button", name="Åpne").first.click()
    page.wait_for_url(re.compile(rf"/referrals/{referral.public_id}/$"))
    assert "Ønsker arbeidsrettet oppfølging" in page.content()
    assert "Har vist fram våpenbilder" not in page.content()  # the observations stay behind

    page.get_by_label("Kommentar (valgfritt)").first.fill("Vi tar kontakt innen en uke.")
    page.get_by_role("button", name="Aksepter henvisningen").click()
    page.wait_for_selector(".alert-success")
    page.get_by_label("Framdriftsnotat").fill("Første møte holdt; arbeidspraksis avtalt.")
    page.get_by_role("button", name="Legg til notat").click()
    page.wait_for_selector(".alert-success")
    assert "arbeidspraksis avtalt" in page.content()
    screenshot("2-progress")
    page.get_by_label("Utfall").fill("I arbeidspraksis tre dager i uka.")
    page.get_by_role("button", name="Marker som fullført").click()
    page.wait_for_selector(".alert-success")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    screenshot("3-completed")

    response = page.goto(f"/concerns/{concern.public_id}/")
    assert response.status == 404
    assert "Oppdiktet Ungdom" not in page.content()
