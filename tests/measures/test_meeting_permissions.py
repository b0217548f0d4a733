"""Who sees a meeting and what of it: the chair, a participant who handles the case, a
participant who does not, and an outsider. A named case's summary: its legal basis, its
window, its access log."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from concerns.models import AccessLog, CaseEvent
from measures.meetings import services
from measures.meetings.models import AgendaItem
from measures.meetings.permissions import SUMMARY_GRACE, meetings_visible_to
from partners.identity.models import SecurityEvent
from tests.measures.conftest import OBSERVATIONS, REFERENCE, SUBJECT_NAME, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(mw):
    """A Kontaktforum meeting with an anonymous case, a named case and a decision with a task."""
    meeting = mw.meeting()
    anonymous = services.agenda_item_add_case(
        meeting=meeting, concern=mw.concern, actor=mw.coordinator
    )
    services.agenda_item_update(
        item=anonymous, text="En ungdom 16–17 år. Delt voldelige bilder.", actor=mw.coordinator
    )
    services.meeting_send_agenda(meeting=meeting, actor=mw.coordinator, warnings_seen=True)
    anonymous.refresh_from_db()
    task = services.decision_record(
        item=anonymous,
        kind="task",
        text="Tilby arbeidstrening.",
        assignee=mw.nav_contact,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        actor=mw.coordinator,
    )
    return {"meeting": meeting, "item": anonymous, "task": task}


def _status(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


ROLES = ["chair", "participant_with_case", "participant_without_case", "outsider"]


def _user(mw, role):
    return {
        "chair": mw.coordinator,
        "participant_with_case": mw.police,
        "participant_without_case": mw.nav_worker,
        "outsider": mw.outsider,
    }[role]


@pytest.mark.parametrize(
    ("role", "meeting_page", "case_page", "case_link", "reference_shown"),
    [
        ("chair", 200, 200, True, True),
        ("participant_with_case", 200, 200, True, True),
        ("participant_without_case", 200, 404, False, False),
        ("outsider", 404, 404, False, False),
    ],
)
def test_the_permission_matrix(
    client, mw, scene, role, meeting_page, case_page, case_link, reference_shown
):
    user = _user(mw, role)
    meeting = scene["meeting"]
    client.force_login(user)
    response = client.get(reverse("meetings:detail", args=[meeting.public_id]))
    assert response.status_code == meeting_page
    body = response.content.decode()
    assert (reverse("concerns:detail", args=[mw.concern.public_id]) in body) is case_link
    assert (REFERENCE in body) is reference_shown
    assert SUBJECT_NAME not in body
    if meeting_page == 200:
        assert "En ungdom 16–17 år. Delt voldelige bilder." in body
    # The case page follows the case's own rule, untouched by the meeting.
    assert client.get(reverse("concerns:detail", args=[mw.concern.public_id])).status_code in (
        {case_page} if case_page == 404 else {200}
    )
    assert (meeting in meetings_visible_to(user)) is (meeting_page == 200)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_coordinator_prepares_and_only_the_chair_approves(client, mw, scene, role):
    user = _user(mw, role)
    meeting = scene["meeting"]
    client.force_login(user)
    expected = 200 if role == "chair" else 404
    assert client.get(reverse("meetings:preview", args=[meeting.public_id])).status_code == expected
    assert client.get(reverse("meetings:held", args=[meeting.public_id])).status_code == expected
    response = client.post(
        reverse("meetings:decision", args=[meeting.public_id, scene["item"].pk]),
        {f"item{scene['item'].pk}-kind": "advice", f"item{scene['item'].pk}-text": "Råd."},
    )
    assert response.status_code in ({302} if role == "chair" else {404})


def test_an_outsider_gets_404_on_every_meeting_url_and_it_is_logged(client, mw, scene):
    meeting, item, task = scene["meeting"], scene["item"], scene["task"]
    urls = [
        reverse("meetings:detail", args=[meeting.public_id]),
        reverse("meetings:edit", args=[meeting.public_id]),
        reverse("meetings:item", args=[meeting.public_id, item.pk]),
        reverse("meetings:summary", args=[meeting.public_id, item.pk]),
        reverse("meetings:preview", args=[meeting.public_id]),
        reverse("meetings:held", args=[meeting.public_id]),
        reverse("meetings:minutes", args=[meeting.public_id]),
        reverse("meetings:minutes_print", args=[meeting.public_id]),
        reverse("meetings:invitation", args=[meeting.public_id]),
    ]
    posts = [
        reverse("meetings:item_add", args=[meeting.public_id, "topic"]),
        reverse("meetings:item_remove", args=[meeting.public_id, item.pk]),
        reverse("meetings:decision", args=[meeting.public_id, item.pk]),
        reverse("meetings:send", args=[meeting.public_id]),
        reverse("meetings:cancel", args=[meeting.public_id]),
        reverse("meetings:task_done", args=[task.pk]),
    ]
    for outsider in (mw.outsider, mw.aalborg_coordinator):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url, {}).status_code == 404, url
        assert SecurityEvent.objects.filter(
            user=outsider, kind=SecurityEvent.Kind.ACCESS_DENIED
        ).exists()
    task.refresh_from_db()
    assert task.done_at is None
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_a_participant_without_the_case_sees_the_task_but_not_the_case(client, mw, scene):
    client.force_login(mw.nav_worker)
    body = client.get(reverse("meetings:tasks")).content.decode()
    assert "Tilby arbeidstrening." in body
    assert REFERENCE not in body
    assert client.get(reverse("concerns:detail", args=[mw.concern.public_id])).status_code == 404
    # The anonymous item's summary is the handlers' only.
    summary = reverse("meetings:summary", args=[scene["meeting"].public_id, scene["item"].pk])
    assert client.get(summary).status_code == 404


def test_the_police_contact_sees_the_task_with_the_case_they_handle(client, mw, scene):
    task = scene["task"]
    task.assignee = mw.police_contact
    task.save()
    client.force_login(mw.police)
    body = client.get(reverse("meetings:tasks")).content.decode()
    assert REFERENCE in body
    assert reverse("concerns:detail", args=[mw.concern.public_id]) in body


# --- named items: a legal basis and a window ------------------------------------------------


def _ssp_meeting_with_named_case(mw, **basis):
    meeting = mw.meeting(kind=mw.ssp)
    item = services.agenda_item_add_case(
        meeting=meeting, concern=mw.aalborg_concern, actor=mw.aalborg_coordinator
    )
    services.agenda_item_set_basis(item=item, named=True, actor=mw.aalborg_coordinator, **basis)
    return meeting, item


def test_a_named_item_needs_a_basis_from_the_list(mw):
    meeting = mw.meeting(kind=mw.ssp)
    item = services.agenda_item_add_case(
        meeting=meeting, concern=mw.aalborg_concern, actor=mw.aalborg_coordinator
    )
    for basis in ({}, {"legal_basis": "made_up"}, {"legal_basis": "duty_to_notify"}):
        with pytest.raises(ValidationError):
            services.agenda_item_set_basis(
                item=item, named=True, actor=mw.aalborg_coordinator, **basis
            )
    # Consent: the person, and for under-18s (born 2009) the guardians too.
    with pytest.raises(ValidationError):
        services.agenda_item_set_basis(
            item=item,
            named=True,
            legal_basis="consent",
            consent_person=True,
            actor=mw.aalborg_coordinator,
        )
    item.refresh_from_db()
    assert not item.named
    services.agenda_item_set_basis(
        item=item,
        named=True,
        legal_basis="consent",
        consent_person=True,
        consent_guardians=True,
        actor=mw.aalborg_coordinator,
    )
    item.refresh_from_db()
    assert item.named and item.legal_basis == "consent"


def test_retsplejeloven_115_holds_in_an_ssp_meeting_only(mw):
    meeting, item = _ssp_meeting_with_named_case(mw, legal_basis="ssp_exchange")
    item.refresh_from_db()
    assert item.named and item.legal_basis == "ssp_exchange"
    other = mw.meeting(
        kind=mw.aalborg.meeting_kinds.create(
            code="andet", category="other", name_nb="Annet", name_da="Andet", name_en="Other"
        )
    )
    other_item = services.agenda_item_add_case(
        meeting=other, concern=mw.aalborg_concern, actor=mw.aalborg_coordinator
    )
    with pytest.raises(ValidationError):
        services.agenda_item_set_basis(
            item=other_item, named=True, legal_basis="ssp_exchange", actor=mw.aalborg_coordinator
        )


def test_a_named_items_summary_is_readable_in_the_window_only_and_logged(client, mw):
    meeting, item = _ssp_meeting_with_named_case(mw, legal_basis="ssp_exchange")
    url = reverse("meetings:summary", args=[meeting.public_id, item.pk])
    client.force_login(mw.aalborg_police)
    assert client.get(url).status_code == 404  # the agenda is not sent yet
    services.meeting_send_agenda(meeting=meeting, actor=mw.aalborg_coordinator, warnings_seen=True)
    item.refresh_from_db()
    assert item.access_from is not None
    assert item.access_until == meeting.ends_at + SUMMARY_GRACE
    response = client.get(url)
    assert response.status_code == 200
    assert "Opdigtet Hansen" in response.content.decode()
    entry = AccessLog.objects.get(concern=mw.aalborg_concern, user=mw.aalborg_police)
    assert entry.purpose == AccessLog.Purpose.MEETING
    assert str(meeting.public_id) in entry.reason and entry.view == "meeting_summary"
    # The case page itself stays shut: the summary widens nothing else.
    assert (
        client.get(reverse("concerns:detail", args=[mw.aalborg_concern.public_id])).status_code
        == 404
    )
    event = CaseEvent.objects.get(concern=mw.aalborg_concern, kind=CaseEvent.Kind.MEETING_ITEM)
    assert event.data["named"] and event.data["basis"]["code"] == "ssp_exchange"
    # After the window, by the clock alone: no task has run.
    with time_machine.travel(item.access_until - datetime.timedelta(seconds=5)):
        client.force_login(mw.aalborg_police)  # sessions end after 30 idle minutes
        assert client.get(url).status_code == 200
    with time_machine.travel(item.access_until + datetime.timedelta(seconds=1)):
        client.force_login(mw.aalborg_police)
        assert client.get(url).status_code == 404
        page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
        assert url not in page
    assert AccessLog.objects.filter(concern=mw.aalborg_concern, user=mw.aalborg_police).count() == 2


def test_a_cancelled_meeting_closes_the_summary_at_once(client, mw):
    meeting, item = _ssp_meeting_with_named_case(mw, legal_basis="ssp_exchange")
    services.meeting_send_agenda(meeting=meeting, actor=mw.aalborg_coordinator, warnings_seen=True)
    url = reverse("meetings:summary", args=[meeting.public_id, item.pk])
    client.force_login(mw.aalborg_police)
    assert client.get(url).status_code == 200
    services.meeting_cancel(meeting=meeting, actor=mw.aalborg_coordinator)
    assert client.get(url).status_code == 404


def test_a_named_items_participant_who_is_not_invited_reads_nothing(client, mw):
    meeting, item = _ssp_meeting_with_named_case(mw, legal_basis="ssp_exchange")
    services.meeting_send_agenda(meeting=meeting, actor=mw.aalborg_coordinator, warnings_seen=True)
    client.force_login(mw.police)  # a Trondheim participant elsewhere, not invited here
    assert (
        client.get(reverse("meetings:summary", args=[meeting.public_id, item.pk])).status_code
        == 404
    )


def test_the_preview_shows_each_participant_what_they_will_see(client, mw, scene):
    meeting = scene["meeting"]
    client.force_login(mw.coordinator)
    url = reverse("meetings:preview", args=[meeting.public_id])
    nav = client.get(url, {"participant": mw.nav_contact.pk}).content.decode()
    assert "En ungdom 16–17 år. Delt voldelige bilder." in nav
    assert REFERENCE not in nav.split('data-testid="agenda"')[1]
    police = client.get(url, {"participant": mw.police_contact.pk}).content.decode()
    assert REFERENCE in police.split('data-testid="agenda"')[1]
    assert client.get(url, {"participant": mw.aalborg_contact.pk}).status_code == 400


def test_the_minutes_of_a_meeting_are_open_to_its_participants_only(client, mw, scene):
    hold(mw, scene["meeting"])
    url = reverse("meetings:minutes", args=[scene["meeting"].public_id])
    assert _status(client, mw.nav_worker, url) == 200
    assert _status(client, mw.outsider, url) == 404
    body = client.get(url).content.decode()
    assert OBSERVATIONS not in body
