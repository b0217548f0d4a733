"""The coordinator proposes a mentor; the mentor starts, sets the plan, records two sessions with
ratings, and sees the chart change."""

import datetime
import re

import pytest
from django.utils import timezone

from concerns.models import Concern
from mentoring.models import CorpsMember, LifeMasteryRating, Mentorship
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser


def test_coordinator_proposes_a_mentor_who_records_sessions_and_sees_progress(
    page, demo_data, sign_in, screenshot
):
    # seed_demo gives Mona a place in Trondheim's mentor corps (Norwegian and Arabic).
    assert CorpsMember.objects.get(user__username="trd-mentor").languages == ["nb", "ar"]
    sign_in("trd-frontline")
    concern = Concern.objects.get(reference=file_concern(page))

    sign_in("trd-coordinator")
    page.goto(f"/concerns/{concern.public_id}/")
    page.get_by_role("link", name="Foreslå en mentor").click()
    page.get_by_label("Mentees språk").select_option(label="Arabisk")
    page.get_by_role("button", name="Sorter etter språk").click()
    page.get_by_text("Snakker språket").wait_for()
    page.get_by_label(re.compile("Mona Mentor")).check()
    screenshot("1-propose")
    page.get_by_role("button", name="Foreslå denne mentoren").click()
    page.get_by_test_id("mentorship-status").get_by_text("Foreslått").wait_for()

    # The mentor starts it, with the consent of the mentee and (under 18) the guardians.
    sign_in("trd-mentor")
    page.get_by_role("link", name="Mentorordning").click()
    page.get_by_role("link", name="Oppdiktet Ungdom").click()
    assert "våpenbilder" not in page.content()  # the concern is not the mentor's to read
    page.locator("input[name=starts_on]").fill(_days_ago(14))
    page.get_by_label("Mentee har samtykket").check()
    page.locator("input[name=guardian_consent][value=yes]").check()
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_test_id("mentorship-status").get_by_text("Aktiv").wait_for()

    # With nothing rated yet, the plan form stands open.
    page.locator("select[name=housing_baseline]").select_option("2")
    page.locator("input[name=housing_goal]").fill("Egen hybel før sommeren")
    page.locator("select[name=work_or_school_baseline]").select_option("3")
    page.get_by_role("button", name="Lagre planen").click()
    page.get_by_text("Lagret.").wait_for()
    before = page.locator("svg.chart-progress circle").count()

    for days_ago, rating, note in ((7, "3", "Vi så på hybler sammen."), (0, "4", "Søknad sendt.")):
        page.locator("input[name=date]").fill(_days_ago(days_ago))
        page.locator("input[name=duration_minutes]").fill("60")
        page.locator("input[name=domains][value=housing]").check()
        page.locator("textarea[name=note]").fill(note)
        page.get_by_role("button", name="Lagre samtalen").click()
        page.get_by_text(note).wait_for()
        page.locator("input[name=rated_on]").fill(_days_ago(days_ago))
        page.locator("select[name=housing]").select_option(rating)
        page.get_by_role("button", name="Lagre vurderingene").click()
        page.get_by_text("Lagret.").wait_for()

    # The chart and its table follow the reviews: housing went 2 → 3 → 4.
    mentorship = Mentorship.objects.get(concern=concern)
    assert mentorship.sessions.count() == 2
    assert list(
        LifeMasteryRating.objects.filter(mentorship=mentorship).values_list("rating", flat=True)
    ) == [3, 4]
    assert page.locator("svg.chart-progress circle").count() == before + 2
    assert "2 → 3 → 4" in page.locator("#table-progress").inner_text()
    screenshot("2-progress")


def _days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()
