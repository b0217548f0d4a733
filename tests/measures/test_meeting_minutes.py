"""Minutes: drafted from the agenda without names, approved by the chair and then fixed,
printable, the police council's statistics kept as shown, and erased with the case."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from concerns.models import ArchiveExport, CaseEvent, Concern, JournalEntry, RetentionRun
from concerns.records.documents import document_sections
from concerns.retention import anonymise
from measures.meetings import services
from measures.meetings.models import AgendaItem, MeetingDecision, MeetingMinutes, MinutesLocked
from tests.factories import ConcernFactory, SubjectFactory
from tests.measures.conftest import NATIONAL_ID, OBSERVATIONS, REFERENCE, SUBJECT_NAME, hold

pytestmark = pytest.mark.django_db

PRESENTATION = "En ungdom 16–17 år ved en videregående skole. Delt voldelige bilder."


@pytest.fixture
def held(mw):
    """A held Kontaktforum meeting: an anonymous case, a named one, a topic; decisions on each."""
    meeting = mw.meeting()
    anonymous = services.agenda_item_add_case(
        meeting=meeting, concern=mw.concern, actor=mw.coordinator
    )
    services.agenda_item_update(item=anonymous, text=PRESENTATION, actor=mw.coordinator)
    named_concern = ConcernFactory(  # a second case, about another invented person
        reporter=mw.concern.reporter,
        municipality=mw.trondheim,
        subject=SubjectFactory(
            municipality=mw.trondheim,
            name="Oppdiktet Fjellheim",
            birth_year=2000,
            created_by=mw.concern.reporter,
        ),
        status=Concern.Status.IN_TRIAGE,
        reference="BEK-2026-000077",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    named = services.agenda_item_add_case(
        meeting=meeting, concern=named_concern, actor=mw.coordinator
    )
    services.agenda_item_set_basis(
        item=named, named=True, legal_basis="consent", consent_person=True, actor=mw.coordinator
    )
    topic = services.agenda_item_add_topic(
        meeting=meeting,
        title="Seminar i vår",
        text="Forslag om et dialogmøte.",
        actor=mw.coordinator,
    )
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator, warnings_seen=True)
    for item in (anonymous, named, topic):
        item.refresh_from_db()
    due = timezone.localdate() + datetime.timedelta(days=10)
    services.decision_record(
        item=anonymous,
        kind="task",
        text="Tilby arbeidstrening.",
        assignee=mw.nav_contact,
        due_on=due,
        actor=mw.coordinator,
    )
    with pytest.raises(ValidationError):  # decisions go into the minutes: no name, even here
        services.decision_record(
            item=named, kind="advice", text="Fjellheim følges opp av mentor.", actor=mw.coordinator
        )
    services.decision_record(
        item=named, kind="advice", text="Følges opp av mentor.", actor=mw.coordinator
    )
    services.decision_record(
        item=named,
        kind="referral",
        text="Foreslått henvisning.",
        organisation=mw.nav_contact.organisation,
        actor=mw.coordinator,
    )
    services.decision_record(
        item=topic, kind="advice", text="Planlegg seminaret.", actor=mw.coordinator
    )
    hold(mw, meeting)
    meeting.refresh_from_db()
    return {
        "meeting": meeting,
        "anonymous": anonymous,
        "named": named,
        "named_concern": named_concern,
    }


def _minutes_text(client, user, meeting, name="meetings:minutes") -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=[meeting.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_minutes_hold_no_names_and_name_a_named_case_by_reference_only(client, mw, held):
    meeting = held["meeting"]
    services.minutes_notes_save(
        meeting=meeting,
        notes="Oppdiktet Nordmann ble nevnt; fnr 150710 48733.",
        actor=mw.coordinator,
    )
    for name in ("meetings:minutes", "meetings:minutes_print"):
        body = _minutes_text(client, mw.coordinator, meeting, name)
        minutes = body.split('data-testid="minutes"')[1].split("</article>")[0]
        assert PRESENTATION in minutes
        assert "Tilby arbeidstrening." in minutes
        assert "BEK-2026-000077" in minutes  # the named case, by its reference
        for identifying in (
            SUBJECT_NAME,
            "Nordmann",
            "Fjellheim",
            NATIONAL_ID,
            "150710 48733",
            REFERENCE,
        ):
            assert identifying not in minutes, identifying
        assert OBSERVATIONS not in minutes
        assert "Seminar i vår" in minutes and "Planlegg seminaret." in minutes


def test_only_the_chair_approves_and_approved_minutes_never_change(client, mw, held):
    meeting = held["meeting"]
    with pytest.raises(PermissionDenied):
        services.minutes_approve(meeting=meeting, actor=mw.police)
    minutes = services.minutes_approve(meeting=meeting, actor=mw.coordinator)
    assert minutes.is_approved and minutes.approved_by == mw.coordinator
    stored = minutes.content
    assert [entry["kind"] for entry in stored["items"]] == ["case", "case", "topic"]
    # The service refuses...
    with pytest.raises(ValidationError):
        services.minutes_notes_save(meeting=meeting, notes="Endret.", actor=mw.coordinator)
    with pytest.raises(ValidationError):
        services.decision_record(
            item=held["anonymous"], kind="advice", text="Senere råd.", actor=mw.coordinator
        )
    with pytest.raises(Exception):  # noqa: B017 - IllegalTransition
        services.minutes_approve(meeting=meeting, actor=mw.coordinator)
    # ...and so does the model, whoever saves it.
    minutes.notes = "Endret bak tjenestens rygg."
    with pytest.raises(MinutesLocked):
        minutes.save()
    with pytest.raises(MinutesLocked):
        minutes.delete()
    minutes.refresh_from_db()
    assert minutes.content == stored and minutes.notes == ""
    # A change to an item afterwards does not reach the approved minutes.
    AgendaItem.objects.filter(pk=held["anonymous"].pk).update(text="Endret presentasjon.")
    body = _minutes_text(client, mw.nav_worker, meeting)
    assert PRESENTATION in body and "Endret presentasjon." not in body
    assert 'data-testid="approve-minutes"' not in body
    # History is kept: drafted, then approved.
    assert minutes.history.count() >= 2


def test_approved_minutes_are_a_journal_entry_of_each_case_they_discuss(mw, held):
    meeting = held["meeting"]
    cases = {item.concern for item in meeting.items.filter(concern__isnull=False)}
    assert len(cases) == 2

    services.minutes_approve(meeting=meeting, actor=mw.coordinator)

    entries = JournalEntry.objects.filter(document_kind=JournalEntry.DocumentKind.MEETING_MINUTES)
    assert {entry.concern for entry in entries} == cases and entries.count() == 2
    assert all(entry.direction == JournalEntry.Direction.INTERNAL for entry in entries)
    # Its archive document holds that case's presentation, and no name.
    anonymous = entries.get(concern=held["anonymous"].concern)
    text = " ".join(body for _heading, body in document_sections(anonymous))
    assert PRESENTATION in text and SUBJECT_NAME not in text


def test_the_chair_approves_from_the_page(client, mw, held):
    meeting = held["meeting"]
    client.force_login(mw.nav_worker)  # a participant, not the chair
    client.post(reverse("meetings:minutes", args=[meeting.public_id]), {"action": "approve"})
    assert not MeetingMinutes.objects.get(meeting=meeting).is_approved
    client.force_login(mw.coordinator)
    response = client.post(
        reverse("meetings:minutes", args=[meeting.public_id]), {"action": "approve"}
    )
    assert response.status_code == 302
    assert MeetingMinutes.objects.get(meeting=meeting).is_approved


def test_anonymising_a_case_blanks_what_meetings_hold_about_it(mw, held):
    meeting = held["meeting"]
    services.minutes_approve(meeting=meeting, actor=mw.coordinator)
    concern = Concern.objects.get(pk=mw.concern.pk)
    Concern.objects.filter(pk=concern.pk).update(
        status=Concern.Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=800)
    )
    # Retention waits until the case's archive package is delivered (concerns.records).
    ArchiveExport.objects.create(
        concern=concern, status=ArchiveExport.Status.DELIVERED, delivered_at=timezone.now()
    )
    anonymise(concern, RetentionRun.objects.create(started_at=timezone.now()))
    assert Concern.objects.get(pk=concern.pk).anonymised_at is not None
    item = AgendaItem.objects.get(pk=held["anonymous"].pk)
    assert item.text == ""
    assert all(row.text == "" for row in item.history.all())
    decisions = MeetingDecision.objects.filter(item=item)
    assert decisions.exists() and all(decision.text == "" for decision in decisions)
    assert all(row.text == "" for decision in decisions for row in decision.history.all())
    minutes = MeetingMinutes.objects.get(meeting=meeting)
    entry = next(e for e in minutes.content["items"] if e["concern_id"] == concern.pk)
    assert entry["text"] == "" and all(d["text"] == "" for d in entry["decisions"])
    for row in minutes.history.all():
        for old in row.content.get("items", []):
            if old["concern_id"] == concern.pk:
                assert old["text"] == "" and all(d["text"] == "" for d in old["decisions"])
    # The other case, and the topic, are as they were.
    other = next(e for e in minutes.content["items"] if e["concern_id"] == held["named_concern"].pk)
    assert other["reference"] == "BEK-2026-000077" and other["decisions"][0]["text"]
    assert any(e["kind"] == "topic" and e["text"] for e in minutes.content["items"])
    # The decision kinds and due dates stay, as the case keeps its counts.
    assert entry["decisions"][0]["kind"] == "task" and entry["decisions"][0]["due_on"]
    assert not CaseEvent.objects.filter(concern=concern).exclude(text="").exists()


def test_the_police_council_keeps_its_statistics_as_shown(client, mw):
    starts = timezone.now() + datetime.timedelta(days=1)
    meeting = services.meeting_create(
        municipality=mw.trondheim,
        details=services.MeetingDetails(
            kind=mw.police_council,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Formannskapssalen",
            chair=mw.coordinator,
            participants=(mw.coordinator_contact, mw.police_contact),
            statistics_year=timezone.localdate().year,
            statistics_period="year",
        ),
        actor=mw.coordinator,
    )
    client.force_login(mw.police)
    page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    assert 'data-testid="meeting-statistics"' in page
    services.agenda_item_add_topic(
        meeting=meeting, title="Prioriteringer", text="", actor=mw.coordinator
    )
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator)
    hold(mw, meeting)
    minutes = MeetingMinutes.objects.get(meeting=meeting)
    snapshot = minutes.statistics
    assert snapshot["language"] == "nb" and snapshot["sections"]
    # One concern submitted in the year: protected, shown as "<5", never as 1.
    assert snapshot["concerns"] == "<5"
    # Figures that change later do not move the minutes.
    Concern.objects.filter(pk=mw.concern.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=900)
    )
    services.minutes_approve(meeting=meeting, actor=mw.coordinator)
    minutes.refresh_from_db()
    assert minutes.statistics == snapshot
    body = _minutes_text(client, mw.police, meeting, "meetings:minutes_print")
    assert "&lt;5" in body
    with pytest.raises(ValidationError):
        services.meeting_update(
            meeting=mw.meeting(),
            details=services.MeetingDetails(
                kind=mw.kontaktforum,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                place="X",
                chair=mw.coordinator,
                participants=(mw.police_contact,),
                statistics_year=2026,
                statistics_period="year",
            ),
            actor=mw.coordinator,
        )
