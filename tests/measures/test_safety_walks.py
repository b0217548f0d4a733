"""Aalborg's safety walks (tryghedsvandringer, initiative 5): places, findings and follow-up
tasks, no case and no person; and the calendar invitation every meeting offers."""

import datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from measures.meetings import services
from measures.meetings.calendar import invitation
from measures.meetings.models import AgendaItem, MeetingDecision
from tests.measures.conftest import REFERENCE, SUBJECT_NAME, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk(mw):
    meeting = mw.meeting(kind=mw.safety_walk)
    lighting = services.agenda_item_add_finding(
        meeting=meeting,
        place="Stien mellem hallen og skolen",
        finding=AgendaItem.Finding.LIGHTING,
        text="To lygtepæle virker ikke.",
        department="Vej og Trafik",
        actor=mw.aalborg_coordinator,
    )
    pond = services.agenda_item_add_finding(
        meeting=meeting,
        place="Branddammen ved Bygaden",
        finding=AgendaItem.Finding.FIRE_POND,
        text="Hegnet er væltet.",
        department="Park og Natur",
        actor=mw.aalborg_coordinator,
    )
    return meeting, lighting, pond


def test_a_safety_walk_has_findings_and_never_a_case(mw, walk):
    meeting, lighting, pond = walk
    with pytest.raises(ValidationError):
        services.agenda_item_add_case(
            meeting=meeting, concern=mw.aalborg_concern, actor=mw.aalborg_coordinator
        )
    with pytest.raises(ValidationError):
        services.agenda_item_add_finding(
            meeting=meeting,
            place="Torvet",
            finding="graffiti",
            text="",
            department="",
            actor=mw.aalborg_coordinator,
        )
    assert list(meeting.items.values_list("kind", flat=True)) == ["finding", "finding"]
    assert not meeting.items.filter(concern__isnull=False).exists()
    # Findings belong to safety walks only.
    with pytest.raises(ValidationError):
        services.agenda_item_add_finding(
            meeting=mw.meeting(kind=mw.ssp),
            place="Torvet",
            finding="lighting",
            text="",
            department="",
            actor=mw.aalborg_coordinator,
        )


def test_each_finding_gets_a_follow_up_task_for_the_responsible_department(client, mw, walk):
    meeting, lighting, pond = walk
    services.meeting_send_agenda(meeting=meeting, actor=mw.aalborg_coordinator)
    hold(mw, meeting)
    due = timezone.localdate() + datetime.timedelta(days=21)
    for item, text in ((lighting, "Bestil nye pærer."), (pond, "Rejs hegnet igen.")):
        services.decision_record(
            item=item,
            kind="task",
            text=text,
            assignee=mw.aalborg_police_contact,
            due_on=due,
            actor=mw.aalborg_coordinator,
        )
    assert MeetingDecision.objects.filter(kind="task", item__meeting=meeting).count() == 2
    client.force_login(mw.aalborg_police)
    body = client.get(reverse("meetings:tasks")).content.decode()
    assert "Bestil nye pærer." in body and "Rejs hegnet igen." in body
    assert "Vej og Trafik" in body and "Stien mellem hallen og skolen" in body
    page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    assert "Branddammen ved Bygaden" in page


def test_the_calendar_invitation_parses_and_holds_no_personal_data(client, mw, walk):
    meeting, _lighting, _pond = walk
    client.force_login(mw.aalborg_police)
    response = client.get(reverse("meetings:invitation", args=[meeting.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.start == meeting.starts_at.replace(microsecond=0)
    assert event.end == meeting.ends_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == meeting.place
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    text = response.content.decode()
    for personal in (
        mw.aalborg_coordinator.get_full_name(),
        mw.aalborg_coordinator.username,
        mw.aalborg_police.username,
        "INFO-huset",
        "Politiets SSP-koordinator",
        "Vej og Trafik",
        "To lygtepæle",
        "@demo",
        "mailto:",
    ):
        assert personal not in text, personal


def test_a_case_meetings_invitation_names_no_case(mw):
    meeting = mw.meeting()
    services.agenda_item_add_case(meeting=meeting, concern=mw.concern, actor=mw.coordinator)
    text = invitation(meeting).decode()
    calendar = icalendar.Calendar.from_ical(text)
    assert len(list(calendar.walk("VEVENT"))) == 1
    for personal in (SUBJECT_NAME, "Nordmann", REFERENCE, str(mw.concern.public_id), "Siri"):
        assert personal not in text
