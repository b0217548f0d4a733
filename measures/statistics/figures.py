"""The figures behind the statistics page, counted in the database.

Everything is read per calendar year and grouped by quarter: the breakdowns
of one set of rows (the year's concerns, the year's closings) as columns of
one query, the others a grouped query each. So the number of queries is
fixed and no case row reaches Python. A period (a quarter, a half-year or
the year) is then a column of that year: the protection
(measures.statistics.protection) is worked out once over the whole year, so
the quarter, the half-year and the year pages show the same cells hidden and
none can be subtracted from another.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns.models import (
    AgeGroup,
    CaseActivity,
    CaseEvaluation,
    CaseEvaluationPartner,
    Concern,
)
from measures.models import Goal, Initiative, Measure, MeasureActivity, Phenomenon
from measures.statistics.protection import Line, Shown, protect
from mentoring.models import LifeMasteryGoal, LifeMasteryRating, Mentorship
from partners.models import District, Municipality, Organisation
from referrals.models import Referral

QUARTERS = ("q1", "q2", "q3", "q4")
COLUMNS = (*QUARTERS, "h1", "h2", "year")
TIME_LINES = (("h1", ("q1", "q2")), ("h2", ("q3", "q4")), ("year", ("h1", "h2")))
NOT_STATED = "none"
OTHER = "other"
# Fewer referrals than this in a year to an organisation and it is counted
# under "other organisations", so a rare partner does not stand out.
OWN_ROW_FROM = 5
# How long the counts of a year that has ended are kept before they are counted again.
ENDED_YEAR_KEPT_FOR = datetime.timedelta(hours=24)
# Part of the cache key: a change to what is counted, or to its shape, starts afresh.
_COUNTS_VERSION = 1


class YearCounts:
    """The database's answers for one municipality's year, kept a day once the year has ended.

    Counting a year reads every case of it, so the page's cost grows with the
    municipality's year (docs/performance.md). A year that has ended changes
    only when an old case is edited, so its counts are read at most once a
    day and kept in Django's cache; the page says when they were counted. The
    current year is always counted afresh. Only codes and numbers are kept,
    never labels: the words are the reader's, in the reader's language. The
    protection is worked out on every request from these counts, as before.
    """

    def __init__(self, municipality: Municipality, year: int, *, keep: bool = True):
        self.key = f"statistics:{_COUNTS_VERSION}:{municipality.pk}:{year}"
        self.kept = keep and year < timezone.localdate().year
        stored = cache.get(self.key) if self.kept else None
        self.counted_at: datetime.datetime = stored["counted_at"] if stored else timezone.now()
        self._answers: dict = stored["answers"] if stored else {}
        self._added = False

    def get(self, name: str, count):
        """The answer called `name`, counted by `count()` unless already kept."""
        if name not in self._answers:
            self._answers[name] = count()
            self._added = True
        return self._answers[name]

    @classmethod
    def afresh(cls, municipality: Municipality, year: int) -> "YearCounts":
        """Counts read from the database now, and not kept."""
        return cls(municipality, year, keep=False)

    def keep(self) -> None:
        if self.kept and self._added:
            answers = {"counted_at": self.counted_at, "answers": self._answers}
            cache.set(self.key, answers, ENDED_YEAR_KEPT_FOR.total_seconds())
            self._added = False


@dataclass
class Breakdown:
    """One table's counts for a year: rows of quarter counts, and the total they add up to."""

    key: str
    title: str
    heading: str
    rows: list[tuple[str, str]]
    counts: dict[str, dict[str, int]]
    # The rows partition the total (each concern in exactly one row); None
    # when a row may count the same thing twice (an activity under two measures).
    total: str | None

    def value(self, code: str, column: str) -> int:
        quarters = self.counts.get(code, {})
        return sum(quarters.get(quarter, 0) for quarter in _quarters_of(column))


def _quarters_of(column: str) -> tuple[str, ...]:
    return {
        "h1": ("q1", "q2"),
        "h2": ("q3", "q4"),
        "year": QUARTERS,
    }.get(column, (column,))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The local calendar year, as the aware instants it starts and ends at."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=zone)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=zone)


def _by_quarter(queryset: QuerySet, group: str, on: str, **aggregates) -> QuerySet:
    return (
        queryset.annotate(quarter=ExtractQuarter(on))
        .values(group, "quarter")
        .annotate(**(aggregates or {"n": Count("pk")}))
        .order_by()
    )


def _add(counts: dict, code: str, quarter: int, n: int) -> None:
    """Add to a code's quarter; plain dicts, so the counts can be kept in the cache."""
    quarters = counts.setdefault(code, {})
    quarters[f"q{quarter}"] = quarters.get(f"q{quarter}", 0) + n


def _counts(rows: Iterable[dict], group: str, value: str = "n", rename=None) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        code = row[group]
        code = rename(code) if rename else code
        _add(counts, str(code), row["quarter"], row[value])
    return counts


# --- what each breakdown counts ------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A breakdown counted as a column set of one query: a row per code of `field`."""

    key: str
    title: str
    heading: str
    field: str
    rows: list[tuple[str, str]]
    total: str | None
    # Codes stored as something else too (a blank age group is "unknown").
    aliases: dict = field(default_factory=dict)

    def matches(self, code: str) -> Q:
        if code == NOT_STATED:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{f"{self.field}__in": [code, *self.aliases.get(code, ())]})


def _pivot(
    queryset: QuerySet, on: str, dimensions: list[Dimension], counts: "YearCounts", name: str
) -> list[Breakdown]:
    """Every dimension's counts per quarter in one query: one scan of the year's rows,
    a count per code as a column, four rows back (one per quarter)."""

    def count() -> dict[str, dict]:
        cells = [(dimension, code) for dimension in dimensions for code, _label in dimension.rows]
        columns = {
            f"c{index}": Count("pk", filter=dimension.matches(code))
            for index, (dimension, code) in enumerate(cells)
        }
        tallies: dict[str, dict] = {d.key: {} for d in dimensions}
        rows = (
            queryset.annotate(quarter=ExtractQuarter(on))
            .values("quarter")
            .annotate(**columns)
            .order_by()
        )
        for row in rows:
            for index, (dimension, code) in enumerate(cells):
                _add(tallies[dimension.key], code, row["quarter"], row[f"c{index}"])
        return tallies

    tallies = counts.get(name, count)
    return [
        Breakdown(d.key, d.title, d.heading, d.rows, tallies.get(d.key, {}), d.total)
        for d in dimensions
    ]


def _choices(enum) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in enum.choices]


def concern_breakdowns(
    municipality: Municipality, year: int, counts: "YearCounts | None" = None
) -> list[Breakdown]:
    """Concerns submitted in the year, by what, whom, where from and how urgent."""
    counts = counts or YearCounts.afresh(municipality, year)
    start, end = year_bounds(year)
    submitted = Concern.objects.filter(
        municipality=municipality, submitted_at__gte=start, submitted_at__lt=end
    )
    not_stated = (NOT_STATED, _("Not stated"))
    phenomena = [(str(item.pk), str(item)) for item in Phenomenon.objects.all()]
    districts = [
        (str(item.pk), item.name) for item in District.objects.filter(municipality=municipality)
    ]
    total = "concerns"
    dimensions = [
        Dimension(
            "phenomenon",
            _("Concerns by phenomenon"),
            _("Phenomenon"),
            "phenomenon_id",
            [*phenomena, not_stated],
            total,
        ),
        Dimension(
            "age",
            _("Concerns by age group"),
            _("Age group"),
            "age_group",
            _choices(AgeGroup),
            total,
            aliases={AgeGroup.UNKNOWN: ("",)},
        ),
        Dimension(
            "district",
            _("Concerns by district"),
            _("District"),
            "subject__district_id",
            [*districts, not_stated],
            total,
        ),
        Dimension(
            "reporter",
            _("Concerns by the reporter's kind of organisation"),
            _("Kind of organisation"),
            "reporter_organisation__kind",
            _choices(Organisation.Kind),
            total,
        ),
        Dimension(
            "urgency",
            _("Concerns by urgency"),
            _("Urgency"),
            "urgency",
            _choices(Concern.Urgency),
            total,
        ),
    ]
    return _pivot(submitted, "submitted_at", dimensions, counts, "concerns")


def outcome_breakdowns(
    municipality: Municipality, year: int, counts: "YearCounts | None" = None
) -> list[Breakdown]:
    """Cases closed in the year: how they ended, and how the handler evaluated them."""
    counts = counts or YearCounts.afresh(municipality, year)
    start, end = year_bounds(year)
    on_closed = {
        "municipality": municipality,
        "status": Concern.Status.CLOSED,
        "closed_at__gte": start,
        "closed_at__lt": end,
    }
    closed = Concern.objects.filter(**on_closed)
    breakdowns = _pivot(
        closed,
        "closed_at",
        [
            Dimension(
                "outcome",
                _("Closed cases by outcome"),
                _("Outcome"),
                "outcome",
                _choices(Concern.Outcome),
                "closed",
            ),
            Dimension(
                "timely",
                _("Evaluation: did the help come in time?"),
                _("Answer"),
                "evaluation__help_timely",
                _choices(CaseEvaluation.Timely),
                "evaluated",
            ),
            Dimension(
                "situation",
                _("Evaluation: has the situation improved?"),
                _("Answer"),
                "evaluation__situation_change",
                _choices(CaseEvaluation.Change),
                "evaluated",
            ),
        ],
        counts,
        "closings",
    )
    # Several partners per case: a grouped count of its own, joined from the year's closings.
    partners = CaseEvaluationPartner.objects.filter(
        **{f"evaluation__concern__{key}": value for key, value in on_closed.items()}
    )
    breakdowns.append(
        Breakdown(
            "partners",
            _("Evaluation: partners that took part"),
            _("Partner"),
            _choices(CaseEvaluation.Partner),
            counts.get(
                "partners",
                lambda: _counts(
                    _by_quarter(partners, "partner", "evaluation__concern__closed_at"), "partner"
                ),
            ),
            None,
        )
    )
    return breakdowns


def referral_breakdowns(
    municipality: Municipality, year: int, counts: "YearCounts | None" = None
) -> list[Breakdown]:
    """Referrals sent in the year, per receiving organisation, and how they were answered."""
    counts = counts or YearCounts.afresh(municipality, year)
    start, end = year_bounds(year)
    sent = Referral.objects.filter(
        concern__municipality=municipality, sent_at__gte=start, sent_at__lt=end
    )
    rows = counts.get(
        "referrals",
        lambda: list(
            _by_quarter(
                sent,
                "receiving_organisation_id",
                "sent_at",
                n=Count("pk"),
                # Accepted at some point: answered, and not with a no.
                accepted=Count(
                    "pk",
                    filter=Q(responded_at__isnull=False) & ~Q(status=Referral.Status.DECLINED),
                ),
                declined=Count("pk", filter=Q(status=Referral.Status.DECLINED)),
            )
        ),
    )
    per_year: dict[int, int] = defaultdict(int)
    for row in rows:
        per_year[row["receiving_organisation_id"]] += row["n"]
    own_row = {pk for pk, n in per_year.items() if n >= OWN_ROW_FROM}
    names = dict(Organisation.objects.filter(pk__in=own_row).values_list("pk", "name"))

    def rename(pk):
        return str(pk) if pk in own_row else OTHER

    organisations = sorted(((str(pk), name) for pk, name in names.items()), key=lambda r: r[1])
    organisations.append((OTHER, _("Other organisations")))
    group = "receiving_organisation_id"
    return [
        Breakdown(
            "referrals",
            _("Referrals by receiving organisation"),
            _("Organisation"),
            organisations,
            _counts(rows, group, "n", rename),
            "referrals",
        ),
        Breakdown(
            "accepted",
            _("Accepted"),
            "",
            organisations,
            _counts(rows, group, "accepted", rename),
            "accepted",
        ),
        Breakdown(
            "declined",
            _("Declined"),
            "",
            organisations,
            _counts(rows, group, "declined", rename),
            "declined",
        ),
    ]


def mentoring_breakdowns(
    municipality: Municipality, year: int, counts: "YearCounts | None" = None
) -> list[Breakdown]:
    """The exit programme: mentorships started and ended, and how the ratings moved.

    A rating's change is the last review of a domain against its baseline, for
    mentorships that ended in the year; one mentorship counts once per domain.
    """
    counts = counts or YearCounts.afresh(municipality, year)
    dates = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    mine = Mentorship.objects.filter(concern__municipality=municipality)

    def started_and_ended() -> dict:
        tallies: dict = {}
        for name, on in (("started", "starts_on"), ("ended", "ends_on")):
            for row in _by_quarter(mine.filter(**{f"{on}__range": dates}), "mentor__corps", on):
                _add(tallies, name, row["quarter"], row["n"])
        return tallies

    latest = Subquery(
        LifeMasteryRating.objects.filter(
            mentorship=OuterRef("mentorship"), domain=OuterRef("domain")
        )
        .order_by("-rated_on", "-pk")
        .values("rating")[:1]
    )
    changes = (
        LifeMasteryGoal.objects.filter(
            mentorship__concern__municipality=municipality, mentorship__ends_on__range=dates
        )
        .annotate(latest=latest)
        .exclude(latest=None)
        .annotate(
            change=Case(
                When(latest__gt=F("baseline"), then=Value("improved")),
                When(latest__lt=F("baseline"), then=Value("worse")),
                default=Value("unchanged"),
            )
        )
    )
    return [
        Breakdown(
            "mentorships",
            _("Mentorships started and ended"),
            _("Mentorships"),
            [("started", _("Started")), ("ended", _("Ended"))],
            counts.get("mentorships", started_and_ended),
            None,
        ),
        Breakdown(
            "life_mastery",
            _("Life mastery at the end of a mentorship, per domain"),
            _("Change since the start"),
            [
                ("improved", _("Improved")),
                ("unchanged", _("Unchanged")),
                ("worse", _("Worse")),
            ],
            counts.get(
                "life_mastery",
                lambda: _counts(_by_quarter(changes, "change", "mentorship__ends_on"), "change"),
            ),
            None,
        ),
    ]


def activity_breakdowns(
    municipality: Municipality, year: int, counts: "YearCounts | None" = None
) -> list[Breakdown]:
    """Work on cases and plan work, per Trondheim measure and per Aalborg initiative and goal.

    An activity may serve several measures, so these rows do not add up to a total.
    """
    counts = counts or YearCounts.afresh(municipality, year)
    dates = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    case_links = {
        "caseactivity__concern__municipality": municipality,
        "caseactivity__date__range": dates,
    }
    plan_activities = MeasureActivity.objects.filter(date__range=dates)
    plan_goals = MeasureActivity.goals.through.objects.filter(measureactivity__date__range=dates)
    kinds = (
        (
            "measures",
            _("Activities per measure"),
            _("Measure"),
            Measure,
            CaseActivity.measures.through.objects,
            plan_activities,
            "date",
        ),
        (
            "initiatives",
            _("Activities per initiative"),
            _("Initiative"),
            Initiative,
            CaseActivity.initiatives.through.objects,
            plan_activities,
            "date",
        ),
        (
            "goals",
            _("Activities per goal"),
            _("Goal"),
            Goal,
            CaseActivity.goals.through.objects,
            plan_goals,
            "measureactivity__date",
        ),
    )
    breakdowns = []
    for key, title, heading, model, case_through, plan, plan_date in kinds:
        items = list(model.objects.filter(municipality=municipality).order_by("number"))
        if not items:
            continue
        group = f"{model._meta.model_name}_id"

        def count(
            case_through=case_through, plan=plan, plan_date=plan_date, group=group, items=items
        ):
            tallies = _counts(
                _by_quarter(case_through.filter(**case_links), group, "caseactivity__date"), group
            )
            on_items = plan.filter(**{f"{group}__in": [item.pk for item in items]})
            for row in _by_quarter(on_items, group, plan_date):
                _add(tallies, str(row[group]), row["quarter"], row["n"])
            return tallies

        rows = [(str(item.pk), _plan_label(item)) for item in items]
        breakdowns.append(
            Breakdown(key, title, heading, rows, counts.get(f"activities:{key}", count), None)
        )
    return breakdowns


def _plan_label(item) -> str:
    if isinstance(item, Goal):
        return f"{item.number}. {item.text}"
    return f"{item.number}. {item.title}"


# --- protection over the year --------------------------------------------------


@dataclass
class Cell:
    value: int
    shown: Shown

    @property
    def text(self) -> str:
        if self.shown is Shown.SMALL:
            return "<5"
        if self.shown is Shown.HIDDEN:
            return "×"
        return str(self.value)

    @property
    def is_visible(self) -> bool:
        return self.shown is Shown.VISIBLE


@dataclass
class ProtectedYear:
    breakdowns: dict[str, Breakdown]
    shown: dict = field(repr=False)
    values: dict = field(repr=False)

    def cell(self, key: str, code: str, column: str) -> Cell:
        cell = (key, code, column)
        return Cell(self.values[cell], self.shown[cell])

    def total(self, total: str, column: str) -> Cell:
        cell = ("total", total, column)
        return Cell(self.values[cell], self.shown[cell])


def protect_year(breakdowns: list[Breakdown]) -> ProtectedYear:
    """Decide, over all breakdowns of a year together, which cells are shown."""
    values: dict[tuple, int] = {}
    lines: list[Line] = []
    totals: dict[str, Breakdown] = {}
    for breakdown in breakdowns:
        for code, _label in breakdown.rows:
            for column in COLUMNS:
                values[(breakdown.key, code, column)] = breakdown.value(code, column)
            lines.extend(
                Line((breakdown.key, code, total), tuple((breakdown.key, code, p) for p in parts))
                for total, parts in TIME_LINES
            )
        if breakdown.total is None:
            continue
        totals.setdefault(breakdown.total, breakdown)
        for column in COLUMNS:
            total_cell = ("total", breakdown.total, column)
            values[total_cell] = sum(
                breakdown.value(code, column) for code, _label in breakdown.rows
            )
            lines.append(
                Line(
                    total_cell, tuple((breakdown.key, code, column) for code, _l in breakdown.rows)
                )
            )
    for total in totals:
        lines.extend(
            Line(("total", total, whole), tuple(("total", total, part) for part in parts))
            for whole, parts in TIME_LINES
        )
    return ProtectedYear({b.key: b for b in breakdowns}, protect(values, lines), values)


# --- response times ------------------------------------------------------------


@dataclass
class ResponseTime:
    label: str
    cases: Cell
    median: datetime.timedelta | None
    p90: datetime.timedelta | None


def _percentile(queryset: QuerySet, expression, n: int, fraction: float):
    """The nearest-rank percentile, read as one row of the sorted durations."""
    rank = max(math.ceil(fraction * n), 1) - 1
    return (
        queryset.annotate(duration=expression)
        .order_by("duration")
        .values_list("duration", flat=True)[rank]
    )


def response_times(
    municipality: Municipality, year: int, column: str, counts: "YearCounts | None" = None
) -> list[ResponseTime]:
    """Median and 90th percentile from submission to first assignment and to closing."""
    counts = counts or YearCounts.afresh(municipality, year)
    start, end = year_bounds(year)
    quarters = [int(quarter[1]) for quarter in _quarters_of(column)]
    submitted = (
        Concern.objects.filter(
            municipality=municipality, submitted_at__gte=start, submitted_at__lt=end
        )
        .annotate(quarter=ExtractQuarter("submitted_at"))
        .filter(quarter__in=quarters)
    )
    measures = (
        (
            _("From submission to first assignment"),
            submitted.filter(first_assigned_at__isnull=False),
            F("first_assigned_at") - F("submitted_at"),
        ),
        (
            _("From submission to closing"),
            submitted.filter(status=Concern.Status.CLOSED),
            F("closed_at") - F("submitted_at"),
        ),
    )

    def count() -> list[tuple]:
        answers = []
        for _label, queryset, difference in measures:
            expression = ExpressionWrapper(difference, output_field=DurationField())
            n = queryset.count()
            median = p90 = None
            if n >= 5:
                median = _percentile(queryset, expression, n, 0.5)
                p90 = _percentile(queryset, expression, n, 0.9)
            answers.append((n, median, p90))
        return answers

    return [
        ResponseTime(label, Cell(n, Shown.VISIBLE if n >= 5 else Shown.SMALL), median, p90)
        for (label, _queryset, _difference), (n, median, p90) in zip(
            measures, counts.get(f"response:{column}", count), strict=True
        )
    ]


PERIOD_LABELS = {
    "year": gettext_lazy("The whole year"),
    "h1": gettext_lazy("First half-year"),
    "h2": gettext_lazy("Second half-year"),
    "q1": gettext_lazy("1st quarter"),
    "q2": gettext_lazy("2nd quarter"),
    "q3": gettext_lazy("3rd quarter"),
    "q4": gettext_lazy("4th quarter"),
}
