"""CSV export cannot carry a formula; CSV import is capped, scoped and reports rows by line."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from tablib import Dataset

from partners.models import Contact, Organisation, User
from partners.resources import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ContactResource,
    OrganisationResource,
    spreadsheet_safe,
)

pytestmark = pytest.mark.django_db

ORGANISATION_HEADERS = [
    "slug",
    "name",
    "kind",
    "municipalities",
    "parent",
    "description",
    "website",
    "is_active",
]


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _dataset(headers, *rows) -> Dataset:
    data = Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x.invalid","klikk")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_a_cell_that_a_spreadsheet_would_run_is_exported_as_text(people, value):
    Contact.objects.create(
        organisation=people.alice.organisation, role="coordinator", name=value, phone=""
    )
    exported = ContactResource().export()
    names = exported["name"]
    assert names == ["'" + value]
    assert spreadsheet_safe("Vanlig navn") == "Vanlig navn"


def test_the_admin_export_escapes_formulas_too(client, demo):
    Contact.objects.create(
        organisation=Organisation.objects.get(slug="slt"),
        role="coordinator",
        name='=HYPERLINK("http://x.invalid")',
    )
    client.force_login(demo["trd-admin"])
    response = client.post(
        reverse("admin:partners_contact_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"contactresource_{f}": "on"
                for f in ("organisation", "role", "name", "phone", "email", "is_active")
            },
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_the_admin_export_holds_only_the_admins_own_municipality(client, demo):
    client.force_login(demo["trd-admin"])
    response = client.post(
        reverse("admin:partners_contact_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"contactresource_{f}": "on"
                for f in ("organisation", "role", "name", "phone", "email", "is_active")
            },
        },
    )
    body = response.content.decode()
    assert "SLT-koordinator" in body
    assert "INFO-huset" not in body


def test_an_import_with_too_many_rows_is_refused_whole(trondheim):
    rows = [
        [f"etat-{n}", f"Etat {n}", "municipal", "trondheim", "", "", "", "1"]
        for n in range(MAX_IMPORT_ROWS + 1)
    ]
    result = OrganisationResource().import_data(
        _dataset(ORGANISATION_HEADERS, *rows), dry_run=False, use_transactions=True
    )
    assert result.has_errors()
    assert not Organisation.objects.filter(slug__startswith="etat-").exists()


def test_an_oversize_file_is_refused_by_the_admin_import_form(client, demo):
    client.force_login(demo["trd-admin"])
    big = SimpleUploadedFile(
        "stor.csv", b"slug,name\n" + b"x" * (MAX_IMPORT_BYTES + 1), content_type="text/csv"
    )
    response = client.post(
        reverse("admin:partners_organisation_import"),
        {"import_file": big, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    assert "MB" in response.content.decode()  # the form says the file is too large
    assert not Organisation.objects.filter(slug="x").exists()


def test_bad_rows_are_reported_by_line(trondheim):
    result = OrganisationResource().import_data(
        _dataset(
            ORGANISATION_HEADERS,
            ["god-etat", "God etat", "municipal", "trondheim", "", "", "", "1"],
            ["feil-etat", "Feil etat", "ikke-en-type", "trondheim", "", "", "", "1"],
        ),
        dry_run=True,
    )
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]


def test_a_registry_admin_cannot_import_into_another_municipality(demo):
    admin_user = demo["trd-admin"]
    before = Organisation.objects.get(slug="info-huset").name
    result = OrganisationResource(user=admin_user).import_data(
        _dataset(
            ORGANISATION_HEADERS,
            ["ny-dansk", "Ny dansk etat", "municipal", "aalborg", "", "", "", "1"],
            ["info-huset", "Overtatt", "municipal", "trondheim", "", "", "", "1"],
        ),
        dry_run=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    assert result.has_errors() or result.has_validation_errors()
    assert not Organisation.objects.filter(slug="ny-dansk").exists()
    assert Organisation.objects.get(slug="info-huset").name == before
    info_huset = Organisation.objects.get(slug="info-huset")
    assert set(info_huset.municipalities.values_list("code", flat=True)) == {"aalborg"}
    contacts = ContactResource(user=admin_user).import_data(
        _dataset(
            ["organisation", "role", "name", "phone", "email", "is_active"],
            ["info-huset", "coordinator", "Snik", "", "", "1"],
        ),
        dry_run=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    assert contacts.has_errors() or contacts.has_validation_errors()
    assert not Contact.objects.filter(name="Snik").exists()
