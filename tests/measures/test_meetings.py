"""Meetings: planning, the anonymous presentation, the identifying-text warning, holding a
meeting (counted once under its plan item), decisions back to the case, tasks and reminders."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from concerns import reminders
from concerns.models import CaseEvent, NotificationKind, Reminder
from concerns.models.notifications import Notification
from measures.meetings import identifying, services
from measures.meetings.models import AgendaItem, Meeting, MeetingDecision, MeetingKind
from measures.models import Initiative, Measure, MeasureActivity
from measures.selectors import plan_counts_by_year
from tests.measures.conftest import NATIONAL_ID, REFERENCE, SUBJECT_NAME, hold

pytestmark = pytest.mark.django_db


def _case_item(mw, meeting=None):
    meeting = meeting or mw.meeting()
    return services.agenda_item_add_case(meeting=meeting, concern=mw.concern, actor=mw.coordinator)


# --- kinds as data ------------------------------------------------------------------------


def test_the_shipped_meeting_kinds_count_under_their_plan_items(trondheim, aalborg):
    call_command("load_reference_data", verbosity=0)
    kontaktforum = MeetingKind.objects.get(municipality__code="trondheim", code="kontaktforum")
    assert kontaktforum.measure == Measure.objects.get(municipality__code="trondheim", number=2)
    walk = MeetingKind.objects.get(municipality__code="aalborg", code="tryghedsvandring")
    assert walk.initiative == Initiative.objects.get(municipality__code="aalborg", number=5)
    assert walk.is_safety_walk and not walk.allows_case_items
    assert MeetingKind.objects.get(municipality__code="trondheim", code="politiradet").name_nb == (
        "Politirådet"
    )
    before = MeetingKind.objects.count()
    call_command("load_reference_data", verbosity=0)
    assert MeetingKind.objects.count() == before


# --- planning -----------------------------------------------------------------------------


def test_a_meeting_invites_contacts_of_its_own_municipality_only(mw):
    starts = timezone.now() + datetime.timedelta(days=2)
    details = services.MeetingDetails(
        kind=mw.kontaktforum,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Rådhuset",
        chair=mw.coordinator,
        participants=(mw.police_contact, mw.aalborg_contact),
    )
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(municipality=mw.trondheim, details=details, actor=mw.coordinator)
    assert "participants" in refused.value.error_dict
    assert not Meeting.objects.exists()


def test_only_the_municipalitys_coordinator_plans_a_meeting(mw):
    starts = timezone.now() + datetime.timedelta(days=2)
    details = services.MeetingDetails(
        kind=mw.kontaktforum,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Rådhuset",
        chair=mw.coordinator,
        participants=(mw.police_contact,),
    )
    for outsider in (mw.nav_worker, mw.aalborg_coordinator):
        with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, whatever its text
            services.meeting_create(municipality=mw.trondheim, details=details, actor=outsider)
    assert not Meeting.objects.exists()


# --- the anonymous presentation -----------------------------------------------------------


def test_the_drafted_presentation_holds_no_name_id_or_reference_even_from_the_free_text(mw):
    with translation.override("en"):
        item = _case_item(mw)
    text = item.text
    assert "Nordmann" not in text and "Oppdiktet" not in text
    for digits in (NATIONAL_ID, "150710 48733", "48733"):
        assert digits not in text
    assert REFERENCE not in text and "000042" not in text
    # Bands, kinds and months instead: "16–17" (born 2010), a kind of school, a month.
    assert "13–15" in text or "16–17" in text
    assert "Heimdal videregående skole" not in text and "upper secondary school" in text
    assert "12.11.2026" not in text and "november 2026" in text
    assert "Lillegårdsveien" not in text and "952 63 621" not in text
    assert identifying.identifiers_in(text, mw.concern) == []
    assert not item.named


@pytest.mark.parametrize(
    "written",
    [
        "Saken gjelder Nordmann, som går i tiende klasse.",
        "Gutten (oppdiktet nordmann) har trukket seg unna.",
        "Fødselsnummer 150710 48733.",
        "Se BEK-2026-000042.",
        "Se også bek-2025-000007.",
    ],
)
def test_an_anonymous_presentation_refuses_the_name_national_id_and_reference(mw, written):
    item = _case_item(mw)
    before = item.text
    with pytest.raises(ValidationError):
        services.agenda_item_update(item=item, text=written, actor=mw.coordinator)
    item.refresh_from_db()
    assert item.text == before


def test_the_presentation_is_what_an_anonymous_participant_reads(client, mw):
    item = _case_item(mw)
    services.agenda_item_update(
        item=item, text="En ungdom 16–17 år ved en videregående skole.", actor=mw.coordinator
    )
    client.force_login(mw.nav_worker)
    body = client.get(reverse("meetings:detail", args=[item.meeting.public_id])).content.decode()
    assert "En ungdom 16–17 år ved en videregående skole." in body
    assert REFERENCE not in body and SUBJECT_NAME not in body
    assert str(mw.concern.public_id) not in body  # no link to the case


# --- the identifying-text warning ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Tatt opp med Radikaliseringskontakt forrige uke.", identifying.Kind.CONTACT_NAME),
        ("Ring 952 63 621 ved behov.", identifying.Kind.DIGITS),
        ("Kontonummer 12345678.", identifying.Kind.DIGITS),
        ("Skjedde 3.10.2026 etter skolen.", identifying.Kind.DIGITS),
        ("Bor i Lillegårdsveien 12 med mor.", identifying.Kind.ADDRESS),
        ("Postadresse 7020 Trondheim.", identifying.Kind.ADDRESS),
        ("Elev ved Byåsen videregående skole.", identifying.Kind.SCHOOL),
        ("Går på Heimdal vgs.", identifying.Kind.SCHOOL),
        ("Samme klasse som Nordmann.", identifying.Kind.PERSON_NAME),
    ],
)
def test_the_warning_points_out_what_looks_identifying(mw, text, kind):
    context = identifying.Context.for_concerns([mw.concern], mw.trondheim.pk)
    assert kind in {hit.kind for hit in identifying.warnings_in(text, context)}


def test_an_ordinary_presentation_raises_no_warning(mw):
    context = identifying.Context.for_concerns([mw.concern], mw.trondheim.pk)
    text = (
        "En gutt 16–17 år ved en videregående skole. Bekymringen kom i november fra skolen. "
        "Han har delt voldelige bilder og snakker om hevn. Foreldrene er informert."
    )
    assert identifying.warnings_in(text, context) == []
    assert identifying.warnings_in(_case_item(mw).text, context) == []


def test_the_agenda_goes_out_only_once_the_warnings_are_looked_at(mw):
    meeting = mw.meeting()
    services.agenda_item_add_topic(
        meeting=meeting,
        title="Erfaringer fra skolene",
        text="Innspill fra Radikaliseringskontakt, tlf. 952 63 621, Lillegårdsveien 12.",
        actor=mw.coordinator,
    )
    warned = services.agenda_warnings(meeting)
    assert {hit.kind for _item, hits in warned for hit in hits} >= {
        identifying.Kind.CONTACT_NAME,
        identifying.Kind.DIGITS,
        identifying.Kind.ADDRESS,
    }
    with pytest.raises(ValidationError) as refused:
        services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator)
    assert refused.value.code == "warnings"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator, warnings_seen=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.AGENDA_SENT and meeting.agenda_sent_at


def test_the_meeting_page_shows_the_warnings_before_sending(client, mw):
    meeting = mw.meeting()
    services.agenda_item_add_topic(
        meeting=meeting,
        title="Skolene",
        text="Møte på Byåsen videregående skole.",
        actor=mw.coordinator,
    )
    client.force_login(mw.coordinator)
    response = client.get(reverse("meetings:detail", args=[meeting.public_id]))
    assert "Byåsen videregående skole" in response.content.decode()
    assert 'data-testid="identifying-warnings"' in response.content.decode()
    response = client.post(reverse("meetings:send", args=[meeting.public_id]), {})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    client.post(reverse("meetings:send", args=[meeting.public_id]), {"warnings_seen": "on"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.AGENDA_SENT


# --- held: counted once under its plan item ------------------------------------------------


def test_a_held_meeting_counts_once_under_its_measure(mw):
    meeting = mw.meeting()
    services.agenda_item_add_topic(meeting=meeting, title="Status", text="", actor=mw.coordinator)
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator)
    with pytest.raises(ValidationError):
        services.meeting_hold(
            meeting=meeting, attended=[mw.police_contact.pk], actor=mw.coordinator
        )  # it has not started
    hold(mw, meeting, attended=[mw.police_contact.pk, mw.nav_contact.pk])
    activity = MeasureActivity.objects.get()
    assert activity.meeting == meeting and activity.measure == mw.measure
    assert activity.kind == MeasureActivity.Kind.KONTAKTFORUM_MEETING
    assert activity.participants == 2
    with pytest.raises(Exception):  # noqa: B017 - IllegalTransition: held once
        services.meeting_hold(
            meeting=meeting, attended=[mw.police_contact.pk], actor=mw.coordinator
        )
    assert MeasureActivity.objects.count() == 1
    year = timezone.localdate(meeting.starts_at).year
    row = next(row for row in plan_counts_by_year(mw.measure) if row["year"] == year)
    assert (row["activities"], row["participants"]) == (1, 2)


def test_a_safety_walk_counts_under_aalborgs_initiative_5(mw):
    meeting = mw.meeting(kind=mw.safety_walk)
    services.agenda_item_add_finding(
        meeting=meeting,
        place="Stien ved hallen",
        finding="lighting",
        text="Mørkt.",
        department="Vej og Trafik",
        actor=mw.aalborg_coordinator,
    )
    services.meeting_send_agenda(meeting=meeting, actor=mw.aalborg_coordinator)
    hold(mw, meeting)
    activity = MeasureActivity.objects.get(meeting=meeting)
    assert activity.initiative == mw.initiative
    assert activity.kind == MeasureActivity.Kind.SAFETY_WALK


# --- decisions back to the case, tasks to the assignee -------------------------------------


def _sent_with_case(mw):
    meeting = mw.meeting()
    item = _case_item(mw, meeting)
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator, warnings_seen=True)
    item.refresh_from_db()
    return meeting, item


def test_decisions_reach_the_cases_timeline_for_its_handlers(client, mw):
    meeting, item = _sent_with_case(mw)
    due = timezone.localdate() + datetime.timedelta(days=14)
    services.decision_record(
        item=item,
        kind="advice",
        text="Skolen inviterer til samtale med foreldrene.",
        actor=mw.coordinator,
    )
    services.decision_record(
        item=item,
        kind="task",
        text="Ta kontakt med familien om arbeidstrening.",
        assignee=mw.nav_contact,
        due_on=due,
        actor=mw.coordinator,
    )
    events = CaseEvent.objects.filter(concern=mw.concern, kind=CaseEvent.Kind.MEETING_DECISION)
    assert [event.data["decision"] for event in events] == ["advice", "task"]
    assert events[1].data["assignee"]["name"] == "Rune Ressurs"
    assert (
        CaseEvent.objects.filter(concern=mw.concern, kind=CaseEvent.Kind.MEETING_ITEM).count() == 1
    )
    client.force_login(mw.police)  # the assigned handler
    body = client.get(reverse("concerns:detail", args=[mw.concern.public_id])).content.decode()
    assert "Skolen inviterer til samtale med foreldrene." in body
    assert "Ta kontakt med familien om arbeidstrening." in body
    # The reporter sees none of it.
    client.force_login(mw.concern.reporter)
    body = client.get(reverse("concerns:detail", args=[mw.concern.public_id])).content.decode()
    assert "Skolen inviterer" not in body


def test_a_task_reaches_the_assignee_without_the_case(client, mw):
    meeting, item = _sent_with_case(mw)
    due = timezone.localdate() + datetime.timedelta(days=7)
    task = services.decision_record(
        item=item,
        kind="task",
        text="Tilby arbeidstrening.",
        assignee=mw.nav_contact,
        due_on=due,
        actor=mw.coordinator,
    )
    client.force_login(mw.nav_worker)
    body = client.get(reverse("meetings:tasks")).content.decode()
    assert "Tilby arbeidstrening." in body
    assert REFERENCE not in body and SUBJECT_NAME not in body
    assert str(mw.concern.public_id) not in body
    assert client.get(reverse("concerns:detail", args=[mw.concern.public_id])).status_code == 404
    # The usual reminders: told of the task at once, reminded on the due day.
    reminders.sweep(deliver=False)
    assigned = Reminder.objects.get(kind=NotificationKind.MEETING_TASK_ASSIGNED)
    assert list(assigned.recipients.all()) == [mw.nav_worker]
    assert assigned.reference == "" and assigned.concern_id is None
    assert not Reminder.objects.filter(kind=NotificationKind.MEETING_TASK_DUE).exists()
    reminders.sweep(now=timezone.now() + datetime.timedelta(days=8), deliver=False)
    due_reminder = Reminder.objects.get(kind=NotificationKind.MEETING_TASK_DUE)
    assert list(due_reminder.recipients.all()) == [mw.nav_worker]
    reminders.sweep(now=timezone.now() + datetime.timedelta(days=9), deliver=False)
    assert Reminder.objects.filter(kind=NotificationKind.MEETING_TASK_DUE).count() == 1
    # Done: the case's handlers see it.
    client.post(reverse("meetings:task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == mw.nav_worker
    assert CaseEvent.objects.filter(
        concern=mw.concern, kind=CaseEvent.Kind.MEETING_DECISION, data__done=True
    ).exists()


def test_the_participants_are_invited_when_the_agenda_is_sent(mw):
    meeting, _item = _sent_with_case(mw)
    reminders.sweep()
    invited = Reminder.objects.filter(kind=NotificationKind.MEETING_INVITATION)
    assert {user for reminder in invited for user in reminder.recipients.all()} == {
        mw.coordinator,
        mw.police,
        mw.nav_worker,
    }
    assert all(reminder.reference == "" for reminder in invited)
    reminders.deliver_pending()
    assert Notification.objects.filter(user=mw.nav_worker).exists()


def test_a_task_goes_only_to_a_participant(mw):
    meeting, item = _sent_with_case(mw)
    with pytest.raises(ValidationError):
        services.decision_record(
            item=item,
            kind="task",
            text="Noe.",
            assignee=mw.aalborg_contact,
            due_on=timezone.localdate() + datetime.timedelta(days=3),
            actor=mw.coordinator,
        )
    assert not MeetingDecision.objects.exists()


def test_a_decision_on_an_anonymous_case_refuses_the_persons_name(mw):
    meeting, item = _sent_with_case(mw)
    with pytest.raises(ValidationError):
        services.decision_record(
            item=item,
            kind="advice",
            text="Nordmann bør få tilbud om mentor.",
            actor=mw.coordinator,
        )
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MEETING_DECISION).exists()


def test_bad_input_changes_nothing_and_never_fails(client, mw):
    meeting = mw.meeting()
    client.force_login(mw.coordinator)
    url = reverse("meetings:item_add", args=[meeting.public_id, "topic"])
    response = client.post(url, {"topic-title": "Null\x00byte", "topic-text": "x"})
    assert response.status_code == 400
    response = client.post(
        reverse("meetings:item_add", args=[meeting.public_id, "case"]),
        {"case-reference": "BEK-2026-999999"},
    )
    assert response.status_code == 400
    assert not AgendaItem.objects.exists()
    assert (
        client.get(
            reverse("meetings:preview", args=[meeting.public_id]), {"participant": "x\x00"}
        ).status_code
        == 400
    )
    response = client.post(reverse("meetings:new"), {"place": "\x00", "date": "nonsense"})
    assert response.status_code == 400
    assert Meeting.objects.count() == 1


# --- query counts -------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("reader", ["coordinator", "nav_worker", "police"])
def test_the_meeting_pages_query_count_does_not_grow_with_its_items(client, mw, reader):
    meeting = mw.meeting()
    _case_item(mw, meeting)
    services.agenda_item_add_topic(meeting=meeting, title="Status", text="", actor=mw.coordinator)
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator, warnings_seen=True)
    url = reverse("meetings:detail", args=[meeting.public_id])
    client.force_login(getattr(mw, reader))
    small = _queries(client, url)
    # Ten more items, each with decisions, added behind the services' back (the agenda is sent).
    for n in range(10):
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=10 + n,
            kind="topic",
            title=f"Tema {n}",
            created_by=mw.coordinator,
        )
        MeetingDecision.objects.create(
            item=item, kind="advice", text="Råd.", created_by=mw.coordinator
        )
        MeetingDecision.objects.create(
            item=item,
            kind="task",
            text="Gjør noe.",
            assignee=mw.nav_contact,
            due_on=timezone.localdate(),
            created_by=mw.coordinator,
        )
    assert _queries(client, url) == small


def test_the_meeting_list_and_task_list_do_not_grow_with_meetings_or_tasks(client, mw):
    def add_meeting_with_task():
        meeting = mw.meeting()
        item = services.agenda_item_add_topic(
            meeting=meeting, title="Status", text="", actor=mw.coordinator
        )
        services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator)
        services.decision_record(
            item=item,
            kind="task",
            text="Gjør noe.",
            assignee=mw.nav_contact,
            due_on=timezone.localdate() + datetime.timedelta(days=3),
            actor=mw.coordinator,
        )

    add_meeting_with_task()
    client.force_login(mw.nav_worker)
    counts = {
        url: _queries(client, url) for url in (reverse("meetings:list"), reverse("meetings:tasks"))
    }
    for _n in range(5):
        add_meeting_with_task()
    for url, small in counts.items():
        assert _queries(client, url) == small, url
