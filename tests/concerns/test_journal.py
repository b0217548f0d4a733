"""The case's journal: one entry per document, numbered per case folder, screened by country."""

import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from concerns.models import AccessLog, Concern, JournalEntry
from concerns.models.records import DEFAULT_SCREENING_BASIS_DK, DEFAULT_SCREENING_BASIS_NO
from concerns.records.journal import journal_record
from concerns.services import concern_reopen
from tests.concerns.journal_setup import (  # noqa: F401 - scene_fixture is the `scene` fixture
    NAME,
    closed,
    full_case,
    scene_fixture,
    submitted,
)
from tests.factories import ConcernFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind, Direction = JournalEntry.DocumentKind, JournalEntry.Direction


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_each_document_of_a_case_is_journaled_in_order(scene, people, trondheim):
    concern = full_case(scene, people, trondheim)

    entries = list(concern.journal_entries.order_by("document_number"))
    assert [
        (e.document_number, e.document_kind, e.direction, e.data.get("answer")) for e in entries
    ] == [
        (1, Kind.CONCERN, Direction.INCOMING, None),
        (2, Kind.REFERRAL, Direction.OUTGOING, None),
        (3, Kind.REFERRAL_ANSWER, Direction.INCOMING, "accepted"),
        (4, Kind.REFERRAL_ANSWER, Direction.INCOMING, "completed"),
        (5, Kind.REFERRAL, Direction.OUTGOING, None),
        (6, Kind.REFERRAL_ANSWER, Direction.INCOMING, "declined"),
        (7, Kind.CLOSING_DECISION, Direction.INTERNAL, None),
    ]
    # The concern comes from the reporter's organisation; referrals go to, and
    # answers come from, the receiving one; the closing decision has no correspondent.
    assert [e.correspondent for e in entries] == [
        people.alice.organisation.name,
        *["NAV Oppdiktet"] * 5,
        "",
    ]
    assert entries[-1].data == {"outcome": Concern.Outcome.ADVICE_GIVEN}
    today = timezone.localdate()
    for entry in entries:
        assert entry.journal_date == today
        assert entry.document_date == today
        assert entry.municipality == trondheim
        assert entry.screening_basis == DEFAULT_SCREENING_BASIS_NO
        assert JournalEntry.Screened.PERSON_NAME in entry.screened_fields
        assert entry.theme == "" and entry.kle_code == ""
        # Codes and references only: no name and no free text is ever stored in an entry.
        assert NAME not in repr(entry.data) and NAME not in entry.correspondent


def test_a_danish_case_gets_the_danish_basis_and_a_theme_from_codes(scene, people, aalborg):
    concern = submitted(people, aalborg, reporter=people.dana)

    entry = concern.journal_entries.get()
    assert entry.screening_basis == DEFAULT_SCREENING_BASIS_DK
    assert entry.theme == "Bekymring – forebyggelse af radikalisering"
    assert JournalEntry.Screened.PERSON_NAME in entry.screened_fields


def test_every_case_folder_numbers_from_one(scene, people, trondheim):
    first = submitted(people, trondheim)
    second = submitted(people, trondheim, name="Oppdiktet Annen")
    journal_record(
        concern=first,
        document_kind=Kind.RECEIPT,
        direction=Direction.OUTGOING,
        actor=scene.coordinator,
    )

    assert list(first.journal_entries.values_list("document_number", flat=True)) == [1, 2]
    assert list(second.journal_entries.values_list("document_number", flat=True)) == [1]


def test_the_database_refuses_a_number_twice(scene, people, trondheim):
    concern = submitted(people, trondheim)
    entry = concern.journal_entries.get()
    duplicate = JournalEntry(
        concern=concern,
        municipality=trondheim,
        document_number=entry.document_number,
        journal_date=entry.journal_date,
        document_date=entry.document_date,
        direction=Direction.INTERNAL,
        document_kind=Kind.DECISION,
        screening_basis=entry.screening_basis,
        created_by=scene.coordinator,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_draft_has_no_case_folder_to_journal_in(scene, people):
    draft = ConcernFactory(reporter=people.alice)
    with pytest.raises(ValueError):
        journal_record(
            concern=draft,
            document_kind=Kind.CONCERN,
            direction=Direction.INCOMING,
            actor=people.alice,
        )
    assert not JournalEntry.objects.exists()


def test_an_unknown_kind_or_direction_is_refused(scene, people, trondheim):
    concern = submitted(people, trondheim)
    for kind, direction in (("letter", Direction.INCOMING), (Kind.RECEIPT, "X")):
        with pytest.raises(ValueError):
            journal_record(
                concern=concern, document_kind=kind, direction=direction, actor=scene.coordinator
            )
    assert concern.journal_entries.count() == 1


def test_a_reopened_case_closed_again_journals_a_second_closing_decision(scene, people, trondheim):
    concern = closed(scene, submitted(people, trondheim))
    concern = concern_reopen(concern=concern, actor=scene.coordinator, reason="Ny informasjon.")
    closed(scene, concern)

    kinds = list(concern.journal_entries.values_list("document_kind", flat=True))
    assert kinds == [Kind.CONCERN, Kind.CLOSING_DECISION, Kind.CLOSING_DECISION]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks: CI runs it"
)
@pytest.mark.django_db(transaction=True)
def test_documents_journaled_at_once_never_share_a_number(people, trondheim):
    """Eight documents journaled in the same instant, each on its own connection."""
    reporter = people.alice
    concern = submitted(people, trondheim)
    actors = [UserFactory(username=f"samtidig-{n}") for n in range(8)]
    barrier = threading.Barrier(len(actors))
    errors: list[BaseException] = []

    def record(actor) -> None:
        try:
            barrier.wait()
            journal_record(
                concern=concern,
                document_kind=Kind.RECEIPT,
                direction=Direction.OUTGOING,
                actor=actor,
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(concern.journal_entries.values_list("document_number", flat=True))
    assert numbers == list(range(1, 10))
    assert reporter.pk


# --- the case's journal page --------------------------------------------------------------


def test_the_handler_reads_the_case_journal_in_her_language(client, scene, people, trondheim):
    concern = full_case(scene, people, trondheim)
    client.force_login(scene.coordinator)
    _english(client)
    # The coordinator is not assigned: she states her purpose once, as on the case page.
    session = client.session
    session["case_purposes"] = {str(concern.pk): "Oppfølging"}
    session.save()

    response = client.get(reverse("concerns:journal", args=[concern.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "Concern report",
        "Referral to NAV Oppdiktet",
        "Referral accepted by NAV Oppdiktet",
        "Referral completed by NAV Oppdiktet",
        "Referral declined by NAV Oppdiktet",
        "Closing decision: Advice given",
    ):
        assert title in page
    assert f"{concern.reference}/7" in page
    assert DEFAULT_SCREENING_BASIS_NO in page
    log = AccessLog.objects.filter(concern=concern, user=scene.coordinator).latest("pk")
    assert log.view == "journal"


@pytest.mark.parametrize("who", ["alice", "charlie", "dana", "police", "other_coordinator"])
def test_everyone_but_the_handlers_gets_404(client, scene, people, trondheim, who):
    concern = submitted(people, trondheim)
    user = getattr(people, who, None) or getattr(scene, who)
    client.force_login(user)

    response = client.get(reverse("concerns:journal", args=[concern.public_id]))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(concern=concern, view="journal").exists()
