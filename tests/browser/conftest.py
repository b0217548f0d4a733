"""Headless Chromium for end-to-end journeys.

Playwright cannot download its own browser here, so it drives Debian's
`chromium` package. Without it the journeys are skipped with a message on a
laptop, and fail in CI, where `.ci/run` installs it.
"""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections

from tests.browser.accessibility import Audit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's hosts, which the
# closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = (
            "Chromium is not installed: `apt-get install -y chromium` to run the browser journeys."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium_path):
    """One Chromium for all journeys; each journey gets a fresh context (cookies, storage)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while it lives;
    # the live server's database calls are synchronous and safe here. Scoped
    # to this package, so the loop is gone before other tests touch the database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def viewport():
    """The window size a journey runs at; a test may override it."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def audit():
    return Audit()


@pytest.fixture
def page(browser, live_server, audit, viewport, request):
    """A signed-out tab on the live server; axe audits every page it loads."""
    audited = request.node.get_closest_marker("without_axe") is None
    context = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if audited:
        audit.watch(page)
    yield page
    # Database calls made while Playwright's loop runs get their own
    # connection; close it here or PostgreSQL cannot drop the test database.
    connections.close_all()
    context.close()
    if audited:
        assert audit.pages_checked, "axe checked no page"
        assert not audit.problems, audit.report()


@pytest.fixture
def screenshot(page, request):
    """Save a screenshot when BROWSER_SCREENSHOTS names a folder, for a person to look at."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")

    def take(name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            # JPEG: the committed set in docs/screenshots stays small.
            path = Path(folder) / f"{request.node.name}-{name}.jpg"
            page.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)

    return take


@pytest.fixture
def demo_data(transactional_db):
    """The shipped reference data and the invented demo users, as `make run` has them."""
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def sign_in(page):
    from partners.demo import DEMO_PASSWORD

    def sign_in_as(username: str) -> None:
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("#login-form button[type=submit]")
        # Home, or the inbox for those who handle cases (concerns.views.landing).
        page.wait_for_url(re.compile(r"://[^/]+/(concerns/inbox/)?$"))

    return sign_in_as


def file_concern(page) -> str:
    """File a concern as the signed-in user; returns its reference number."""
    page.goto("/concerns/new/")
    page.fill("input[name=subject_name]", "Oppdiktet Ungdom")
    page.fill("input[name=subject_birth_year]", "2010")
    page.fill(
        "textarea[name=observations]",
        "Har vist fram våpenbilder og snakket om å ta hevn på en gruppe.",
    )
    page.fill("input[name=observed_on]", "2026-11-19")
    page.check("input[name=phenomenon] >> nth=0")
    page.check("input[name=guardians_informed][value=unknown]")
    page.check("input[name=urgency][value=high]")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/receipt/$"))
    return page.get_by_test_id("reference").inner_text().strip()


def run_worker_once() -> None:
    """What the Celery worker and beat would do next: sweep, then deliver what is due.

    The browser suite runs no worker; its journeys call this where a person
    would wait a minute for the bell.
    """
    from concerns import reminders
    from concerns.models import Reminder

    reminders.sweep()
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        reminders.deliver(reminder_id)
