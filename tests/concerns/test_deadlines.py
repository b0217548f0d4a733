"""A case's deadlines: set by the rules with their basis, paused and resumed, and the receipt."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from concerns.models import (
    CaseEvent,
    Concern,
    DeadlinePause,
    NotificationKind,
    OutboxMessage,
    Reminder,
)
from concerns.reminders.engine import sweep
from concerns.services import concern_submit
from concerns.services.deadlines import concern_pause_deadlines, concern_resume_deadlines
from concerns.services.work import checklist_task_complete
from measures.models import ActionCard
from partners.calendars import describe
from partners.models import DeadlineRule, Organisation, Role
from tests.factories import ConcernFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def reference(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _submitted(organisation_slug: str, when: datetime.datetime, **concern_fields) -> Concern:
    organisation = Organisation.objects.get(slug=organisation_slug)
    reporter = UserFactory(organisation=organisation, roles=[Role.Code.FRONTLINE])
    subject = SubjectFactory(
        municipality=organisation.municipalities.get(), created_by=reporter, birth_year=2011
    )
    concern = ConcernFactory(
        reporter=reporter,
        reporter_organisation=organisation,
        municipality=subject.municipality,
        subject=subject,
        observed_on=when.date(),
        **concern_fields,
    )
    with time_machine.travel(when, tick=False):
        return concern_submit(concern=concern, actor=reporter)


def _coordinator(concern: Concern):
    return UserFactory(
        organisation=Organisation.objects.filter(
            municipalities=concern.municipality, kind="coordinator"
        ).first()
        or Organisation.objects.filter(municipalities=concern.municipality).first(),
        roles=[Role.Code.COORDINATOR],
    )


def test_the_first_follow_up_counts_the_municipalitys_working_days(reference):
    # Trondheim gives a normal concern 10 working days; filed the Tuesday before Easter 2026.
    concern = _submitted("uteseksjonen", at(2026, 3, 31, 10, 0), urgency="normal")

    assert concern.follow_up_on == datetime.date(2026, 4, 17)
    assert concern.follow_up_basis["unit"] == "working_days"
    with translation.override("en"):
        assert describe(concern.follow_up_basis) == (
            "10 working days, Norwegian calendar; "
            "skipped: Maundy Thursday, Good Friday, Easter Monday"
        )


def test_changing_a_rule_later_leaves_deadlines_already_given(reference):
    concern = _submitted("uteseksjonen", at(2026, 11, 2, 10, 0), urgency="normal")
    given = concern.follow_up_on
    DeadlineRule.objects.filter(
        municipality=concern.municipality, kind=DeadlineRule.Kind.FOLLOW_UP_NORMAL
    ).update(length=2)

    concern.refresh_from_db()

    assert concern.follow_up_on == given


def test_aalborgs_underretning_card_assesses_in_24_hours_and_receipts_in_6_weekdays(reference):
    concern = _submitted("ungecenter-skuret", at(2026, 3, 31, 10, 0))
    card = ActionCard.objects.get(code="radicalisation-under-18")
    tasks = {task.order: task for task in concern.checklist.filter(card=card)}

    assert tasks[5].due_at == at(2026, 4, 1, 10, 0)  # assess within 24 hours
    receipt = tasks[7]
    assert receipt.sends_reporter_receipt
    assert receipt.due_at == at(2026, 4, 13, 10, 0)  # 6 weekdays, Easter skipped
    with translation.override("da"):
        assert describe(receipt.due_basis) == (
            "6 arbejdsdage, dansk kalender; sprunget over: Skærtorsdag, Langfredag, Anden påskedag"
        )


def test_the_receipt_is_a_real_notification_with_the_municipalitys_text(reference):
    concern = _submitted("ungecenter-skuret", at(2026, 3, 31, 10, 0))
    task = concern.checklist.get(sends_reporter_receipt=True)
    coordinator = _coordinator(concern)

    checklist_task_complete(task=task, actor=coordinator)

    event = concern.events.get(kind=CaseEvent.Kind.RECEIPT_SENT)
    assert event.data["receipt"]["da"].startswith("Tak for din underretning")
    assert event.data["receipt"]["en"].startswith("Thank you for your notification")
    message = OutboxMessage.objects.get(kind=NotificationKind.REPORTER_RECEIPT)
    assert list(message.recipients.all()) == [concern.reporter]
    assert CaseEvent.Kind.RECEIPT_SENT in CaseEvent.REPORTER_VISIBLE
    # The municipality rewording its text later does not rewrite what was sent.
    concern.municipality.reporter_receipt_da = "Ny tekst"
    concern.municipality.save()
    event.refresh_from_db()
    assert event.data["receipt"]["da"].startswith("Tak for din underretning")


def test_the_reporter_reads_her_receipt_in_her_own_concern(reference, client):
    concern = _submitted("ungecenter-skuret", at(2026, 3, 31, 10, 0))
    checklist_task_complete(
        task=concern.checklist.get(sends_reporter_receipt=True), actor=_coordinator(concern)
    )

    client.force_login(concern.reporter)
    page = client.get(
        reverse("concerns:detail", args=[concern.public_id]), HTTP_ACCEPT_LANGUAGE="da"
    )

    assert page.status_code == 200
    assert "Tak for din underretning" in page.content.decode()


def test_a_receipt_is_sent_once_and_needs_the_municipalitys_text(reference):
    concern = _submitted("ungecenter-skuret", at(2026, 3, 31, 10, 0))
    task = concern.checklist.get(sends_reporter_receipt=True)
    concern.municipality.reporter_receipt_nb = ""
    concern.municipality.save()

    with pytest.raises(ValidationError) as refused:
        checklist_task_complete(task=task, actor=_coordinator(concern))
    assert refused.value.code == "no_receipt_text"

    task.refresh_from_db()
    assert not task.is_done
    assert not OutboxMessage.objects.filter(kind=NotificationKind.REPORTER_RECEIPT).exists()


def test_a_pause_across_a_weekend_moves_working_day_deadlines_by_the_working_days_paused(
    reference,
):
    concern = _submitted("ungecenter-skuret", at(2026, 11, 2, 10, 0))  # Monday
    coordinator = _coordinator(concern)
    receipt = concern.checklist.get(sends_reporter_receipt=True)
    hours_task = concern.checklist.filter(due_basis__unit="hours").order_by("order").first()
    assert receipt.due_at == at(2026, 11, 10, 10, 0)
    follow_up_before = concern.follow_up_on

    with time_machine.travel(at(2026, 11, 6, 15, 0), tick=False):  # Friday afternoon
        concern_pause_deadlines(
            concern=concern, actor=coordinator, reason=DeadlinePause.Reason.POLICE
        )
    with time_machine.travel(at(2026, 11, 9, 8, 0), tick=False):  # Monday morning
        concern_resume_deadlines(concern=concern, actor=coordinator)

    receipt.refresh_from_db()
    hours_task_due_before = hours_task.due_at
    hours_task.refresh_from_db()
    concern.refresh_from_db()
    assert receipt.due_at == at(2026, 11, 11, 10, 0)  # one working day: the Friday
    assert hours_task.due_at == hours_task_due_before + datetime.timedelta(hours=65)
    assert concern.follow_up_on > follow_up_before
    assert concern.deadlines_paused_at is None
    kinds = list(concern.events.values_list("kind", flat=True))
    assert CaseEvent.Kind.DEADLINES_PAUSED in kinds and CaseEvent.Kind.DEADLINES_RESUMED in kinds
    with translation.override("en"):
        assert "paused 1 working day on" in describe(receipt.due_basis)


def test_no_reminder_while_paused_and_one_after(reference):
    concern = _submitted("uteseksjonen", at(2026, 11, 2, 10, 0), urgency="high")
    coordinator = _coordinator(concern)
    due = concern.follow_up_on
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False):
        concern_pause_deadlines(
            concern=concern, actor=coordinator, reason=DeadlinePause.Reason.CONSENT
        )

    with time_machine.travel(
        datetime.datetime.combine(due, datetime.time(12, 0), OSLO), tick=False
    ):
        sweep(deliver=False)
    assert not Reminder.objects.filter(
        kind=NotificationKind.FOLLOW_UP_DUE, object_id=concern.pk
    ).exists()

    with time_machine.travel(datetime.datetime.combine(due, datetime.time(13, 0), OSLO)):
        concern_resume_deadlines(concern=concern, actor=coordinator)
    concern.refresh_from_db()
    with time_machine.travel(
        datetime.datetime.combine(concern.follow_up_on, datetime.time(12, 0), OSLO), tick=False
    ):
        sweep(deliver=False)
    assert (
        Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE, object_id=concern.pk).count()
        == 1
    )


def test_pausing_needs_a_reason_and_is_not_done_twice(reference):
    concern = _submitted("uteseksjonen", at(2026, 11, 2, 10, 0))
    coordinator = _coordinator(concern)

    with pytest.raises(ValidationError):
        concern_pause_deadlines(concern=concern, actor=coordinator, reason="bored")
    with pytest.raises(ValidationError):
        concern_pause_deadlines(
            concern=concern, actor=coordinator, reason=DeadlinePause.Reason.OTHER, note=" "
        )
    concern_pause_deadlines(concern=concern, actor=coordinator, reason=DeadlinePause.Reason.POLICE)
    with pytest.raises(ValidationError):
        concern_pause_deadlines(
            concern=concern, actor=coordinator, reason=DeadlinePause.Reason.POLICE
        )
    assert DeadlinePause.objects.filter(concern=concern).count() == 1


def test_the_pause_form_refuses_bad_input_and_changes_nothing(reference, client):
    concern = _submitted("uteseksjonen", at(2026, 11, 2, 10, 0))
    coordinator = _coordinator(concern)
    client.force_login(coordinator)
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]), {"reason": "Triage av ny bekymring"}
    )
    url = reverse("concerns:action", args=[concern.public_id, "pause-deadlines"])

    for data in ({"reason": "other", "note": ""}, {"reason": "police", "note": "a\x00b"}, {}):
        response = client.post(url, {**data, "version": concern.version})
        assert response.status_code == 400  # the form again, with what is wrong

    concern.refresh_from_db()
    assert concern.deadlines_paused_at is None
    response = client.post(url, {"reason": "police", "note": "", "version": concern.version})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.deadlines_paused_at is not None
    page = client.get(reverse("concerns:detail", args=[concern.public_id]))
    assert 'data-testid="deadlines-paused"' in page.content.decode()


def test_outsiders_cannot_pause_a_case(reference, client):
    concern = _submitted("uteseksjonen", at(2026, 11, 2, 10, 0))
    outsider = UserFactory(
        organisation=Organisation.objects.get(slug="ungecenter-skuret"),
        roles=[Role.Code.COORDINATOR],
    )
    client.force_login(outsider)

    response = client.post(
        reverse("concerns:action", args=[concern.public_id, "pause-deadlines"]),
        {"reason": "police", "version": concern.version},
    )

    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.deadlines_paused_at is None
