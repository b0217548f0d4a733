"""Working days: each country's public holidays, the municipality's closure days, and the words."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from partners.calendars import (
    WorkingCalendar,
    calendar_for,
    deadline_after,
    deadline_for,
    deadline_paused,
    describe,
)
from partners.models import ClosureDay, DeadlineRule, Municipality

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NORWAY = WorkingCalendar(country="NO")
DENMARK = WorkingCalendar(country="DK")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


@pytest.mark.parametrize("calendar", [NORWAY, DENMARK], ids=["Norway", "Denmark"])
def test_easter_2026_is_skipped_in_both_countries(calendar):
    # Monday 30 March + 3 working days: Tuesday, Wednesday, then Maundy Thursday,
    # Good Friday, the weekend and Easter Monday are skipped: Tuesday 7 April.
    deadline = deadline_after(
        at(2026, 3, 30, 10, 0), length=3, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=calendar
    )

    assert deadline.due == at(2026, 4, 7, 10, 0)
    assert [entry["date"] for entry in deadline.basis["skipped"]] == [
        "2026-04-02",
        "2026-04-03",
        "2026-04-06",
    ]


def test_the_issue_example_six_weekdays_over_easter():
    deadline = deadline_after(
        at(2026, 3, 31, 9, 0), length=6, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=NORWAY
    )

    assert deadline.due_date == datetime.date(2026, 4, 13)
    with translation.override("en"):
        assert describe(deadline.basis) == (
            "6 working days, Norwegian calendar; "
            "skipped: Maundy Thursday, Good Friday, Easter Monday"
        )


def test_great_prayer_day_is_a_holiday_in_2023_and_a_working_day_from_2024():
    # Store bededag: Friday 5 May 2023; abolished from 2024 (it would have been 26 April).
    in_2023 = deadline_after(
        at(2023, 5, 4, 9, 0), length=1, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=DENMARK
    )
    in_2024 = deadline_after(
        at(2024, 4, 25, 9, 0), length=1, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=DENMARK
    )

    assert in_2023.due_date == datetime.date(2023, 5, 8)
    assert in_2023.basis["skipped"] == [{"date": "2023-05-05", "closure": ""}]
    with translation.override("da"):
        assert "Store bededag" in describe(in_2023.basis)
    assert in_2024.due_date == datetime.date(2024, 4, 26)
    assert in_2024.basis["skipped"] == []
    # Norway never had it.
    assert NORWAY.is_working_day(datetime.date(2023, 5, 5))


def test_a_deadline_set_on_the_friday_before_a_holiday_monday():
    # Friday 22 May 2026; Whit Monday (2. pinsedag) is 25 May.
    deadline = deadline_after(
        at(2026, 5, 22, 15, 30), length=1, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=NORWAY
    )

    assert deadline.due == at(2026, 5, 26, 15, 30)
    with translation.override("nb"):
        assert describe(deadline.basis) == (
            "1 virkedag, norsk kalender; hoppet over: Andre pinsedag"
        )


def test_calendar_days_and_hours_ignore_holidays():
    friday = at(2026, 5, 22, 15, 30)

    calendar_days = deadline_after(
        friday, length=3, unit=DeadlineRule.Unit.CALENDAR_DAYS, calendar=NORWAY
    )
    hours = deadline_after(friday, length=24, unit=DeadlineRule.Unit.HOURS, calendar=NORWAY)

    assert calendar_days.due == at(2026, 5, 25, 15, 30)
    assert hours.due == at(2026, 5, 23, 15, 30)
    assert calendar_days.basis["skipped"] == hours.basis["skipped"] == []


def test_months_keep_the_day_or_take_the_last_of_a_shorter_month():
    deadline = deadline_after(
        at(2026, 8, 31, 12, 0), length=6, unit=DeadlineRule.Unit.MONTHS, calendar=NORWAY
    )

    assert deadline.due == at(2027, 2, 28, 12, 0)


def test_a_pause_across_a_weekend_costs_only_the_working_days_it_covered():
    due = at(2026, 11, 20, 9, 0)  # Friday
    basis = {"unit": DeadlineRule.Unit.WORKING_DAYS, "length": 5, "country": "NO"}

    friday_to_monday = deadline_paused(
        due,
        basis,
        paused_from=at(2026, 11, 13, 14, 0),
        paused_to=at(2026, 11, 16, 8, 0),
        calendar=NORWAY,
    )
    saturday_to_monday = deadline_paused(
        due,
        basis,
        paused_from=at(2026, 11, 14, 10, 0),
        paused_to=at(2026, 11, 16, 8, 0),
        calendar=NORWAY,
    )

    assert friday_to_monday.due == at(2026, 11, 23, 9, 0)  # one working day: the next Monday
    assert friday_to_monday.basis["pauses"][0]["moved"] == 1
    assert saturday_to_monday.due == due  # the weekend was not working time
    with translation.override("en"):
        assert "; paused 1 working day on " in describe(friday_to_monday.basis)


def test_a_pause_moves_an_hours_deadline_by_the_time_itself():
    due = at(2026, 11, 14, 9, 0)
    basis = {"unit": DeadlineRule.Unit.HOURS, "length": 24}

    moved = deadline_paused(
        due,
        basis,
        paused_from=at(2026, 11, 13, 10, 0),
        paused_to=at(2026, 11, 13, 12, 30),
        calendar=NORWAY,
    )

    assert moved.due == at(2026, 11, 14, 11, 30)


@pytest.mark.django_db
def test_closure_days_are_skipped_and_named(trondheim):
    ClosureDay.objects.create(municipality=trondheim, name="Julaften", month=12, day=24)
    ClosureDay.objects.create(
        municipality=trondheim, name="Stengt for flytting", month=12, day=29, year=2026
    )
    calendar = calendar_for(trondheim)

    # Wednesday 23 December 2026 + 2 working days: 24 (closed), 25, 26 (holidays),
    # weekend, Monday 28, then 29 (closed this year only), Wednesday 30.
    deadline = deadline_after(
        at(2026, 12, 23, 9, 0), length=2, unit=DeadlineRule.Unit.WORKING_DAYS, calendar=calendar
    )

    assert deadline.due_date == datetime.date(2026, 12, 30)
    with translation.override("en"):
        assert describe(deadline.basis).endswith(
            "skipped: Julaften, Christmas Day, Stengt for flytting"
        )
    assert calendar.is_working_day(datetime.date(2027, 12, 29))


@pytest.mark.django_db
def test_a_municipality_rule_wins_over_the_default_and_a_missing_rule_falls_back(aalborg):
    DeadlineRule.objects.create(
        municipality=aalborg,
        kind=DeadlineRule.Kind.REFERRAL_RESPONSE,
        length=10,
        unit=DeadlineRule.Unit.WORKING_DAYS,
    )
    start = at(2026, 11, 2, 9, 0)  # Monday

    referral = deadline_for(aalborg, DeadlineRule.Kind.REFERRAL_RESPONSE, start)
    receipt = deadline_for(aalborg, DeadlineRule.Kind.REPORTER_RECEIPT, start)

    assert referral.due_date == datetime.date(2026, 11, 16)
    assert receipt.basis["length"] == 6 and receipt.basis["unit"] == "working_days"
    assert receipt.basis["country"] == Municipality.Country.DENMARK


@pytest.mark.django_db
def test_the_shipped_calendars_load(trondheim, aalborg):
    from django.core.management import call_command

    call_command("loaddata", "01_municipalities", "12_calendars", verbosity=0)

    assert (
        DeadlineRule.objects.get(municipality=aalborg, kind=DeadlineRule.Kind.REPORTER_RECEIPT).unit
        == DeadlineRule.Unit.WORKING_DAYS
    )
    assert not calendar_for(aalborg).is_working_day(datetime.date(2026, 12, 24))
    aalborg.refresh_from_db()
    assert aalborg.reporter_receipt("da").startswith("Tak for din underretning")
