"""Reviews after closing: a case closed once its support ended is brought up at 6 and 12 months.

The lengths are the municipality's (DeadlineRule REVIEW_FIRST / REVIEW_SECOND).
Each review is reminded once, not before it falls due, and not at all for a
case closed without support or reopened; a recorded review needs no reminder.
"""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from concerns import reminders
from concerns.models import CaseEvent, Concern, NotificationKind, Reminder
from concerns.reviews import latest_start_due_by, review_deadline, support_has_ended
from concerns.services import concern_assign, concern_close, concern_reopen, concern_submit
from concerns.services.reviews import concern_review_record
from concerns.services.work import Evaluation
from mentoring.models import Corps, CorpsMember, Mentorship
from partners.calendars import WorkingCalendar, calendar_for
from partners.models import Contact, DeadlineRule, Municipality, User
from tests.factories import ConcernFactory, SubjectFactory

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
CLOSED_ON = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)
EVALUATION = Evaluation(help_timely="yes", situation_change="improved")


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _police_contact() -> Contact:
    return Contact.objects.get(user__username="trd-police")


def _closed_case(demo, *, support_ended=True, when=CLOSED_ON, outcome="mentor_follow_up"):
    """A Trondheim case handled by the police contact and closed on `when`."""
    with time_machine.travel(when, tick=False):
        reporter = demo["trd-frontline"]
        municipality = reporter.organisation.municipalities.get()
        subject = SubjectFactory(municipality=municipality, created_by=reporter, birth_year=2009)
        concern = concern_submit(
            concern=ConcernFactory(reporter=reporter, municipality=municipality, subject=subject),
            actor=reporter,
        )
        coordinator = demo["trd-coordinator"]
        concern = concern_assign(
            concern=concern, assignee=_police_contact(), actor=coordinator, reason="Oppfølging"
        )
        return concern_close(
            concern=concern,
            actor=demo["trd-police"],
            outcome=outcome,
            reporter_message="Takk for meldingen.",
            evaluation=EVALUATION,
            support_ended=support_ended,
        )


def _sweep(day: datetime.date, hour: int = 9) -> list[Reminder]:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), OSLO), tick=False):
        reminders.sweep(deliver=False)
    return list(Reminder.objects.filter(kind=NotificationKind.REVIEW_DUE).order_by("due_at"))


# --- the reminders ------------------------------------------------------------------------


def test_reviews_are_reminded_at_6_and_12_months_not_before_and_once_each(demo):
    concern = _closed_case(demo)
    assert concern.review_from == datetime.date(2026, 3, 2)
    police = demo["trd-police"]

    assert _sweep(datetime.date(2026, 3, 3)) == []  # a first sweep sets the watermark
    assert _sweep(datetime.date(2026, 9, 1), hour=23) == []
    (first,) = _sweep(datetime.date(2026, 9, 2))
    assert first.object_id == concern.pk and first.concern_id == concern.pk
    assert first.occurrence == "first:2026-03-02"
    assert first.due_at.astimezone(OSLO).date() == datetime.date(2026, 9, 2)
    assert first.reference == concern.reference
    assert first.data == {"review": "first"}
    # The last handler, who can still act on the case.
    assert list(first.recipients.all()) == [police]

    assert len(_sweep(datetime.date(2026, 9, 2), hour=15)) == 1  # swept again: nothing new
    assert len(_sweep(datetime.date(2027, 3, 1))) == 1
    first_again, second = _sweep(datetime.date(2027, 3, 2))
    assert first_again == first
    assert second.occurrence == "second:2026-03-02"
    assert second.due_at.astimezone(OSLO).date() == datetime.date(2027, 3, 2)
    assert len(_sweep(datetime.date(2027, 9, 2))) == 2


def test_a_sweep_after_a_long_pause_still_finds_both_reviews(demo):
    _closed_case(demo)
    assert len(_sweep(datetime.date(2027, 5, 1))) == 2  # no watermark at all


def test_nothing_for_a_case_closed_without_support_ended(demo):
    concern = _closed_case(demo, support_ended=False, outcome="advice_given")
    assert concern.review_from is None
    _sweep(datetime.date(2026, 3, 3))
    assert _sweep(datetime.date(2026, 9, 2)) == []
    assert _sweep(datetime.date(2027, 6, 1)) == []


def test_a_reopened_case_is_not_reviewed_and_a_new_close_counts_afresh(demo):
    concern = _closed_case(demo)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=OSLO), tick=False):
        concern = concern_reopen(
            concern=concern, actor=demo["trd-coordinator"], reason="Ny bekymring fra skolen."
        )
    assert concern.review_from is None
    assert _sweep(datetime.date(2026, 9, 2)) == []
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=OSLO), tick=False):
        concern_close(
            concern=concern,
            actor=demo["trd-coordinator"],
            outcome="mentor_follow_up",
            evaluation=EVALUATION,
            support_ended=True,
        )
    assert _sweep(datetime.date(2026, 11, 3)) == []
    (first,) = _sweep(datetime.date(2026, 11, 4))
    assert first.occurrence == "first:2026-05-04"


def test_the_municipalitys_own_review_period_counts(demo):
    trondheim = Municipality.objects.get(code="trondheim")
    DeadlineRule.objects.update_or_create(
        municipality=trondheim,
        kind=DeadlineRule.Kind.REVIEW_FIRST,
        defaults={"length": 3, "unit": DeadlineRule.Unit.MONTHS},
    )
    _closed_case(demo)
    second_case = _closed_case(demo)
    assert second_case.review_from == datetime.date(2026, 3, 2)
    assert _sweep(datetime.date(2026, 6, 1)) == []
    assert len(_sweep(datetime.date(2026, 6, 2))) == 2
    assert _sweep(datetime.date(2027, 3, 1))[-1].occurrence.startswith("first:")


def test_when_the_last_handler_cannot_act_the_coordinators_are_reminded(demo):
    _closed_case(demo)
    police = demo["trd-police"]
    police.is_active = False
    police.save()
    (first,) = _sweep(datetime.date(2026, 9, 2))
    recipients = set(first.recipients.all())
    assert police not in recipients
    assert demo["trd-coordinator"] in recipients


def test_a_review_recorded_early_needs_no_reminder(demo):
    concern = _closed_case(demo)
    with time_machine.travel(datetime.datetime(2026, 8, 20, 9, tzinfo=OSLO), tick=False):
        concern_review_record(
            concern=concern, actor=demo["trd-police"], note="Går bra på skolen (oppdiktet)."
        )
    assert _sweep(datetime.date(2026, 9, 2)) == []
    (second,) = _sweep(datetime.date(2027, 3, 2))
    assert second.occurrence.startswith("second:")


# --- recording a review ------------------------------------------------------------------


def test_the_first_then_the_second_review_is_recorded_and_then_none(demo):
    concern = _closed_case(demo)
    police = demo["trd-police"]
    with pytest.raises(ValidationError):
        concern_review_record(concern=concern, actor=police, note="  ")
    first = concern_review_record(concern=concern, actor=police, note="Stabil (oppdiktet).")
    second = concern_review_record(concern=concern, actor=police, note="Fortsatt stabil.")
    assert first.kind == second.kind == CaseEvent.Kind.REVIEWED
    assert first.data == {"occurrence": "first", "review_from": "2026-03-02", "reopened": False}
    assert second.data["occurrence"] == "second"
    assert first.text == "Stabil (oppdiktet)." and first.actor == police
    with pytest.raises(ValidationError):
        concern_review_record(concern=concern, actor=police, note="En tredje?")
    assert CaseEvent.Kind.REVIEWED not in CaseEvent.REPORTER_VISIBLE


def test_a_review_may_reopen_the_case_but_only_a_coordinator_reopens(demo):
    concern = _closed_case(demo)
    with pytest.raises(PermissionDenied):
        concern_review_record(
            concern=concern, actor=demo["trd-police"], note="Ny uro.", reopen=True
        )
    assert not concern.events.filter(kind=CaseEvent.Kind.REVIEWED).exists()
    event = concern_review_record(
        concern=concern, actor=demo["trd-coordinator"], note="Ny uro i miljøet.", reopen=True
    )
    concern.refresh_from_db()
    assert event.data["reopened"] is True
    assert concern.status == Concern.Status.IN_TRIAGE and concern.review_from is None
    reopened = concern.events.filter(to_status=Concern.Status.IN_TRIAGE).latest("at")
    assert reopened.text == "Ny uro i miljøet."


def test_a_case_without_support_ended_has_no_review_to_record(demo):
    concern = _closed_case(demo, support_ended=False, outcome="advice_given")
    with pytest.raises(ValidationError):
        concern_review_record(concern=concern, actor=demo["trd-police"], note="Noe.")


def test_support_has_not_ended_while_a_mentorship_is_open(demo):
    concern = _closed_case(demo, support_ended=False, outcome="advice_given")
    concern = concern_reopen(concern=concern, actor=demo["trd-coordinator"], reason="Mentor.")
    # The demo's mentor, as seed_demo enrols her.
    mentor = CorpsMember.objects.get(user=demo["trd-mentor"], corps=Corps.MENTOR)
    mentorship = Mentorship.objects.create(
        concern=concern,
        mentor=mentor,
        status=Mentorship.Status.ACTIVE,
        starts_on=datetime.date(2026, 3, 2),
        proposed_by=demo["trd-coordinator"],
    )
    assert not support_has_ended(concern)
    with pytest.raises(ValidationError):
        concern_close(
            concern=concern,
            actor=demo["trd-coordinator"],
            outcome="mentor_follow_up",
            evaluation=EVALUATION,
            support_ended=True,
        )
    concern.refresh_from_db()
    assert concern.is_open and concern.review_from is None
    mentorship.status, mentorship.ends_on = Mentorship.Status.ENDED, datetime.date(2026, 9, 1)
    mentorship.save()
    assert support_has_ended(concern)  # the close form ticks it


# --- the case page -------------------------------------------------------------------------


def test_the_closed_case_page_says_when_reviews_are_due_and_why(client, demo):
    concern = _closed_case(demo)
    client.force_login(demo["trd-coordinator"])
    client.cookies["django_language"] = "en"
    detail = reverse("concerns:detail", args=[concern.public_id])
    client.post(reverse("concerns:purpose", args=[concern.public_id]), {"reason": "Gjennomgang"})
    page = client.get(detail).content.decode()
    assert 'data-testid="reviews"' in page
    with translation.override("en"):
        for due in (datetime.date(2026, 9, 2), datetime.date(2027, 3, 2)):
            assert date_format(due, "DATE_FORMAT") in page
    assert "6 months" in page and "12 months" in page
    assert reverse("concerns:action", args=[concern.public_id, "review"]) in page

    form = client.get(reverse("concerns:action", args=[concern.public_id, "review"]))
    assert "reopen" in form.context["form"].fields  # the coordinator may reopen
    response = client.post(
        reverse("concerns:action", args=[concern.public_id, "review"]),
        {"note": "Trives i ny jobb (oppdiktet).", "version": concern.version},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Trives i ny jobb (oppdiktet)." in page
    assert "First review after the support ended" in page


def test_the_review_form_offers_reopening_to_coordinators_only(client, demo):
    concern = _closed_case(demo)
    client.force_login(demo["trd-police"])
    form = client.get(reverse("concerns:action", args=[concern.public_id, "review"]))
    assert form.status_code == 200 and "reopen" not in form.context["form"].fields
    # A reopen slipped into the post is ignored by the form, not obeyed.
    client.post(
        reverse("concerns:action", args=[concern.public_id, "review"]),
        {"note": "Ok.", "reopen": "on", "version": concern.version},
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED


def test_the_closed_case_page_makes_the_same_queries_before_and_after_reviews(client, demo):
    concern = _closed_case(demo)
    client.force_login(demo["trd-police"])
    url = reverse("concerns:detail", args=[concern.public_id])

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    concern_review_record(concern=concern, actor=demo["trd-police"], note="Første.")
    concern_review_record(concern=concern, actor=demo["trd-police"], note="Andre.")
    after = count()
    # The "record review" action is gone once both are recorded: one query fewer at most.
    assert after <= before


# --- the arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "unit", "country"),
    [
        (6, DeadlineRule.Unit.MONTHS, "NO"),
        (1, DeadlineRule.Unit.MONTHS, "DK"),
        (30, DeadlineRule.Unit.CALENDAR_DAYS, "NO"),
        (10, DeadlineRule.Unit.WORKING_DAYS, "NO"),
        (6, DeadlineRule.Unit.WORKING_DAYS, "DK"),
    ],
)
def test_the_latest_start_due_by_a_day_is_exact(length, unit, country):
    """`review_from <= latest` holds exactly for the starts due by the day (Easter, month ends)."""
    calendar = WorkingCalendar(country=country)
    rule = {"kind": "review_first", "length": length, "unit": unit, "calendar": calendar}
    start = datetime.date(2025, 12, 1)
    for offset in range(0, 200, 3):
        day = datetime.date(2026, 1, 15) + datetime.timedelta(days=offset)
        latest = latest_start_due_by(day, **rule)
        assert review_deadline(latest, **rule).due_date <= day
        assert review_deadline(latest + datetime.timedelta(days=1), **rule).due_date > day
        for probe in (start, latest - datetime.timedelta(days=7)):
            if probe <= latest:
                assert review_deadline(probe, **rule).due_date <= day


def test_a_working_day_review_period_follows_the_municipalitys_calendar(demo):
    trondheim = Municipality.objects.get(code="trondheim")
    DeadlineRule.objects.update_or_create(
        municipality=trondheim,
        kind=DeadlineRule.Kind.REVIEW_FIRST,
        defaults={"length": 3, "unit": DeadlineRule.Unit.WORKING_DAYS},
    )
    # Closed on the Wednesday before Easter 2026: Maundy Thursday, Good Friday and
    # Easter Monday are holidays in Norway, so three working days end on 9 April.
    concern = _closed_case(demo, when=datetime.datetime(2026, 4, 1, 10, tzinfo=OSLO))
    rule = {"kind": "review_first", "length": 3, "unit": "working_days"}
    assert review_deadline(
        concern.review_from, calendar=calendar_for(trondheim), **rule
    ).due_date == datetime.date(2026, 4, 9)
    assert _sweep(datetime.date(2026, 4, 8)) == []
    (first,) = _sweep(datetime.date(2026, 4, 9))
    assert first.occurrence == "first:2026-04-01"


def test_a_sweep_makes_the_same_queries_for_2_and_6_reviews_due(demo):
    def sweep_queries(day: datetime.date) -> tuple[int, int]:
        moment = datetime.datetime.combine(day, datetime.time(9), OSLO)
        with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
            made = reminders.sweep(deliver=False)
        return made, len(queries)

    for _ in range(2):
        _closed_case(demo, when=datetime.datetime(2026, 3, 2, 10, tzinfo=OSLO))
    for _ in range(6):
        _closed_case(demo, when=datetime.datetime(2026, 3, 3, 10, tzinfo=OSLO))
    sweep_queries(datetime.date(2026, 3, 4))  # watermarks, and the cases' own follow-ups
    sweep_queries(datetime.date(2026, 9, 1))
    few = sweep_queries(datetime.date(2026, 9, 2))
    many = sweep_queries(datetime.date(2026, 9, 3))
    assert (few[0], many[0]) == (2, 6)
    assert many[1] == few[1]
