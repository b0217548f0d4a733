"""Registry admins keep the registries and never see case content."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from tablib import Dataset

from concerns.models import Concern
from partners.models import Contact, Organisation, Role
from partners.resources import ContactResource, OrganisationResource
from tests.factories import ConcernFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_admin(people):
    return UserFactory(
        organisation=people.alice.organisation, roles=[Role.Code.REGISTRY_ADMIN], is_staff=True
    )


@pytest.fixture
def case(people):
    return ConcernFactory(
        reporter=people.alice,
        municipality=people.alice.organisation.municipalities.get(),
        status=Concern.Status.SUBMITTED,
        reference="BEK-2026-000001",
    )


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:concerns_concern_changelist",
        "admin:concerns_accesslog_changelist",
    ],
)
def test_registry_admin_cannot_open_case_content_in_the_admin(
    client, registry_admin, case, url_name
):
    client.force_login(registry_admin)
    assert client.get(reverse(url_name)).status_code in (403, 404)


def test_registry_admin_cannot_open_a_concern_in_the_admin_by_id(client, registry_admin, case):
    client.force_login(registry_admin)
    response = client.get(reverse("admin:concerns_concern_change", args=[case.pk]))
    assert response.status_code in (302, 403, 404)
    assert case.observations not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["concerns:detail", "concerns:history", "concerns:access_log", "concerns:receipt"]
)
def test_registry_admin_gets_404_on_every_concern_url(client, registry_admin, case, url_name):
    client.force_login(registry_admin)
    assert client.get(reverse(url_name, args=[case.public_id])).status_code == 404


def test_registry_admin_sees_no_concern_in_the_inbox(client, registry_admin, case):
    client.force_login(registry_admin)
    assert case.reference not in client.get(reverse("concerns:inbox")).content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:partners_organisation_changelist",
        "admin:partners_contact_changelist",
        "admin:partners_kontaktforummembership_changelist",
        "admin:measures_measure_changelist",
        "admin:measures_actioncard_changelist",
        "admin:concerns_routingrule_changelist",
        "admin:partners_organisation_export",
    ],
)
def test_registry_admin_manages_registries_measures_cards_and_routing_rules(
    client, registry_admin, url_name
):
    client.force_login(registry_admin)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_admin_shows_registry_history(client, registry_admin):
    call_command("loaddata", "01_municipalities", verbosity=0)
    organisation = Organisation.objects.create(slug="ny", name="Ny etat", kind="municipal")
    # The registry admin's own municipality: another's would be a 404 (tests/security).
    organisation.municipalities.set(registry_admin.organisation.municipalities.all())
    client.force_login(registry_admin)
    assert (
        client.get(
            reverse("admin:partners_organisation_history", args=[organisation.pk])
        ).status_code
        == 200
    )


def test_other_roles_cannot_use_the_admin(client, people):
    client.force_login(people.alice)
    assert (
        client.get(reverse("admin:partners_organisation_changelist")).status_code == 302
    )  # to the admin login


def _dataset(headers, *rows):
    data = Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def test_organisations_import_from_csv_create_and_update(trondheim):
    resource = OrganisationResource()
    headers = [
        "slug",
        "name",
        "kind",
        "municipalities",
        "parent",
        "description",
        "website",
        "is_active",
    ]
    result = resource.import_data(
        _dataset(headers, ["ny-etat", "Ny etat", "municipal", "trondheim", "", "", "", "1"]),
        dry_run=False,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Organisation.objects.get(slug="ny-etat").municipalities.get() == trondheim

    resource.import_data(
        _dataset(headers, ["ny-etat", "Nytt navn", "municipal", "trondheim", "", "", "", "1"])
    )
    assert Organisation.objects.get(slug="ny-etat").name == "Nytt navn"
    assert Organisation.objects.filter(slug="ny-etat").count() == 1
    history = Organisation.objects.get(slug="ny-etat").history
    assert [history.earliest().name, history.latest().name] == ["Ny etat", "Nytt navn"]


def test_a_bad_csv_row_is_reported_and_nothing_is_saved(trondheim):
    OrganisationResource().import_data(
        _dataset(
            [
                "slug",
                "name",
                "kind",
                "municipalities",
                "parent",
                "description",
                "website",
                "is_active",
            ],
            ["etat", "Etat", "municipal", "trondheim", "", "", "", "1"],
        )
    )
    result = ContactResource().import_data(
        _dataset(
            ["organisation", "role", "name", "phone", "email", "is_active"],
            ["etat", "coordinator", "Gyldig kontakt", "952 63 621", "", "1"],
            ["etat", "coordinator", "Ugyldig telefon", "12345", "", "1"],
        ),
        dry_run=False,
        use_transactions=True,
        # As the admin's import does: one bad row and the whole file is refused.
        rollback_on_validation_errors=True,
    )
    assert result.has_validation_errors()
    assert not Contact.objects.exists()


def test_contacts_export_to_csv(people):
    Contact.objects.create(
        organisation=people.alice.organisation,
        role="coordinator",
        name="Oppdiktet",
        phone="952 63 621",
    )
    exported = ContactResource().export().csv
    assert "Oppdiktet" in exported and "952 63 621" in exported
