"""The statistics page: counts against a hand-built year, protection, CSV equal to the page,
who may read it, bad input, and a number of queries that does not grow with the data."""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import CaseEvaluation, CaseEvaluationPartner, Concern
from measures.statistics import figures
from measures.statistics.report import build_report, duration_text
from mentoring.models import CorpsMember, LifeMasteryGoal, LifeMasteryRating, Mentorship
from partners.identity.models import SecurityEvent
from partners.models import Organisation, Role
from referrals.models import Referral
from tests.factories import (
    ConcernFactory,
    DistrictFactory,
    OrganisationFactory,
    PhenomenonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2025


def _at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def year(people, trondheim, aalborg):
    """A year in invented Trondheim: 15 concerns in three quarters, closings, referrals."""
    right = PhenomenonFactory(code="right", name_nb="Høyreekstremisme")
    islamist = PhenomenonFactory(code="islamist", name_nb="Islamistisk ekstremisme")
    unclear = PhenomenonFactory(code="unclear")
    east, west = (DistrictFactory(municipality=trondheim, name=n) for n in ("Øst", "Vest"))
    school_reporter = people.alice
    nav = OrganisationFactory(slug="nav", kind=Organisation.Kind.STATE, municipalities=[trondheim])
    nav_reporter = UserFactory(organisation=nav, roles=[Role.Code.FRONTLINE])

    def concern(**fields):
        fields.setdefault("reporter", school_reporter)
        return ConcernFactory(municipality=trondheim, **fields)

    made = {"right": [], "islamist": [], "unclear": []}
    for n in range(6):  # Q1: right-wing, school, east, 13–15, assigned after 1–6 hours
        submitted = _at(2, 10)
        made["right"].append(
            concern(
                status=Concern.Status.ASSIGNED,
                phenomenon=right,
                subject__district=east,
                age_group="13_15",
                submitted_at=submitted,
                first_assigned_at=submitted + datetime.timedelta(hours=n + 1),
            )
        )
    for _n in range(7):  # Q2: islamist, NAV, west, 18–24, high
        made["islamist"].append(
            concern(
                status=Concern.Status.SUBMITTED,
                reporter=nav_reporter,
                phenomenon=islamist,
                subject__district=west,
                age_group="18_24",
                urgency=Concern.Urgency.HIGH,
                submitted_at=_at(5, 5),
            )
        )
    for _n in range(2):  # Q3: unclear, acute, no district
        made["unclear"].append(
            concern(
                status=Concern.Status.SUBMITTED,
                phenomenon=unclear,
                age_group="16_17",
                urgency=Concern.Urgency.ACUTE,
                submitted_at=_at(8, 20),
            )
        )
    # Never counted: a draft, the year before, another municipality.
    concern(status=Concern.Status.DRAFT, phenomenon=right)
    concern(
        status=Concern.Status.SUBMITTED,
        phenomenon=right,
        submitted_at=_at(1, 1) - datetime.timedelta(days=2),
    )
    ConcernFactory(
        reporter=people.dana,
        municipality=aalborg,
        status=Concern.Status.SUBMITTED,
        submitted_at=_at(3, 3),
    )

    # Five right-wing cases close in Q2 with advice, evaluated.
    for case in made["right"][:5]:
        case.status, case.outcome, case.closed_at = "closed", "advice_given", _at(6, 1)
        case.save()
        evaluation = CaseEvaluation.objects.create(
            concern=case,
            help_timely="yes",
            situation_change="improved",
            evaluated_by=people.bob,
            evaluated_at=case.closed_at,
        )
        CaseEvaluationPartner.objects.create(evaluation=evaluation, partner="school")

    child_welfare = OrganisationFactory(slug="barnevern", municipalities=[trondheim])
    for n in range(12):  # Q2: 12 referrals to child welfare, 7 accepted, 5 declined
        Referral.objects.create(
            concern=made["islamist"][n % 7],
            receiving_organisation=child_welfare,
            reason="Oppdiktet grunn.",
            legal_basis="consent",
            response_due=datetime.date(YEAR, 5, 20),
            created_by=people.bob,
            status=Referral.Status.ACCEPTED if n < 7 else Referral.Status.DECLINED,
            sent_at=_at(5, 6),
            responded_at=_at(5, 8),
        )
    return {"municipality": trondheim, "child_welfare": child_welfare, **made}


def _coordinator(people):
    return UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR])


# --- counts ----------------------------------------------------------------------


def test_counts_per_quarter_match_the_hand_built_year(year):
    breakdowns = {b.key: b for b in figures.concern_breakdowns(year["municipality"], YEAR)}
    right = str(year["right"][0].phenomenon_id)
    islamist = str(year["islamist"][0].phenomenon_id)
    phenomenon = breakdowns["phenomenon"]
    assert phenomenon.value(right, "q1") == 6 and phenomenon.value(right, "year") == 6
    assert phenomenon.value(islamist, "h1") == 7 and phenomenon.value(islamist, "q3") == 0
    assert sum(phenomenon.value(code, "year") for code, _label in phenomenon.rows) == 15
    assert breakdowns["age"].value("18_24", "year") == 7
    assert breakdowns["age"].value("16_17", "h2") == 2
    assert breakdowns["district"].value(figures.NOT_STATED, "year") == 2
    assert breakdowns["reporter"].value("municipal", "year") == 8
    assert breakdowns["reporter"].value("state", "q2") == 7
    assert breakdowns["urgency"].value("acute", "q3") == 2

    outcomes = {b.key: b for b in figures.outcome_breakdowns(year["municipality"], YEAR)}
    assert outcomes["outcome"].value("advice_given", "q2") == 5
    assert outcomes["timely"].value("yes", "h1") == 5
    assert outcomes["partners"].value("school", "year") == 5

    sent, accepted, declined = figures.referral_breakdowns(year["municipality"], YEAR)
    organisation = str(year["child_welfare"].pk)
    assert [b.value(organisation, "q2") for b in (sent, accepted, declined)] == [12, 7, 5]


def test_the_page_shows_protected_figures(year):
    report = build_report(year["municipality"], YEAR, "year")
    assert report.concerns == "15"
    rows = {row[0]: row[1] for row in report.table("phenomenon").rows}
    assert rows["Islamistisk ekstremisme"] == "7"
    assert rows["Uklart / sammensatt"] == "<5"
    # 15 − 7 would give the small rows back, so the smallest other row is hidden too.
    assert rows["Høyreekstremisme"] == "×"
    assert report.table("phenomenon").total == ["Totalt", "15"]

    urgency = {row[0]: row[1] for row in report.table("urgency").rows}
    assert urgency["Akutt: fare nå"] == "<5"
    # Referrals: 12 sent, 7 accepted; 5 declined, and nothing else to hide behind.
    referral = report.table("referrals").rows[0]
    assert referral[0] == year["child_welfare"].name
    assert referral[1:] == ["12", "7", "5", "58 %"]

    assert rows["Ikke oppgitt"] == "0"  # a zero describes nobody and is shown
    # Islamist concerns came only in Q2, and Q1's zero gives nothing away.
    quarter = build_report(year["municipality"], YEAR, "q2")
    assert {row[0]: row[1] for row in quarter.table("phenomenon").rows}[
        "Islamistisk ekstremisme"
    ] == "7"
    times = {row[0]: row[1:] for row in report.table("response").rows}
    assert times["Fra innsending til første tildeling"] == ["6", "3 timer", "6 timer"]
    assert times["Fra innsending til avslutning"] == ["5", "111,0 dager", "111,0 dager"]


def test_durations_read_as_hours_then_days():
    assert duration_text(datetime.timedelta(hours=5)) == "5 timer"
    assert duration_text(datetime.timedelta(days=3, hours=12)) == "3,5 dager"
    assert duration_text(None) == "–"


# --- the page, its CSV and its print ---------------------------------------------


class _Tables(HTMLParser):
    """Each <table id="table-…"> on the page as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._current, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._current = self.tables.setdefault(attrs["id"][6:], [])
        elif tag == "tr" and self._current is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._current = None
        elif tag == "tr" and self._row is not None:
            self._current.append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_each_csv_equals_its_table_on_the_page(client, people, year):
    client.force_login(_coordinator(people))
    query = {"municipality": "trondheim", "year": YEAR, "period": "h1"}
    page = client.get(reverse("statistics:page"), query)
    assert page.status_code == 200
    parser = _Tables()
    parser.feed(page.content.decode())
    assert {
        "phenomenon",
        "age",
        "district",
        "reporter",
        "urgency",
        "response",
        "referrals",
        "outcome",
        "timely",
        "situation",
        "partners",
        "trend",
    } <= set(parser.tables)
    for key, rows in parser.tables.items():
        response = client.get(reverse("statistics:csv", args=[key]), query)
        assert response["Content-Disposition"].startswith("attachment;")
        text = response.content.decode("utf-8-sig")
        title, *csv_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert title[1] == "Trondheim kommune"
        assert csv_rows == rows, key
    # The page shows its charts, and no name or reference number of any case.
    body = page.content.decode()
    assert body.count('class="chart chart-bars"') >= 10 and 'class="chart chart-line"' in body
    for case in year["right"] + year["islamist"]:
        assert case.subject.name not in body
    assert "BEK-" not in body


def test_the_printable_report_holds_the_same_tables(client, people, year):
    client.force_login(_coordinator(people))
    query = {"municipality": "trondheim", "year": YEAR, "period": "year"}
    printed = client.get(reverse("statistics:print"), query)
    assert printed.status_code == 200
    parser = _Tables()
    parser.feed(printed.content.decode())
    report = build_report(year["municipality"], YEAR, "year")
    assert parser.tables["phenomenon"][1:-1] == report.table("phenomenon").rows
    assert 'class="navbar' not in printed.content.decode()


# --- who may read it, and bad input --------------------------------------------------


def test_only_coordinators_and_registry_admins_of_the_municipality_read_it(client, people, year):
    url = reverse("statistics:page")
    for user in (
        people.alice,
        UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.POLICE_CONTACT]),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("statistics:csv", args=["phenomenon"])).status_code == 404
        assert (
            SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.ACCESS_DENIED).count()
            == 2
        )
    registry_admin = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.REGISTRY_ADMIN]
    )
    client.force_login(registry_admin)
    assert client.get(url, {"year": YEAR}).status_code == 200
    # An Aalborg coordinator cannot choose Trondheim: the choice is refused, no figure shown.
    client.force_login(
        UserFactory(organisation=people.dana.organisation, roles=[Role.Code.COORDINATOR])
    )
    refused = client.get(url, {"municipality": "trondheim", "year": YEAR})
    assert refused.status_code == 400
    assert "concerns submitted" not in refused.content.decode()
    csv_refused = client.get(
        reverse("statistics:csv", args=["phenomenon"]), {"municipality": "trondheim"}
    )
    assert csv_refused.status_code == 400
    assert not csv_refused.get("Content-Disposition")


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1999"},
        {"period": "q9"},
        {"period": "year\x00"},
        {"municipality": "trondheim\x00"},
    ],
)
def test_bad_choices_get_a_clear_message_and_no_figures(client, people, year, query):
    client.force_login(_coordinator(people))
    response = client.get(reverse("statistics:page"), query)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert 'id="table-phenomenon"' not in body


def test_an_unknown_table_is_not_found(client, people, year):
    client.force_login(_coordinator(people))
    assert client.get(reverse("statistics:csv", args=["names"]), {"year": YEAR}).status_code == 404


# --- queries -------------------------------------------------------------------------


def _queries(client) -> int:
    # Counted afresh each time: a year that has ended is otherwise kept (next test).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("statistics:page"), {"year": YEAR, "period": "year"})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(client, people, year):
    client.force_login(_coordinator(people))
    before = _queries(client)
    district = DistrictFactory(municipality=year["municipality"], name="Sør")
    for month in (1, 4, 7, 10, 11):
        for _n in range(6):
            ConcernFactory(
                reporter=people.bob,
                municipality=year["municipality"],
                status=Concern.Status.SUBMITTED,
                subject__district=district,
                submitted_at=_at(month, 3),
            )
    assert _queries(client) == before


def test_a_year_that_has_ended_is_counted_once_a_day(client, people, year):
    """Counting a year reads every case of it; an ended year is read once a day and kept."""
    client.force_login(_coordinator(people))
    url = reverse("statistics:page")
    with time_machine.travel(datetime.datetime(YEAR + 1, 3, 1, 9, tzinfo=datetime.UTC)):
        first = client.get(url, {"year": YEAR, "period": "year"})
        assert first.context["report"].concerns == "15"
        assert first.context["report"].counted_at is not None
        assert 'data-testid="counted-at"' in first.content.decode()
        ConcernFactory(
            reporter=people.bob,
            municipality=year["municipality"],
            status=Concern.Status.SUBMITTED,
            submitted_at=_at(5, 3),
        )
        with CaptureQueriesContext(connection) as kept:
            second = client.get(url, {"year": YEAR, "period": "year"})
        # The same figures as an hour ago, read from the cache in fewer queries.
        assert second.context["report"].concerns == "15"
        assert len(kept) < _queries_without_cache(client, url)
    with time_machine.travel(datetime.datetime(YEAR + 1, 3, 2, 10, tzinfo=datetime.UTC)):
        # A day later the year is counted again, and the late case is in it.
        assert client.get(url, {"year": YEAR, "period": "year"}).context["report"].concerns == "16"


def _queries_without_cache(client, url) -> int:
    in_the_year = time_machine.travel(datetime.datetime(YEAR, 12, 1, 9, tzinfo=datetime.UTC))
    with in_the_year, CaptureQueriesContext(connection) as queries:
        client.get(url, {"year": YEAR, "period": "year"})
    return len(queries)


def test_the_current_year_is_always_counted_afresh(client, people, year):
    client.force_login(_coordinator(people))
    url = reverse("statistics:page")
    with time_machine.travel(datetime.datetime(YEAR, 12, 1, 9, tzinfo=datetime.UTC)):
        assert client.get(url, {"year": YEAR, "period": "year"}).context["report"].concerns == "15"
        ConcernFactory(
            reporter=people.bob,
            municipality=year["municipality"],
            status=Concern.Status.SUBMITTED,
            submitted_at=_at(5, 3),
        )
        report = client.get(url, {"year": YEAR, "period": "year"}).context["report"]
        assert report.concerns == "16" and report.counted_at is None


def test_the_exit_programme_counts_starts_ends_and_rating_changes(year, people):
    trondheim = year["municipality"]
    mentor = CorpsMember.objects.create(
        municipality=trondheim, corps="mentor", name="Mentor", user=people.bob, capacity=9
    )
    for n, (baseline, last) in enumerate(((2, 4), (3, 3), (4, 2))):
        mentorship = Mentorship.objects.create(
            concern=year["islamist"][n],
            mentor=mentor,
            status="ended",
            starts_on=datetime.date(YEAR, 2, 1),
            ends_on=datetime.date(YEAR, 8, 1),
            outcome="goals_reached",
            proposed_by=people.bob,
        )
        LifeMasteryGoal.objects.create(mentorship=mentorship, domain="housing", baseline=baseline)
        for day, rating in ((3, baseline + 1 if baseline < 5 else 5), (6, last)):
            LifeMasteryRating.objects.create(
                mentorship=mentorship,
                domain="housing",
                rated_on=datetime.date(YEAR, day, 1),
                rating=rating,
                recorded_by=people.bob,
            )
    started, changes = figures.mentoring_breakdowns(trondheim, YEAR)
    assert started.value("started", "q1") == 3 and started.value("ended", "q3") == 3
    # The last review against the baseline: one better, one the same, one worse.
    assert [changes.value(code, "year") for code in ("improved", "unchanged", "worse")] == [1, 1, 1]
