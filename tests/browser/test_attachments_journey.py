"""A teacher attaches a screenshot when filing; the coordinator opens it; NAV cannot until the
coordinator shares it with the referral; the coordinator answers the person's access request
and prints it."""

import re

import pytest

from concerns.models import Concern
from tests import files
from tests.browser.test_receiving_agency_journey import _refer_to_nav

pytestmark = pytest.mark.browser

SCREENSHOT = {"name": "skjermbilde-chat.png", "mimeType": "image/png", "buffer": files.PNG}


def _file_with_screenshot(page) -> str:
    page.goto("/concerns/new/")
    page.fill("input[name=subject_name]", "Oppdiktet Ungdom")
    page.fill("input[name=subject_birth_year]", "2010")
    page.fill("textarea[name=observations]", "Delte bildet i skjermbildet med klassen.")
    page.fill("input[name=observed_on]", "2026-11-19")
    page.check("input[name=phenomenon] >> nth=0")
    page.check("input[name=guardians_informed][value=unknown]")
    page.set_input_files("input[name=attachments]", [SCREENSHOT])
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/receipt/$"))
    return page.get_by_test_id("reference").inner_text().strip()


def _download(page, link) -> bytes:
    with page.expect_download() as download:
        link.click()
    return open(download.value.path(), "rb").read()


def test_a_screenshot_travels_with_the_case_and_only_where_it_is_shared(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    concern = Concern.objects.get(reference=_file_with_screenshot(page))
    assert concern.attachments.get().name == "skjermbilde-chat.png"

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")  # routed to her: no purpose to state
    link = page.get_by_role("link", name="skjermbilde-chat.png")
    screenshot("1-case-with-file")
    assert _download(page, link) == files.PNG

    referral = _refer_to_nav(concern)
    attachment = concern.attachments.get()
    file_url = f"/referrals/{referral.public_id}/files/{attachment.public_id}/"

    sign_in("trd-resource")  # NAV's resource person
    page.goto(f"/referrals/{referral.public_id}/")
    assert "skjermbilde-chat.png" not in page.content()
    assert page.request.get(file_url).status == 404

    sign_in("trd-coordinator")
    page.goto(f"/referrals/{referral.public_id}/")
    page.get_by_label("skjermbilde-chat.png").check()
    page.get_by_role("button", name="Lagre hvilke filer de kan åpne").click()
    page.wait_for_selector(".alert-success")
    screenshot("2-shared-with-nav")

    sign_in("trd-resource")
    page.goto(f"/referrals/{referral.public_id}/")
    assert _download(page, page.get_by_role("link", name="skjermbilde-chat.png")) == files.PNG

    # The person asks what is held about them: the coordinator exports it and prints it.
    sign_in("trd-coordinator")
    page.goto(f"/concerns/person/{concern.subject.public_id}/")
    page.get_by_role("link", name="Svar på en innsynsbegjæring (GDPR art. 15)").click()
    page.get_by_label("Innsynsbegjæringen du svarer på").fill("Begjæring mottatt per brev")
    page.get_by_label("En side å skrive ut").check()
    page.get_by_role("button", name="Lag eksporten").click()
    page.get_by_role("heading", name="Det vi har registrert om deg").wait_for()
    content = page.content()
    assert "Delte bildet i skjermbildet med klassen." in content
    assert "skjermbilde-chat.png" in content
    assert "Eksportert for personens innsynsbegjæring" in content
    screenshot("3-access-request")
    printed = page.pdf()
    assert printed.startswith(b"%PDF")
