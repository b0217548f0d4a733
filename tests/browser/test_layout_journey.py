"""The inbox and the case page fit a laptop and a phone: nothing cut off, no sideways scrolling."""

import pytest

from concerns.models import Concern
from tests.browser.conftest import file_concern

pytestmark = pytest.mark.browser

SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 360, "height": 740}],
    ids=["laptop", "phone"],
)
def test_the_inbox_and_the_case_page_fit_the_screen(page, demo_data, sign_in, screenshot, viewport):
    sign_in("trd-frontline")
    concern = Concern.objects.get(reference=file_concern(page))

    sign_in("trd-coordinator")
    page.goto("/concerns/inbox/")
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    table = page.locator("table").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= viewport["width"]
    follow_up = page.locator("tbody td").last.bounding_box()  # the rightmost cell of the row
    assert follow_up["x"] + follow_up["width"] <= viewport["width"]
    screenshot("1-inbox")

    page.goto(f"/concerns/{concern.public_id}/")
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    screenshot("2-case")
