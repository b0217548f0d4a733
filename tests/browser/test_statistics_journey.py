"""The SLT coordinator prepares the police council: the year's figures, charts, a CSV, the print."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from concerns.models import CaseEvaluation, Concern
from measures.models import Phenomenon
from partners.models import District, Municipality, User
from tests.factories import ConcernFactory

pytestmark = pytest.mark.browser


def _a_year_in_trondheim() -> None:
    """Invented cases this year: 8 right-wing in Q1 (6 closed and evaluated), 6 religious in Q2."""
    trondheim = Municipality.objects.get(code="trondheim")
    reporter = User.objects.get(username="trd-frontline")
    heimdal = District.objects.get(municipality=trondheim, name="Heimdal")
    zone = timezone.get_current_timezone()
    year = timezone.localdate().year
    for n, (code, month) in enumerate([("right_wing", 2)] * 8 + [("religious", 5)] * 6):
        submitted = datetime.datetime(year, month, 3 + n, 10, tzinfo=zone)
        concern = ConcernFactory(
            reporter=reporter,
            municipality=trondheim,
            subject__district=heimdal,
            subject__name=f"Oppdiktet Person {n}",
            phenomenon=Phenomenon.objects.get(code=code),
            status=Concern.Status.SUBMITTED,
            submitted_at=submitted,
            first_assigned_at=submitted + datetime.timedelta(hours=n + 2),
            age_group="13_15" if n % 2 else "16_17",
        )
        if n < 6:
            concern.status, concern.outcome = Concern.Status.CLOSED, "advice_given"
            concern.closed_at = submitted + datetime.timedelta(days=20)
            concern.save()
            CaseEvaluation.objects.create(
                concern=concern,
                help_timely="yes",
                situation_change="improved",
                evaluated_by=User.objects.get(username="trd-coordinator"),
                evaluated_at=concern.closed_at,
            )


def test_coordinator_reads_the_years_figures_downloads_a_table_and_prints(
    page, demo_data, sign_in, screenshot
):
    _a_year_in_trondheim()
    sign_in("trd-frontline")
    assert page.get_by_role("link", name="Statistikk").count() == 0
    assert page.goto("/statistics/").status == 404

    sign_in("trd-coordinator")
    page.get_by_role("link", name="Statistikk").click()
    page.get_by_role("heading", name="Statistikk").wait_for()
    summary = page.locator("main").inner_text()
    assert "14 bekymringsmeldinger sendt inn" in " ".join(summary.split())

    phenomena = page.locator("#table-phenomenon")
    rows = {
        row.locator("th").inner_text(): row.locator("td").inner_text()
        for row in phenomena.locator("tbody tr").all()
    }
    assert rows["Høyreekstremisme"] == "8"
    assert rows["Religiøst motivert ekstremisme"] == "6"
    assert phenomena.locator("tfoot").inner_text().split() == ["Totalt", "14"]
    # Every chart is drawn on the server: bars for the distributions, a line for the trend.
    assert page.locator("svg.chart-bars").count() >= 8
    assert page.locator("svg.chart-bars rect.chart-bar").first.is_visible()
    assert page.locator("svg.chart-line circle.chart-point").count() >= 2
    screenshot("1-statistics")

    with page.expect_download() as download_info:
        phenomena.locator("xpath=..").get_by_role("link", name="Last ned").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8-sig") as handle:
        lines = list(csv.reader(io.StringIO(handle.read()), delimiter=";"))
    assert lines[1] == ["Fenomen", "Antall"]
    assert ["Høyreekstremisme", "8"] in lines and lines[-1] == ["Totalt", "14"]

    # The first half-year alone: the same figures, chosen in the form.
    page.get_by_label("Periode").select_option(label="Første halvår")
    page.get_by_role("button", name="Vis").click()
    page.get_by_role("heading", name="Første halvår").wait_for()
    assert "14" in page.locator("#table-phenomenon tfoot").inner_text()

    page.get_by_role("link", name="Utskriftsvennlig rapport til rådet").click()
    page.get_by_role("heading", name="Bekymringsmeldinger i Trondheim kommune").wait_for()
    assert page.locator(".navbar").count() == 0
    assert page.locator("svg.chart").count() >= 8
    screenshot("2-print")
