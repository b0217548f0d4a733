"""The data subject's access request: every concern and access-log row about the person,
none of anyone else's, and the export itself in the access log with its purpose."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from concerns.models import AccessLog, Concern
from concerns.services import concern_submit, subject_link
from partners.models import User
from tests.factories import ConcernFactory, SubjectFactory

pytestmark = pytest.mark.django_db

REASON = "Innsynsbegjæring mottatt 2026-11-20"


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _file(reporter: User, subject=None, name="Oppdiktet Elev", text="Observasjon") -> Concern:
    municipality = reporter.organisation.municipalities.get()
    subject = subject or SubjectFactory(
        municipality=municipality, created_by=reporter, name=name, national_id="01811050047"
    )
    concern = ConcernFactory(
        reporter=reporter, municipality=municipality, subject=subject, observations=text
    )
    return concern_submit(concern=concern, actor=reporter)


@pytest.fixture
def world(demo):
    first = _file(demo["trd-frontline"], text="Første bekymring om personen")
    # The same person, described by another reporter and linked by the coordinator.
    second = _file(demo["trd-resource"], name="E. Oppdiktet", text="Andre bekymring")
    subject_link(concern=second, same_as=first.subject, actor=demo["trd-coordinator"])
    other = _file(demo["trd-frontline"], name="Helt Annen Person", text="Ikke denne personen")
    draft = ConcernFactory(
        reporter=demo["trd-frontline"],
        municipality=first.municipality,
        subject=first.subject,
        observations="Et utkast ingen andre har sett",
    )
    AccessLog.objects.create(
        concern=other, user=demo["trd-coordinator"], view="detail", purpose="handler"
    )
    AccessLog.objects.create(
        concern=first, user=demo["trd-police"], view="detail", purpose="stated", reason="PST"
    )
    return {"first": first, "second": second, "other": other, "draft": draft}


def _export(client, user, subject, fmt="json"):
    client.force_login(user)
    return client.post(
        reverse("concerns:access_request", args=[subject.public_id]),
        {"reason": REASON, "format": fmt},
    )


def test_the_export_holds_every_concern_and_access_row_of_the_person_and_nothing_else(
    client, demo, world
):
    response = _export(client, demo["trd-coordinator"], world["first"].subject)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)

    references = {concern["reference"] for concern in data["concerns"]}
    assert references == {world["first"].reference, world["second"].reference}
    assert data["person"]["national_id"] == "01811050047"
    texts = json.dumps(data, ensure_ascii=False)
    assert "Ikke denne personen" not in texts and world["other"].reference not in texts
    assert "Et utkast ingen andre har sett" not in texts

    logged = {(row["concern"], row["purpose"]) for row in data["access_log"]}
    expected = {
        (entry.concern.reference, entry.purpose)
        for entry in AccessLog.objects.filter(concern__in=[world["first"], world["second"]])
    }
    assert logged == expected
    assert (world["first"].reference, "stated") in logged
    assert all(row["concern"] != world["other"].reference for row in data["access_log"])


def test_making_the_export_asks_a_purpose_and_writes_it_to_the_access_log(client, demo, world):
    client.force_login(demo["trd-coordinator"])
    url = reverse("concerns:access_request", args=[world["first"].subject.public_id])
    refused = client.post(url, {"reason": "", "format": "html"})
    assert refused.status_code == 400
    assert not AccessLog.objects.filter(purpose=AccessLog.Purpose.ACCESS_REQUEST).exists()

    page = client.post(url, {"reason": REASON, "format": "html"}).content.decode()
    assert "Første bekymring om personen" in page and "Andre bekymring" in page
    assert "Ikke denne personen" not in page
    rows = AccessLog.objects.filter(purpose=AccessLog.Purpose.ACCESS_REQUEST)
    assert {row.concern_id for row in rows} == {world["first"].pk, world["second"].pk}
    assert {row.reason for row in rows} == {REASON}


@pytest.mark.parametrize("who", ["trd-police", "trd-frontline", "trd-admin", "aal-coordinator"])
def test_only_the_coordinator_can_export(client, demo, world, who):
    client.force_login(demo[who])
    url = reverse("concerns:access_request", args=[world["first"].subject.public_id])
    assert client.get(url).status_code == 404
    assert _export(client, demo[who], world["first"].subject).status_code == 404
    assert not AccessLog.objects.filter(purpose=AccessLog.Purpose.ACCESS_REQUEST).exists()
