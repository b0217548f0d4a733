"""The accessibility statement: linked from every footer, open to anyone, signed in or not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accessibility/"


def _get(client):
    client.cookies["django_language"] = "en"
    return client.get(URL)


def test_it_is_reachable_signed_out_and_says_what_was_done(client):
    assert reverse("accessibility") == URL
    response = _get(client)
    assert response.status_code == 200
    page = response.content.decode()
    for said in ("WCAG", "2.1", "AA", "keyboard", "axe-core", "Known limitations"):
        assert said in page
    # Any visitor: no sign-in, so no personal data or case is anywhere near it.
    assert response.context["user"].is_anonymous


def test_without_the_setting_it_says_plainly_there_is_no_link_yet(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = ""
    page = _get(client).content.decode()
    assert "No link to the official accessibility statement has been set up" in page
    assert "uustatus.no" in page and "was.digst.dk" in page
    assert 'rel="noopener"' not in page


def test_with_the_setting_it_links_to_the_official_statement(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = "https://uustatus.no/nb/erklaringer/publisert/oppdiktet"
    page = _get(client).content.decode()
    assert 'href="https://uustatus.no/nb/erklaringer/publisert/oppdiktet"' in page
    assert "No link to the official accessibility statement" not in page


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "uustatus.no", "  ", "ftp://x.invalid"])
def test_a_setting_that_is_not_a_web_address_is_not_linked(client, settings, bad):
    settings.ACCESSIBILITY_STATEMENT_URL = bad
    page = _get(client).content.decode()
    assert "No link to the official accessibility statement has been set up" in page
    assert "javascript:" not in page


def test_every_page_links_to_it_in_its_footer(client, people):
    signed_out = client.get(reverse("login")).content.decode()
    assert f'href="{URL}"' in signed_out
    client.force_login(people.alice)
    for page in (reverse("home"), reverse("concerns:mine"), URL):
        body = client.get(page).content.decode()
        footer = body[body.index('data-testid="site-footer"') :]
        assert f'href="{URL}"' in footer, page


def test_it_opens_midway_through_signing_in_and_without_a_role(client, settings, trondheim):
    """Before the second factor, and for an account no role has been given yet."""
    settings.TWO_FACTOR_REQUIRED = True
    organisation = OrganisationFactory(municipalities=[trondheim])
    halfway = UserFactory(organisation=organisation, roles=[Role.Code.COORDINATOR])
    client.force_login(halfway)  # signed in with a password, no second factor yet
    assert client.get(reverse("home")).status_code == 302  # the rest of the site waits
    assert _get(client).status_code == 200
    roleless = UserFactory(organisation=organisation, roles=[])
    client.force_login(roleless)
    assert _get(client).status_code == 200


def test_it_reads_nothing_from_the_database_for_a_visitor(client):
    _get(client)
    with CaptureQueriesContext(connection) as queries:
        assert _get(client).status_code == 200
    assert len(queries) == 0
