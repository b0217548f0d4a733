"""The police radicalisation contact works the cases given to them, and sees no other."""

import datetime
import re

import pytest
from django.utils import timezone

from concerns.models import CaseActivity, Concern
from concerns.services import concern_assign
from partners.models import Contact, User
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_police_contact_sees_only_their_cases_holds_a_conversation_and_closes(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    theirs = Concern.objects.get(reference=file_concern(page))
    not_theirs = Concern.objects.get(reference=file_concern(page))
    concern_assign(
        concern=theirs,
        assignee=Contact.objects.get(
            name="Radikaliseringskontakt", organisation__slug="trondelag-politidistrikt"
        ),
        actor=User.objects.get(username="trd-coordinator"),
        reason="Politiet vurderer saken.",
    )

    sign_in("trd-police")
    page.get_by_role("link", name="Innboks").click()
    listed = page.locator("tbody").inner_text()
    assert theirs.reference in listed
    assert not_theirs.reference not in listed  # still with the SLT coordinator
    screenshot("1-police-inbox")
    response = page.goto(f"/concerns/{not_theirs.public_id}/")
    assert response.status == 404

    page.goto("/concerns/inbox/")
    page.get_by_role("link", name=theirs.reference).click()
    page.wait_for_url(re.compile(rf"/concerns/{theirs.public_id}/$"))

    # The concern conversation (bekymringssamtale) with the young person.
    page.get_by_role("link", name="Registrer en aktivitet").click()
    page.get_by_label("Type").select_option(label="Bekymringssamtale")
    held_on = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Dato").fill(held_on.isoformat())
    page.get_by_label("Notater").fill("Samtale med ungdommen og foreldrene på politihuset.")
    screenshot("2-conversation")
    page.get_by_role("button", name="Registrer en aktivitet").click()
    page.wait_for_selector(".alert-success")
    activity = CaseActivity.objects.get(concern=theirs)
    assert activity.kind == CaseActivity.Kind.CONCERN_CONVERSATION
    assert activity.date == held_on

    page.get_by_role("link", name="Avslutt", exact=True).click()
    page.get_by_label("Ingen videre tiltak", exact=True).check()
    # "No further action" is a decision with a written reason, kept internal.
    page.locator("textarea[name=reason]").fill("Samtalen viste at bekymringen er avklart.")
    page.get_by_label("Det melderen får vite").fill("Politiet har fulgt opp. Takk for meldingen.")
    page.get_by_role("group", name="Kom hjelpen i tide?").get_by_label("Ja").check()
    page.get_by_role("group", name="Er situasjonen bedret?").get_by_label("Vet ikke").check()
    page.get_by_label("Jeg har kontrollert at saken kan avsluttes nå.").check()
    page.get_by_role("button", name="Avslutt", exact=True).click()
    page.wait_for_selector(".alert-success")
    theirs.refresh_from_db()
    assert theirs.status == Concern.Status.CLOSED
    assert theirs.outcome == Concern.Outcome.NO_FURTHER_ACTION
    assert theirs.history.latest().history_user.username == "trd-police"
    screenshot("3-closed")
