import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Contact, Organisation, Role
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    call_command("load_reference_data", verbosity=0)


def test_who_do_i_contact_shows_own_contact_coordinator_police_districts_and_112(client, registry):
    nav = Organisation.objects.get(slug="nav")
    ContactFactory(
        organisation=nav,
        role=Contact.Role.RESOURCE_PERSON,
        name="Oppdiktet NAV-kontakt",
        phone="400 00 000",
    )
    client.force_login(UserFactory(organisation=nav, roles=[Role.Code.FRONTLINE]))

    page = client.get(reverse("partners:directory")).content.decode()

    assert "Oppdiktet NAV-kontakt" in page
    assert "SLT-koordinator" in page and "952 63 621" in page
    assert "Radikaliseringskontakt" in page and "73 89 90 90" in page
    for district in ["Midtbyen", "Østbyen", "Lerkendal", "Heimdal"]:
        assert f"Politikontakt {district}" in page
    assert "112" in page


def test_an_organisation_without_a_resource_person_is_pointed_to_the_coordinator(client, registry):
    client.force_login(UserFactory(organisation=Organisation.objects.get(slug="uteseksjonen")))
    response = client.get(reverse("partners:directory"))
    assert response.context["cards"][0]["own_resource_persons"] == []
    assert "SLT-koordinator" in response.content.decode()


def test_aalborg_staff_see_info_huset_not_trondheim(client, registry):
    client.force_login(UserFactory(organisation=Organisation.objects.get(slug="ungecenter-skuret")))
    page = client.get(reverse("partners:directory")).content.decode()
    assert "INFO-huset" in page
    assert "SLT-koordinator" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Konflikt", "Konfliktrådet"),
        ("rvts", "RVTS Midt"),
        ("Radikaliseringskontakt", "Trøndelag politidistrikt"),
    ],
)
def test_the_directory_search_finds_organisations_and_contacts(
    client, people, registry, query, expected
):
    client.force_login(people.alice)
    response = client.get(reverse("partners:directory"), {"q": query})
    assert expected in [organisation.name for organisation in response.context["results"]]


def test_directory_search_query_count_does_not_grow_with_results(client, people, registry):
    client.force_login(people.alice)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("partners:directory"), {"q": "NAV"})
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("partners:directory"), {"q": "e"})
    assert len(many) == len(few)
