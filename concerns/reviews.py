"""Reviews after closing: a case closed once its support ended is looked at again.

When the help a case gave (a mentorship, or a measure carried out by a
partner) has ended and the case is closed, the municipality looks at it again
after its review periods: `DeadlineRule` REVIEW_FIRST and REVIEW_SECOND, 6 and
12 months unless it keeps other lengths. Both count from `Concern.review_from`,
the day the case was closed; reopening clears it.

Only the start is stored. The due dates are worked out from the
municipality's rule when they are read (the case page, the reminder sweep),
so a municipality that changes its review period changes it for the cases
waiting as well: a review is the municipality's own practice, not a deadline
promised to anyone. Storing each due date with its basis would take two fields
on Concern (see docs/architecture.md, "Reviews after closing").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from concerns.models import CaseEvent, Concern
from partners.calendars import (
    DEFAULT_RULES,
    Deadline,
    WorkingCalendar,
    calendar_for,
    deadline_after,
    describe,
)
from partners.models import DeadlineRule, Municipality

FIRST, SECOND = "first", "second"
# The two reviews, in order, with the rule each is counted by.
OCCURRENCES: dict[str, str] = {
    FIRST: DeadlineRule.Kind.REVIEW_FIRST,
    SECOND: DeadlineRule.Kind.REVIEW_SECOND,
}


def support_has_ended(concern: Concern) -> bool:
    """Whether the case shows support that was given and has ended: the close form's suggestion.

    A mentorship that got under way and has ended, or a referral the partner
    completed (a measure carried out). Read through the reverse relations, so
    concerns imports neither mentoring nor referrals. The handler confirms or
    corrects it on the close form: only she knows whether the help has ended.
    """
    mentorships = concern.mentorships
    ended = mentorships.model.Status.ENDED
    mentored = mentorships.filter(status=ended, starts_on__isnull=False).exists()
    if mentored and not mentorships.exclude(status=ended).exists():
        return True
    referrals = concern.referrals
    return referrals.filter(status=referrals.model.Status.COMPLETED).exists()


def support_still_open(concern: Concern) -> bool:
    """A mentorship on the case has not ended: its support cannot be said to have ended."""
    mentorships = concern.mentorships
    return mentorships.exclude(status=mentorships.model.Status.ENDED).exists()


def _start(day: datetime.date) -> datetime.datetime:
    """Review periods count from the morning of the day the case was closed."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))


def rules_for(municipality_id: int) -> dict[str, tuple[int, str]]:
    """(length, unit) of both reviews for one municipality, in one query."""
    kinds = list(OCCURRENCES.values())
    rules = {
        kind: (length, unit)
        for kind, length, unit in DeadlineRule.objects.filter(
            municipality_id=municipality_id, kind__in=kinds
        ).values_list("kind", "length", "unit")
    }
    return {kind: rules.get(kind, DEFAULT_RULES[kind]) for kind in kinds}


def review_calendar(municipality: Municipality, unit: str) -> WorkingCalendar:
    # Only working days need the municipality's closure days (a query); months
    # and calendar days need the country alone.
    if unit == DeadlineRule.Unit.WORKING_DAYS:
        return calendar_for(municipality)
    return WorkingCalendar(country=municipality.country)


def review_deadline(
    review_from: datetime.date, *, kind: str, length: int, unit: str, calendar: WorkingCalendar
) -> Deadline:
    return deadline_after(
        _start(review_from), length=length, unit=unit, calendar=calendar, kind=kind
    )


@dataclass(frozen=True)
class Review:
    """One review of a closed case: when it is due, why, and whether it has been recorded."""

    occurrence: str
    due: datetime.date
    basis: dict
    recorded: CaseEvent | None

    @property
    def basis_in_words(self) -> str:
        return describe(self.basis)


def reviews_for(concern: Concern) -> list[Review]:
    """The case's two reviews, or none when it was not closed after support ended.

    Three queries: the municipality, its rules, the reviews recorded since closing.
    """
    if concern.review_from is None or concern.status != Concern.Status.CLOSED:
        return []
    municipality = concern.municipality
    rules = rules_for(municipality.pk)
    recorded = {
        event.data.get("occurrence"): event
        for event in recorded_reviews(concern).select_related("actor")
    }
    reviews = []
    for occurrence, kind in OCCURRENCES.items():
        length, unit = rules[kind]
        deadline = review_deadline(
            concern.review_from,
            kind=kind,
            length=length,
            unit=unit,
            calendar=review_calendar(municipality, unit),
        )
        reviews.append(
            Review(occurrence, deadline.due_date, deadline.basis, recorded.get(occurrence))
        )
    return reviews


def recorded_reviews(concern: Concern):
    """The reviews recorded since the case was last closed (a reopened case starts afresh)."""
    events = concern.events.filter(kind=CaseEvent.Kind.REVIEWED)
    if concern.closed_at is not None:
        events = events.filter(at__gte=concern.closed_at)
    return events.order_by("at", "pk")


def next_review(concern: Concern) -> str | None:
    """The review a coordinator records now: the first, then the second, then none."""
    if concern.review_from is None or concern.status != Concern.Status.CLOSED:
        return None
    done = set(recorded_reviews(concern).values_list("data__occurrence", flat=True))
    return next((occurrence for occurrence in OCCURRENCES if occurrence not in done), None)


# --- for the reminder sweep ----------------------------------------------------------


def _rough_days(length: int, unit: str) -> int:
    return {
        DeadlineRule.Unit.CALENDAR_DAYS: length,
        DeadlineRule.Unit.WORKING_DAYS: length * 7 // 5,
        DeadlineRule.Unit.MONTHS: length * 30,
    }.get(unit, 0)


def latest_start_due_by(
    day: datetime.date, *, kind: str, length: int, unit: str, calendar: WorkingCalendar
) -> datetime.date:
    """The latest `review_from` whose review falls due on or before `day`.

    The due date never goes back when the start moves forward (a month after
    30 and 31 January are both 28 February; a working day after Saturday and
    after Friday are both Monday), so the starts due by `day` are exactly
    those up to this one, and the sweep can ask the database for a plain
    `review_from <= start`. Found from a rough guess, a few steps either way.
    """

    def due(start: datetime.date) -> datetime.date:
        return review_deadline(
            start, kind=kind, length=length, unit=unit, calendar=calendar
        ).due_date

    start = day - datetime.timedelta(days=_rough_days(length, unit))
    step = datetime.timedelta(days=1)
    while due(start) > day:
        start -= step
    while due(start + step) <= day:
        start += step
    return start


@dataclass(frozen=True)
class StartRange:
    """The `review_from` days whose review fell due in a sweep's window, for some municipalities."""

    municipality_ids: tuple[int, ...]
    latest: datetime.date
    earliest: datetime.date | None


def start_ranges(
    occurrence: str, *, today: datetime.date, since: datetime.date | None
) -> list[StartRange]:
    """Per group of municipalities sharing a rule, the review starts due from `since` to `today`.

    Two queries (municipalities, rules), and one more per municipality that
    counts reviews in working days. Municipalities nearly always share the
    default, so the sweep's query has one or two ranges, not one per municipality.
    """
    kind = OCCURRENCES[occurrence]
    rules = {
        municipality_id: (length, unit)
        for municipality_id, length, unit in DeadlineRule.objects.filter(kind=kind).values_list(
            "municipality_id", "length", "unit"
        )
    }
    groups: dict[tuple, list[int]] = {}
    calendars: dict[tuple, WorkingCalendar] = {}
    for municipality in Municipality.objects.only("pk", "country").order_by("pk"):
        length, unit = rules.get(municipality.pk, DEFAULT_RULES[kind])
        working = unit == DeadlineRule.Unit.WORKING_DAYS
        key = (length, unit, municipality.country, municipality.pk if working else None)
        groups.setdefault(key, []).append(municipality.pk)
        if key not in calendars:
            calendars[key] = review_calendar(municipality, unit)
    ranges = []
    for key, municipality_ids in groups.items():
        length, unit = key[0], key[1]
        rule = {"kind": kind, "length": length, "unit": unit, "calendar": calendars[key]}
        earliest = None
        if since is not None:
            earliest = latest_start_due_by(
                since - datetime.timedelta(days=1), **rule
            ) + datetime.timedelta(days=1)
        ranges.append(
            StartRange(tuple(municipality_ids), latest_start_due_by(today, **rule), earliest)
        )
    return ranges
