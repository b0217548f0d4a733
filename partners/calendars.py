"""Working days and deadlines: when something falls due, and why.

A municipality's calendar is its country's public holidays (the `holidays`
package, pinned in pyproject.toml so a new release never moves a deadline
already promised), plus its own closure days (`ClosureDay`: 24 and 31
December, a local closure). Weekends are never working days.

A deadline is worked out once, when it is set, from a `DeadlineRule` (a length
and a unit), and stored with its basis: the start, the rule and the holidays
it skipped. `describe()` turns a basis into words in the reader's language
("6 working days, Danish calendar; skipped: Maundy Thursday, Good Friday").
A basis holds codes and dates only, never words, so a Danish reader sees
Danish holiday names on a deadline a Norwegian colleague set.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

from partners.models import ClosureDay, DeadlineRule, Municipality

Unit = DeadlineRule.Unit
Kind = DeadlineRule.Kind

# What a municipality gets for a kind it has no rule for.
DEFAULT_RULES: dict[str, tuple[int, str]] = {
    Kind.FOLLOW_UP_ACUTE: (1, Unit.CALENDAR_DAYS),
    Kind.FOLLOW_UP_HIGH: (3, Unit.CALENDAR_DAYS),
    Kind.FOLLOW_UP_NORMAL: (14, Unit.CALENDAR_DAYS),
    Kind.REFERRAL_RESPONSE: (14, Unit.CALENDAR_DAYS),
    Kind.REPORTER_REPLY: (3, Unit.CALENDAR_DAYS),
    Kind.REPORTER_RECEIPT: (6, Unit.WORKING_DAYS),
    Kind.TRANSFER_RESPONSE: (5, Unit.WORKING_DAYS),
    Kind.REVIEW_FIRST: (6, Unit.MONTHS),
    Kind.REVIEW_SECOND: (12, Unit.MONTHS),
}

# The holidays package's language for each of ours; a country that lacks the
# reader's language shows its holidays in its own.
_HOLIDAY_LANGUAGE = {"nb": "no", "da": "da", "en": "en_US"}
_COUNTRY_LANGUAGE = {"NO": "no", "DK": "da"}


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int, language: str) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays(country, years=year, language=language).items())


def holiday_name(country: str, day: datetime.date, language: str | None = None) -> str:
    """The public holiday's name in the reader's language, or ""."""
    wanted = _HOLIDAY_LANGUAGE.get((language or get_language() or "nb")[:2], "en_US")
    supported = holidays.country_holidays(country).supported_languages
    if wanted not in supported:
        wanted = _COUNTRY_LANGUAGE.get(country, "en_US")
    return _public_holidays(country, day.year, wanted).get(day, "")


@dataclass(frozen=True)
class WorkingCalendar:
    """A country's public holidays and a municipality's closure days."""

    country: str
    # (month, day) closed every year, and single closed dates, with their names.
    recurring: dict[tuple[int, int], str] = field(default_factory=dict)
    one_off: dict[datetime.date, str] = field(default_factory=dict)

    def closure(self, day: datetime.date) -> str | None:
        """Why `day` is not a working day: "weekend", "holiday", "closure", or None."""
        if day.weekday() >= 5:
            return "weekend"
        if day in _public_holidays(self.country, day.year, _COUNTRY_LANGUAGE[self.country]):
            return "holiday"
        if (day.month, day.day) in self.recurring or day in self.one_off:
            return "closure"
        return None

    def is_working_day(self, day: datetime.date) -> bool:
        return self.closure(day) is None

    def closure_name(self, day: datetime.date) -> str:
        return self.one_off.get(day) or self.recurring.get((day.month, day.day), "")

    def add_working_days(
        self, day: datetime.date, count: int
    ) -> tuple[datetime.date, list[datetime.date]]:
        """The `count`th working day after `day`, and the weekday closures stepped over."""
        skipped = []
        while count > 0:
            day += datetime.timedelta(days=1)
            reason = self.closure(day)
            if reason is None:
                count -= 1
            elif reason != "weekend":
                skipped.append(day)
        return day, skipped

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in [start, end): what a pause from `start` to `end` cost."""
        days = 0
        while start < end:
            if self.is_working_day(start):
                days += 1
            start += datetime.timedelta(days=1)
        return days


def calendar_for(municipality: Municipality) -> WorkingCalendar:
    """The municipality's calendar; one query for its closure days."""
    recurring, one_off = {}, {}
    for closure in ClosureDay.objects.filter(municipality=municipality):
        if closure.year:
            one_off[datetime.date(closure.year, closure.month, closure.day)] = closure.name
        else:
            recurring[(closure.month, closure.day)] = closure.name
    return WorkingCalendar(country=municipality.country, recurring=recurring, one_off=one_off)


def rule_for(municipality: Municipality, kind: str) -> tuple[int, str]:
    """(length, unit) of the municipality's rule for `kind`, or the default."""
    rule = (
        DeadlineRule.objects.filter(municipality=municipality, kind=kind)
        .values_list("length", "unit")
        .first()
    )
    return rule or DEFAULT_RULES[kind]


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Deadline:
    """A due time and the basis it was worked out from (JSON-ready)."""

    due: datetime.datetime
    basis: dict

    @property
    def due_date(self) -> datetime.date:
        return timezone.localtime(self.due).date()


def deadline_after(
    start: datetime.datetime,
    *,
    length: int,
    unit: str,
    calendar: WorkingCalendar,
    kind: str = "",
) -> Deadline:
    """`length` `unit`s after `start`, by `calendar`."""
    local = timezone.localtime(start)
    skipped: list[datetime.date] = []
    if unit == Unit.MINUTES:
        due = start + datetime.timedelta(minutes=length)
    elif unit == Unit.HOURS:
        due = start + datetime.timedelta(hours=length)
    elif unit == Unit.CALENDAR_DAYS:
        due = local + datetime.timedelta(days=length)
    elif unit == Unit.WORKING_DAYS:
        day, skipped = calendar.add_working_days(local.date(), length)
        due = timezone.make_aware(datetime.datetime.combine(day, local.time()))
    elif unit == Unit.MONTHS:
        due = _add_months(local, length)
    else:
        raise ValueError(f"unknown unit {unit!r}")
    basis = {
        "kind": kind,
        "start": start.isoformat(),
        "length": length,
        "unit": unit,
        "country": calendar.country,
        "skipped": [
            {"date": day.isoformat(), "closure": calendar.closure_name(day)} for day in skipped
        ],
        "pauses": [],
    }
    return Deadline(due=due, basis=basis)


def deadline_for(
    municipality: Municipality,
    kind: str,
    start: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """The municipality's deadline of `kind`, counted from `start` (now)."""
    length, unit = rule_for(municipality, kind)
    return deadline_after(
        start or timezone.now(),
        length=length,
        unit=unit,
        calendar=calendar or calendar_for(municipality),
        kind=kind,
    )


def deadline_paused(
    due: datetime.datetime,
    basis: dict,
    *,
    paused_from: datetime.datetime,
    paused_to: datetime.datetime,
    calendar: WorkingCalendar,
) -> Deadline:
    """`due` moved by the time paused, counted in the deadline's own unit.

    A working-day deadline moves by the working days the pause covered (a pause
    from Friday to Monday costs one: Friday); minutes and hours by the time
    itself; calendar days and months by the calendar days.
    """
    unit = basis.get("unit", Unit.CALENDAR_DAYS)
    local_from, local_to = timezone.localtime(paused_from), timezone.localtime(paused_to)
    if unit == Unit.WORKING_DAYS:
        moved = calendar.working_days_between(local_from.date(), local_to.date())
        local_due = timezone.localtime(due)
        day, _ = calendar.add_working_days(local_due.date(), moved)
        new_due = timezone.make_aware(datetime.datetime.combine(day, local_due.time()))
    elif unit in (Unit.MINUTES, Unit.HOURS):
        moved = int((paused_to - paused_from).total_seconds() // 60)
        new_due = due + (paused_to - paused_from)
        unit = Unit.MINUTES
    else:
        moved = (local_to.date() - local_from.date()).days
        new_due = due + datetime.timedelta(days=moved)
        unit = Unit.CALENDAR_DAYS
    pauses = [
        *basis.get("pauses", []),
        {"from": paused_from.isoformat(), "moved": moved, "unit": unit},
    ]
    return Deadline(due=new_due, basis={**basis, "pauses": pauses})


# --- in words -----------------------------------------------------------------------


def _length_in_words(length: int, unit: str) -> str:
    if unit == Unit.MINUTES:
        return ngettext("%(n)d minute", "%(n)d minutes", length) % {"n": length}
    if unit == Unit.HOURS:
        return ngettext("%(n)d hour", "%(n)d hours", length) % {"n": length}
    if unit == Unit.WORKING_DAYS:
        return ngettext("%(n)d working day", "%(n)d working days", length) % {"n": length}
    if unit == Unit.MONTHS:
        return ngettext("%(n)d month", "%(n)d months", length) % {"n": length}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", length) % {"n": length}


def _calendar_in_words(country: str) -> str:
    return {"NO": gettext("Norwegian calendar"), "DK": gettext("Danish calendar")}.get(country, "")


def describe(basis: dict) -> str:
    """The basis in the reader's language; "" when there is none (a date picked by hand)."""
    if not basis or "unit" not in basis:
        return ""
    parts = [_length_in_words(basis["length"], basis["unit"])]
    if basis["unit"] == Unit.WORKING_DAYS:
        parts.append(_calendar_in_words(basis.get("country", "")))
    text = ", ".join(part for part in parts if part)
    skipped = []
    for entry in basis.get("skipped", []):
        day = datetime.date.fromisoformat(entry["date"])
        skipped.append(holiday_name(basis["country"], day) or entry.get("closure") or str(day))
    if skipped:
        text += "; " + gettext("skipped: %(days)s") % {"days": ", ".join(skipped)}
    for pause in basis.get("pauses", []):
        text += "; " + gettext("paused %(length)s on %(date)s") % {
            "length": _length_in_words(pause["moved"], pause["unit"]),
            "date": formats.date_format(
                timezone.localtime(datetime.datetime.fromisoformat(pause["from"])).date()
            ),
        }
    return text
