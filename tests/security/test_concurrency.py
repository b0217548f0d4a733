"""Two people act on one case at the same instant: one change wins, the other is told, no 500.

These need PostgreSQL's row locks, so they run in CI (SQLite serialises every
write, which proves nothing about locking).
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns.models import Attachment, CaseEvent, Concern
from concerns.permissions import GrantReason, grant_case_access
from partners.models import Contact, Role
from tests import files
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory
from tests.files import upload

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's row locks: CI runs it"
    ),
    pytest.mark.django_db(transaction=True),
]

PARALLEL = 20
CLOSE = {
    "outcome": "advice_given",
    "reporter_message": "Saken følges opp. Takk for at du meldte fra.",
    "comment": "",
    "help_timely": "yes",
    "situation_change": "improved",
    "confirm": "on",
}


def _in_parallel(requests) -> list[int]:
    """Run each (client, url, data) POST at the same instant; return the status codes."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def post(client, url, data):
        try:
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def case(people, trondheim):
    slt = OrganisationFactory(slug="slt-par", municipalities=[trondheim])
    coordinators = [
        UserFactory(username=f"koordinator{n}", organisation=slt, roles=[Role.Code.COORDINATOR])
        for n in range(PARALLEL)
    ]
    contacts = [
        ContactFactory(organisation=slt, role=Contact.Role.COORDINATOR, user=user)
        for user in coordinators
    ]
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.SUBMITTED,
        submitted_at=timezone.now(),
        reference="BEK-2026-000500",
    )
    for user in coordinators:
        grant_case_access(concern=concern, user=user, actor=user, reason=GrantReason.ROUTED)
    clients = []
    for user in coordinators:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return {"concern": concern, "clients": clients, "contacts": contacts}


def test_twenty_parallel_assignments_one_wins_none_fails(case):
    concern = case["concern"]
    url = reverse("concerns:action", args=[concern.public_id, "assign"])
    statuses = _in_parallel(
        [
            (client, url, {"assignee": contact.pk, "reason": "Jeg tar den.", "version": "0"})
            for client, contact in zip(case["clients"], case["contacts"], strict=True)
        ]
    )
    assert statuses == [302] * PARALLEL  # each back to the case page, none a 500
    assert concern.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ASSIGNED and concern.version == 1
    # One history row for the change that won, after the row it started from.
    assert concern.history.filter(status=Concern.Status.ASSIGNED).count() == 1


def test_twenty_parallel_closings_one_wins_none_fails(case):
    concern = case["concern"]
    url = reverse("concerns:action", args=[concern.public_id, "close"])
    statuses = _in_parallel(
        [(client, url, {**CLOSE, "version": "0"}) for client in case["clients"]]
    )
    assert statuses == [302] * PARALLEL
    assert concern.events.filter(to_status=Concern.Status.CLOSED).count() == 1
    assert concern.history.filter(status=Concern.Status.CLOSED).count() == 1


def test_the_losers_are_told_who_changed_the_case(case):
    concern = case["concern"]
    winner, loser = case["clients"][:2]
    url = reverse("concerns:action", args=[concern.public_id, "close"])
    winner.post(url, {**CLOSE, "version": "0"})
    response = loser.post(
        url,
        {**CLOSE, "outcome": "no_further_action", "reason": "Avklart.", "version": "0"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Test Bruker" in page  # the winner's name (UserFactory's invented names)
    concern.refresh_from_db()
    assert concern.outcome == "advice_given"


def test_a_draft_saved_twice_at_once_is_saved_once(people, trondheim, concern_form_data):
    alice = people.alice
    first = Client(raise_request_exception=False)
    first.force_login(alice)
    response = first.post(reverse("concerns:new"), concern_form_data(action="draft"))
    draft = Concern.objects.get(reporter=alice)
    rows_before = draft.history.count()
    clients = []
    for _ in range(5):
        client = Client(raise_request_exception=False)
        client.force_login(alice)
        clients.append(client)
    url = reverse("concerns:edit", args=[draft.public_id])
    statuses = _in_parallel(
        [
            (
                client,
                url,
                concern_form_data(
                    action="draft",
                    version=str(draft.version),
                    observations=f"Versjon {n} av utkastet, skrevet i flere vinduer.",
                ),
            )
            for n, client in enumerate(clients)
        ]
    )
    assert response.status_code == 302
    assert 500 not in statuses and 403 not in statuses
    assert sorted(statuses) == [200] * 4 + [302]  # four see the form again, with the message
    draft.refresh_from_db()
    assert draft.version == 1
    assert draft.history.count() == rows_before + 1


def test_notes_with_files_at_once_never_pass_the_limit_of_ten(case, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    concern = case["concern"]
    url = reverse("concerns:action", args=[concern.public_id, "note"])
    requests = [
        (
            client,
            url,
            {
                "text": f"Notat {n}",
                "attachments": [upload(f"fil-{n}-{m}.pdf", files.PDF) for m in range(4)],
            },
        )
        for n, client in enumerate(case["clients"][:5])
    ]
    statuses = _in_parallel(requests)
    assert sorted(statuses) == [302, 302, 400, 400, 400]  # two fit (8 files), none a 500
    assert Attachment.objects.filter(concern=concern).count() == 8
    stored = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(stored) == 8  # the refused requests' files went again
