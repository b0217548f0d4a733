"""Signing in with the municipality's own identity provider, as `make run-sso` sets it up.

The provider is the real loopback OpenID Connect provider (tests/oidc_provider/),
configured by the same `sso_demo` command as `make run-sso`. The coordinator
signs in there without a password here and lands in the inbox; when her group
at the provider becomes a school's frontline group, her next sign-in gives her
"My concerns" only, and the case she could open gives 404.
"""

import io
import json
import os
import re

import pytest
from django.core.management import call_command

from concerns.models import Concern
from partners.demo import DEMO_PASSWORD
from partners.models import User
from tests.browser.conftest import file_concern
from tests.oidc_provider import OidcProvider, OidcProviderUnavailable, free_port

pytestmark = pytest.mark.browser

SECRET_ENV = "OIDC_CLIENT_SECRET_TRONDHEIM_DEMO"
PROVIDER_BUTTON = "Logg inn med Trondheim kommune (demo)"


@pytest.fixture
def demo_provider(demo_data, live_server, tmp_path):
    """`manage.py sso_demo` for this live server, and the provider it configures, started."""
    port = free_port()
    call_command(
        "sso_demo",
        site=live_server.url,
        issuer=f"http://127.0.0.1:{port}",
        out=str(tmp_path),
        stdout=io.StringIO(),
    )
    config = json.loads((tmp_path / "provider.json").read_text())
    try:
        provider = OidcProvider().start(config)
    except OidcProviderUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    os.environ[SECRET_ENV] = (tmp_path / "client-secret").read_text().strip()
    yield provider
    del os.environ[SECRET_ENV]
    provider.stop()


def _sign_in_at_the_provider(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_role("link", name=PROVIDER_BUTTON).click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_coordinator_signs_in_at_the_provider_and_her_role_follows_its_groups(
    page, demo_provider, sign_in, screenshot, live_server
):
    sign_in("trd-frontline")
    reference = file_concern(page)
    concern = Concern.objects.get(reference=reference)
    page.context.clear_cookies()

    # The sign-in page offers the provider above the local form.
    page.goto("/accounts/login/")
    assert page.get_by_test_id("sso-providers").is_visible()
    screenshot("1-sign-in-page")

    # At the provider, then back here: no password asked for here, straight to work.
    _sign_in_at_the_provider(page, "trd-coordinator")
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/"))
    page.get_by_role("link", name="Innboks").click()
    page.get_by_role("link", name=reference).click()
    case_url = page.url
    assert str(concern.public_id) in case_url
    screenshot("2-case-after-sso")
    coordinator = User.objects.get(username="trd-coordinator")
    assert coordinator.external_identities.get().last_sign_in_at is not None

    # The municipality moves her to a school's frontline group; she signs out (at the
    # provider too) and in again.
    demo_provider.set_user("trd-coordinator", groups=["bekymring-trondheim-frontline"])
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    _sign_in_at_the_provider(page, "trd-coordinator")
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/"))
    assert page.get_by_role("link", name="Mine bekymringer").count() >= 1
    assert page.get_by_role("link", name="Innboks").count() == 0
    response = page.goto(case_url)
    assert response.status == 404
    assert page.goto("/concerns/inbox/").status == 404
    screenshot("3-after-the-group-changed")
    coordinator.refresh_from_db()
    assert [role.code for role in coordinator.roles.all()] == ["frontline"]
    change = coordinator.history.latest()
    assert "Trondheim kommune (demo)" in (change.history_change_reason or "")


def test_someone_without_a_mapped_group_is_told_whom_to_ask(page, demo_provider, screenshot):
    _sign_in_at_the_provider(page, "trd-ny-ansatt")
    page.wait_for_url(re.compile(r"/accounts/sso/waiting/"))
    screenshot("waiting")
    # Trondheim's registry admin, by name, and nothing else to reach.
    assert "Arne Registeradmin (demo)" in page.get_by_test_id("registry-admins").inner_text()
    page.goto("/concerns/inbox/")
    assert page.url.endswith("/accounts/sso/waiting/")
    account = User.objects.get(external_identities__subject="demo-trd-ny-ansatt")
    assert not account.roles.exists() and account.organisation_id is None


def test_an_address_in_the_municipalitys_domain_goes_to_its_provider(
    page, demo_provider, live_server, screenshot
):
    page.goto("/accounts/login/")
    page.get_by_label("Brukernavn").fill("trd-frontline@trondheim-demo.invalid")
    page.get_by_label("Passord").fill("ikke-brukt-her")
    page.locator("#login-form button[type=submit]").click()
    # On to the provider's own page, with the address already filled in.
    page.wait_for_url(re.compile(rf"^{re.escape(demo_provider.url)}/"))
    assert page.get_by_label("Username").input_value() == "trd-frontline@trondheim-demo.invalid"
    screenshot("at-the-provider")
    page.get_by_label("Username").fill("trd-frontline")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/"))
    assert page.get_by_role("link", name="Mine bekymringer").count() >= 1
