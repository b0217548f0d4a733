"""Meetings in a browser: Trondheim's Kontaktforum with an anonymous case, Aalborg's SSP meeting
with a case named under retsplejeloven § 115, and a safety walk in Gandrup.

Fields are found by name and test id: the meeting pages' words are translated later."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone

from concerns.models import AccessLog, CaseEvent, Concern
from measures.meetings.models import AgendaItem, Meeting, MeetingDecision, MeetingKind
from measures.models import MeasureActivity
from partners.models import Contact
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def _today_window() -> tuple[str, str, str]:
    """A meeting that started half an hour ago and has not ended: it can be held at once."""
    now = timezone.localtime()
    start = max(now - datetime.timedelta(minutes=30), now.replace(hour=0, minute=0))
    end = min(start + datetime.timedelta(hours=1), now.replace(hour=23, minute=59))
    return start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")


def _plan(page, *, kind: MeetingKind, place: str, contacts: list[Contact]) -> Meeting:
    page.goto("/meetings/")
    page.get_by_test_id("new-meeting").click()
    page.select_option("select[name=kind]", value=str(kind.pk))
    day, starts, ends = _today_window()
    page.fill("input[name=date]", day)
    page.fill("input[name=starts]", starts)
    page.fill("input[name=ends]", ends)
    page.fill("input[name=place]", place)
    for contact in contacts:
        page.check(f"input[name=participants][value='{contact.pk}']")
    page.get_by_test_id("save-meeting").click()
    page.wait_for_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    return Meeting.objects.get(public_id=page.url.rstrip("/").rsplit("/", 1)[1])


def _send(page) -> None:
    seen = page.locator("input[name=warnings_seen]")
    if seen.count():
        seen.check()
    page.get_by_test_id("send-agenda").click()
    page.wait_for_selector(".alert-success")


def _hold(page, meeting: Meeting) -> None:
    page.get_by_test_id("record-held").click()
    for checkbox in page.locator("input[name=attended]").all():
        checkbox.check()
    page.get_by_test_id("save-held").click()
    page.wait_for_selector(".alert-success")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def _task(page, item: AgendaItem, *, text: str, assignee: Contact, due: datetime.date) -> None:
    form = page.locator(f"#item-{item.pk} [data-testid=decision-form]")
    page.locator(f"#item-{item.pk} details > summary").click()
    form.locator("select[name$=-kind]").select_option("task")
    form.locator("textarea[name$=-text]").fill(text)
    form.locator("select[name$=-assignee]").select_option(str(assignee.pk))
    form.locator("input[name$=-due_on]").fill(due.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")


def test_kontaktforum_with_an_anonymous_case_from_preview_to_printed_minutes(
    page, demo_data, sign_in, screenshot
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)
    kontaktforum = MeetingKind.objects.get(municipality__code="trondheim", code="kontaktforum")
    nav = Contact.objects.get(user__username="trd-resource")  # NAV's resource person
    contacts = [
        Contact.objects.get(organisation__slug="slt", name="SLT-koordinator"),
        Contact.objects.get(
            organisation__slug="trondelag-politidistrikt", name="Radikaliseringskontakt"
        ),
        nav,
    ]

    # The coordinator plans the meeting and puts the case on its agenda: anonymous by default.
    sign_in("trd-coordinator")
    meeting = _plan(page, kind=kontaktforum, place="Rådhuset, møterom 3", contacts=contacts)
    page.fill("input[name=case-reference]", reference)
    page.get_by_test_id("add-case").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    presentation = page.locator("textarea[name=text]").input_value()
    assert "Oppdiktet" not in presentation and "Ungdom" not in presentation
    assert reference not in presentation and "19.11.2026" not in presentation
    assert "våpenbilder" in presentation
    screenshot("1-drafted-presentation")
    page.locator("textarea[name=text]").fill(
        presentation + "\n\nSpørsmål til forumet: hvem kan tilby en samtale?"
    )
    page.get_by_test_id("save-text").click()
    page.wait_for_selector(".alert-success")

    # What NAV's resource person will see: the presentation, no reference, no link to the case.
    page.goto(f"/meetings/{meeting.public_id}/")
    page.get_by_test_id("preview-link").click()
    page.select_option("select[name=participant]", value=str(nav.pk))
    page.locator("form[method=get] button[type=submit]").click()
    agenda = page.get_by_test_id("agenda").inner_text()
    assert "hvem kan tilby en samtale?" in agenda
    assert reference not in agenda
    assert page.locator(f"a[href='/concerns/{concern.public_id}/']").count() == 0
    screenshot("2-preview-for-nav")

    # Send, hold, and give NAV a task.
    page.goto(f"/meetings/{meeting.public_id}/")
    _send(page)
    _hold(page, meeting)
    assert MeasureActivity.objects.get(meeting=meeting).measure == kontaktforum.measure
    item = meeting.items.get()
    due = timezone.localdate() + datetime.timedelta(days=14)
    _task(page, item, text="Tilby en samtale om arbeidstrening.", assignee=nav, due=due)
    assert MeetingDecision.objects.get(item=item).assignee == nav
    assert CaseEvent.objects.filter(concern=concern, kind="meeting_decision").exists()
    screenshot("3-meeting-held-with-task")

    # The minutes: approved by the chair, then printed.
    page.get_by_test_id("minutes-link").click()
    page.get_by_test_id("approve-minutes").click()
    page.wait_for_selector(".alert-success")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED
    page.get_by_test_id("print-minutes").click()
    page.wait_for_url(re.compile(r"/minutes/print/$"))
    minutes = page.get_by_test_id("minutes").inner_text()
    assert "Tilby en samtale om arbeidstrening." in minutes
    assert "Oppdiktet Ungdom" not in minutes and reference not in minutes
    page.emulate_media(media="print")
    assert not page.locator(".no-print").first.is_visible()
    screenshot("4-printed-minutes")
    page.emulate_media(media="screen")

    # NAV's resource person sees the task, and nothing of the case.
    sign_in("trd-resource")
    page.goto("/meetings/tasks/")
    tasks = page.get_by_test_id("task-list").inner_text()
    assert "Tilby en samtale om arbeidstrening." in tasks and reference not in tasks
    screenshot("5-nav-task")
    response = page.goto(f"/concerns/{concern.public_id}/")
    assert response.status == 404


def test_aalborg_ssp_meeting_names_a_case_under_section_115(page, demo_data, sign_in, screenshot):
    sign_in("aal-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)
    ssp = MeetingKind.objects.get(municipality__code="aalborg", code="ssp")
    police = Contact.objects.get(organisation__slug="nordjyllands-politi")
    contacts = [Contact.objects.get(organisation__slug="info-huset", name="INFO-huset"), police]

    sign_in("aal-coordinator")
    meeting = _plan(page, kind=ssp, place="INFO-huset, mødelokalet", contacts=contacts)
    page.fill("input[name=case-reference]", reference)
    page.get_by_test_id("add-case").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    page.check("input[name=named][value='1']")
    page.check("input[name=legal_basis][value=ssp_exchange]")
    screenshot("1-named-under-115")
    page.get_by_test_id("save-basis").click()
    page.wait_for_selector(".alert-success")
    item = meeting.items.get()
    assert item.named and item.legal_basis == "ssp_exchange"
    page.goto(f"/meetings/{meeting.public_id}/")
    _send(page)

    # The police SSP coordinator reads the summary, in the window, and it is logged.
    sign_in("aal-police")
    page.goto(f"/meetings/{meeting.public_id}/")
    screenshot("2-police-agenda")
    page.get_by_test_id("summary-link").click()
    assert "Oppdiktet Ungdom" in page.content()
    screenshot("3-summary")
    entry = AccessLog.objects.get(concern=concern, user__username="aal-police")
    assert entry.purpose == AccessLog.Purpose.MEETING


def test_a_safety_walk_in_gandrup_records_two_findings_with_follow_up_tasks(
    page, demo_data, sign_in, screenshot
):
    walk = MeetingKind.objects.get(municipality__code="aalborg", code="tryghedsvandring")
    follow_up = Contact.objects.get(user__username="aal-resource")
    contacts = [Contact.objects.get(organisation__slug="info-huset", name="INFO-huset"), follow_up]

    sign_in("aal-coordinator")
    meeting = _plan(page, kind=walk, place="Gandrup", contacts=contacts)
    assert page.locator("input[name=case-reference]").count() == 0  # no case on a safety walk
    for place, finding, text in (
        ("Stien mellem hallen og stationen", "lighting", "Tre lygtepæle lyser ikke."),
        ("Legepladsen ved boligområdet", "vegetation", "Buskene skjuler indgangen."),
    ):
        form = page.get_by_test_id("add-finding")
        form.locator("input[name=finding-place]").fill(place)
        form.locator("select[name=finding-finding]").select_option(finding)
        form.locator("textarea[name=finding-text]").fill(text)
        form.locator("input[name=finding-department]").fill("Vej og Park")
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".alert-success")
    ics = page.request.get(f"/meetings/{meeting.public_id}/invitation.ics")
    event = next(iter(icalendar.Calendar.from_ical(ics.body()).walk("VEVENT")))
    assert str(event["LOCATION"]) == "Gandrup"
    assert "INFO-huset" not in ics.text() and "Rasmus" not in ics.text()
    _send(page)
    _hold(page, meeting)
    due = timezone.localdate() + datetime.timedelta(days=21)
    for item, text in zip(
        meeting.items.order_by("order"),
        ("Bestil eftersyn af belysningen.", "Bestil beskæring af beplantningen."),
        strict=True,
    ):
        _task(page, item, text=text, assignee=follow_up, due=due)
    assert MeetingDecision.objects.filter(item__meeting=meeting, kind="task").count() == 2
    screenshot("1-safety-walk")

    sign_in("aal-resource")
    page.goto("/meetings/tasks/")
    tasks = page.get_by_test_id("task-list").inner_text()
    assert "Bestil eftersyn af belysningen." in tasks
    assert "Bestil beskæring af beplantningen." in tasks
    screenshot("2-department-tasks")
