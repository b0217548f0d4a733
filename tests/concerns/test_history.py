"""Every change is in the history table, with the person who made it."""

import pytest
from django.urls import reverse

from concerns.models import Concern, Subject
from concerns.services import concern_submit
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def test_filing_in_the_browser_records_the_reporter_as_history_user(
    client, people, concern_form_data
):
    client.force_login(people.alice)
    client.post(reverse("concerns:new"), concern_form_data())

    concern = Concern.objects.get()
    rows = list(concern.history.order_by("history_date"))
    # Created as a draft, its signs recorded, submitted, then routed.
    assert [row.history_type for row in rows] == ["+", "~", "~", "~"]
    assert [row.status for row in rows] == ["draft", "draft", "submitted", "submitted"]
    assert {row.history_user for row in rows} == {people.alice}
    assert rows[-1].status == Concern.Status.SUBMITTED
    assert Subject.history.get().history_user == people.alice


def test_a_service_call_outside_a_request_records_the_actor():
    concern = ConcernFactory()
    concern_submit(concern=concern, actor=concern.reporter)
    latest = concern.history.latest()
    assert latest.history_user == concern.reporter
    assert latest.reference.startswith("BEK-")


def test_the_signs_picked_are_in_the_history(client, people, concern_form_data, taxonomy):
    client.force_login(people.alice)
    client.post(reverse("concerns:new"), concern_form_data(action="draft"))
    historical = Concern.objects.get().history.latest()
    assert [row.sign for row in historical.signs.all()] == [taxonomy["sign"]]


def test_user_history_never_keeps_password_hashes(people):
    assert "password" not in {field.name for field in people.alice.history.model._meta.fields}
