"""The public journal: screened, deterministic, for the municipality's admins and coordinators."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import JournalEntry
from concerns.models.records import DEFAULT_SCREENING_BASIS_DK, DEFAULT_SCREENING_BASIS_NO
from concerns.records.journal import journal_record
from concerns.records.public import this_month
from tests.concerns.journal_setup import (  # noqa: F401 - scene_fixture is the `scene` fixture
    NAME,
    TEXT,
    full_case,
    scene_fixture,
    submitted,
)

pytestmark = pytest.mark.django_db

PAGES = ("records:public_journal", "records:public_journal_print", "records:public_journal_csv")

# What the public journal must never hold: the person's name or any part of it,
# free text, the reporter's organisation, the agency the case was referred to.
NEVER = (NAME, "Ingeborg", "Zweistein", "Ødegård", "friminuttet", "Oppdiktet ungdomsskole", "NAV")


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _get(client, page, **query):
    return client.get(reverse(page), query)


@pytest.fixture
def journaled(scene, people, trondheim, aalborg):
    concern = full_case(scene, people, trondheim)
    danish = submitted(people, aalborg, reporter=people.dana, name="Opdigtet Dansker")
    return {"concern": concern, "danish": danish}


@pytest.mark.parametrize("page", PAGES)
def test_the_public_journal_never_holds_a_name_or_free_text(client, scene, journaled, page):
    client.force_login(scene.registry_admin)
    _english(client)

    response = _get(client, page)

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    for forbidden in NEVER:
        assert forbidden not in body, forbidden
    # It is the journal all the same: the case number and every document, screened.
    assert journaled["concern"].reference in body
    assert body.count(journaled["concern"].reference) >= 7
    assert "Concern report" in body and "Closing decision" in body
    assert DEFAULT_SCREENING_BASIS_NO in body
    # Only the reader's own municipality.
    assert journaled["danish"].reference not in body


def test_the_csv_is_the_same_bytes_every_time(client, scene, journaled):
    client.force_login(scene.registry_admin)
    _english(client)

    first = _get(client, "records:public_journal_csv").content
    second = _get(client, "records:public_journal_csv").content

    assert first == second
    lines = first.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["Case number", "Document number", "Journal date"]
    reference = journaled["concern"].reference
    today = timezone.localdate().isoformat()
    assert lines[1:] == [
        f"{reference};{n};{today};{today};{direction};{title};;U;{DEFAULT_SCREENING_BASIS_NO}"
        for n, direction, title in (
            (1, "Incoming document", "Concern report"),
            (2, "Outgoing document", "Referral"),
            (3, "Incoming document", "Answer to a referral"),
            (4, "Incoming document", "Answer to a referral"),
            (5, "Outgoing document", "Referral"),
            (6, "Incoming document", "Answer to a referral"),
            (7, "Internal note", "Closing decision"),
        )
    ]


def test_a_danish_journal_shows_the_theme_and_its_basis(client, scene, journaled):
    client.force_login(scene.other_admin)
    _english(client)

    body = _get(client, "records:public_journal_csv").content.decode("utf-8-sig")

    header, row = body.splitlines()
    assert header.endswith("Thematic description;KLE code")
    assert row.startswith(f"{journaled['danish'].reference};1;")
    assert DEFAULT_SCREENING_BASIS_DK in row
    assert "Bekymring – forebyggelse af radikalisering" in row
    assert "Opdigtet" not in body


def test_the_period_defaults_to_this_month_and_can_be_chosen(client, scene, journaled):
    concern = journaled["concern"]
    start, end = this_month()
    last_month = start - datetime.timedelta(days=1)
    JournalEntry.objects.filter(concern=concern, document_number=1).update(journal_date=last_month)
    client.force_login(scene.coordinator)

    now = _get(client, "records:public_journal_csv").content.decode("utf-8-sig")
    before = _get(
        client,
        "records:public_journal_csv",
        municipality="trondheim",
        **{"from": last_month.replace(day=1).isoformat(), "to": last_month.isoformat()},
    ).content.decode("utf-8-sig")

    assert len(now.splitlines()) == 1 + 6
    assert len(before.splitlines()) == 1 + 1
    assert f"{concern.reference};1;{last_month.isoformat()}" in before


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-01"},
        {"to": "i går"},
        {"from": "2026-03-10", "to": "2026-03-01"},
        {"from": "2024-01-01", "to": "2025-06-30"},
        {"from": "1999-12-31", "to": "2000-01-31"},
        {"from": "2026-03-01\x00"},
    ],
)
@pytest.mark.parametrize("page", PAGES)
def test_a_bad_period_gets_a_clear_message_and_no_entries(client, scene, journaled, page, query):
    client.force_login(scene.registry_admin)
    _english(client)

    response = _get(client, page, **query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert journaled["concern"].reference not in body


@pytest.mark.parametrize("who", ["registry_admin", "coordinator"])
def test_the_municipalitys_admin_and_coordinator_read_it(client, scene, journaled, who):
    client.force_login(getattr(scene, who))
    for page in PAGES:
        assert _get(client, page, municipality="trondheim").status_code == 200


@pytest.mark.parametrize("who", ["other_admin", "other_coordinator"])
def test_another_municipalitys_reader_gets_404_for_it(client, scene, journaled, who):
    client.force_login(getattr(scene, who))
    for page in PAGES:
        assert _get(client, page, municipality="trondheim").status_code == 404


@pytest.mark.parametrize("who", ["alice", "charlie", "police", "nav_worker"])
def test_everyone_else_gets_404(client, scene, people, journaled, who):
    client.force_login(getattr(people, who, None) or getattr(scene, who))
    for page in PAGES:
        assert _get(client, page).status_code == 404


def test_the_menu_leads_the_registry_admin_there(client, scene, people, journaled):
    client.force_login(scene.registry_admin)
    assert (
        reverse("records:public_journal")
        in client.get(reverse("home"), follow=True).content.decode()
    )
    client.force_login(people.alice)
    assert (
        reverse("records:public_journal")
        not in client.get(reverse("home"), follow=True).content.decode()
    )


def _entries(scene, concern, count: int) -> None:
    for _ in range(count):
        journal_record(
            concern=concern,
            document_kind=JournalEntry.DocumentKind.RECEIPT,
            direction=JournalEntry.Direction.OUTGOING,
            actor=scene.coordinator,
            correspondent="Oppdiktet ungdomsskole",
        )


@pytest.mark.parametrize("page", PAGES)
def test_the_public_journal_makes_the_same_queries_for_2_and_20_entries(
    client, scene, people, trondheim, page
):
    concern = submitted(people, trondheim)
    client.force_login(scene.registry_admin)
    _entries(scene, concern, 1)
    with CaptureQueriesContext(connection) as few:
        assert _get(client, page).status_code == 200
    _entries(scene, concern, 17)
    other = submitted(people, trondheim, name="Oppdiktet Tredje")
    with CaptureQueriesContext(connection) as many:
        response = _get(client, page)
    assert response.status_code == 200
    assert JournalEntry.objects.filter(municipality=trondheim).count() == 20
    assert other.reference in response.content.decode("utf-8-sig")
    assert len(many) == len(few), [q["sql"] for q in many]


def test_a_cell_that_looks_like_a_formula_stays_text(client, scene, people, trondheim):
    concern = submitted(people, trondheim)
    entry = journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.RECEIPT,
        direction=JournalEntry.Direction.OUTGOING,
        actor=scene.coordinator,
        correspondent='=HYPERLINK("http://example.invalid")',
    )
    # A municipality that decided to show senders and recipients.
    JournalEntry.objects.filter(pk=entry.pk).update(screened_fields=["person_name", "title"])
    client.force_login(scene.registry_admin)

    body = _get(client, "records:public_journal_csv").content.decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[-1][6] == '\'=HYPERLINK("http://example.invalid")'
