"""The statistics for a municipality and period: the tables the page, CSV and print show.

One builder for all three, so the CSV can never say more than the page.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures.statistics import figures
from measures.statistics.charts import BarChart, LineChart, bar_chart, line_chart
from measures.statistics.figures import PERIOD_LABELS, Breakdown, ProtectedYear
from partners.models import Municipality


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    total: list[str] | None = None
    chart: BarChart | LineChart | None = None
    note: str = ""

    def csv_rows(self) -> list[list[str]]:
        return [self.headers, *self.rows, *([self.total] if self.total else [])]


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    municipality: Municipality
    year: int
    period: str
    concerns: str
    sections: list[Section]
    # When the counts of a year that has ended were read; None for the current year.
    counted_at: datetime.datetime | None = None

    @property
    def period_label(self) -> str:
        return f"{PERIOD_LABELS[self.period]} {self.year}"

    def table(self, key: str) -> Table | None:
        return next(
            (table for section in self.sections for table in section.tables if table.key == key),
            None,
        )


def build_report(municipality: Municipality, year: int, period: str) -> Report:
    counts = figures.YearCounts(municipality, year)
    earlier_counts = figures.YearCounts(municipality, year - 1)
    concern_tables = figures.concern_breakdowns(municipality, year, counts)
    outcomes = figures.outcome_breakdowns(municipality, year, counts)
    referrals = figures.referral_breakdowns(municipality, year, counts)
    activities = figures.activity_breakdowns(municipality, year, counts)
    mentoring = figures.mentoring_breakdowns(municipality, year, counts)
    protected = figures.protect_year(
        [*concern_tables, *outcomes, *referrals, *mentoring, *activities]
    )
    earlier = figures.protect_year(
        figures.concern_breakdowns(municipality, year - 1, earlier_counts)
    )
    times = figures.response_times(municipality, year, period, counts)
    counts.keep()
    earlier_counts.keep()

    def simple(breakdown: Breakdown) -> Table:
        return _simple_table(protected, breakdown, period)

    return Report(
        municipality=municipality,
        year=year,
        period=period,
        concerns=protected.total("concerns", period).text,
        counted_at=counts.counted_at if counts.kept else None,
        sections=[
            Section(_("Concerns"), [simple(b) for b in concern_tables]),
            Section(
                _("How fast"),
                [_response_table(times)],
            ),
            Section(_("How cases ended"), [simple(outcomes[0])]),
            Section(_("Referrals"), [_referral_table(protected, referrals, period)]),
            Section(_("Evaluation of the courses of work"), [simple(b) for b in outcomes[1:]]),
            Section(_("The exit programme"), [simple(b) for b in mentoring]),
            Section(_("Activities under the plan"), [simple(b) for b in activities]),
            Section(_("Trend"), [_trend_table(earlier, protected, year)]),
        ],
    )


def _simple_table(protected: ProtectedYear, breakdown: Breakdown, period: str) -> Table:
    cells = [(label, protected.cell(breakdown.key, code, period)) for code, label in breakdown.rows]
    total = None
    if breakdown.total is not None:
        total = [_("Total"), protected.total(breakdown.total, period).text]
    return Table(
        key=breakdown.key,
        title=breakdown.title,
        headers=[breakdown.heading, _("Number")],
        rows=[[label, cell.text] for label, cell in cells],
        total=total,
        chart=bar_chart(cells),
        note="" if breakdown.total else _("One activity or case may count in several rows."),
    )


def _rate(accepted, declined) -> str:
    if not (accepted.is_visible and declined.is_visible):
        return "–"
    answered = accepted.value + declined.value
    if not answered:
        return "–"
    return f"{formats.number_format(round(100 * accepted.value / answered), 0)} %"


def _referral_table(protected: ProtectedYear, breakdowns: list[Breakdown], period: str) -> Table:
    sent, accepted, declined = breakdowns
    rows, chart_rows = [], []
    for code, label in sent.rows:
        cells = [protected.cell(b.key, code, period) for b in breakdowns]
        rows.append([label, *(cell.text for cell in cells), _rate(cells[1], cells[2])])
        chart_rows.append((label, cells[0]))
    totals = [protected.total(b.total, period) for b in breakdowns]
    return Table(
        key="referrals",
        title=sent.title,
        headers=[sent.heading, _("Referred"), _("Accepted"), _("Declined"), _("Acceptance rate")],
        rows=rows,
        total=[_("Total"), *(cell.text for cell in totals), _rate(totals[1], totals[2])],
        chart=bar_chart(chart_rows),
        note=_(
            "Organisations with fewer than five referrals in the year are counted together. "
            "The acceptance rate is of the referrals answered."
        ),
    )


def duration_text(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return "–"
    hours = duration.total_seconds() / 3600
    if hours < 48:
        shown = round(hours)
        return ngettext("%(hours)s hour", "%(hours)s hours", shown) % {"hours": shown}
    days = formats.number_format(round(hours / 24, 1), 1)
    return _("%(days)s days") % {"days": days}


def _response_table(times: list[figures.ResponseTime]) -> Table:
    return Table(
        key="response",
        title=_("Response times"),
        headers=[_("Measured"), _("Cases"), _("Median"), _("90th percentile")],
        rows=[
            [time.label, time.cases.text, duration_text(time.median), duration_text(time.p90)]
            for time in times
        ],
        note=_(
            "Concerns submitted in the period. Times are shown when at least five cases "
            "count; nine in ten cases were faster than the 90th percentile."
        ),
    )


def _trend_table(earlier: ProtectedYear, protected: ProtectedYear, year: int) -> Table:
    cells = [
        (
            _("Q%(quarter)s %(year)s") % {"quarter": quarter[1], "year": each_year},
            source.total("concerns", quarter),
        )
        for each_year, source in ((year - 1, earlier), (year, protected))
        for quarter in figures.QUARTERS
    ]
    return Table(
        key="trend",
        title=_("Concerns per quarter"),
        headers=[_("Quarter"), _("Concerns")],
        rows=[[label, cell.text] for label, cell in cells],
        chart=line_chart(cells),
        note=_("The year shown and the year before. A quarter under five breaks the line."),
    )
