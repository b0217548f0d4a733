"""Registry admins reach only their own municipality, in every admin page and choice list.

Run over every model registered with partners.admin_tenancy, so a registry
model added later is covered without a new test.
"""

import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import reverse

from partners.admin_tenancy import _LOOKUPS, municipality_ids_of
from partners.identity.models import SecurityEvent
from partners.models import Municipality, Organisation, User

pytestmark = pytest.mark.django_db

ADMINS = {"trd-admin": "trondheim", "aal-admin": "aalborg"}


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {name: User.objects.get(username=name) for name in ADMINS}


def _foreign_objects(model, own_code: str):
    """Objects of `model` that belong to no municipality of the admin's own."""
    own = Municipality.objects.get(code=own_code).pk
    for obj in model._default_manager.all()[:200]:
        belongs_to = municipality_ids_of(obj, _LOOKUPS[model])
        if belongs_to and own not in belongs_to:
            yield obj


def _tenant_models():
    return [model for model in _LOOKUPS if model in admin.site._registry]


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda model: model._meta.label)
def test_another_municipalitys_object_gives_404_on_every_admin_page(client, demo, model):
    tested = 0
    for username, own_code in ADMINS.items():
        foreign = next(_foreign_objects(model, own_code), None)
        if foreign is None:
            continue
        client.force_login(demo[username])
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("change", "history", "delete"):
            url = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[foreign.pk])
            assert client.get(url).status_code == 404, (username, url)
        assert (
            client.post(
                reverse(f"admin:{info[0]}_{info[1]}_delete", args=[foreign.pk]), {"post": "yes"}
            ).status_code
            == 404
        )
        assert model._default_manager.filter(pk=foreign.pk).exists()
        changelist = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        change_url = reverse(f"admin:{info[0]}_{info[1]}_change", args=[foreign.pk])
        assert change_url not in changelist.content.decode()
        assert SecurityEvent.objects.filter(
            user=demo[username], kind=SecurityEvent.Kind.ACCESS_DENIED
        ).exists()
        tested += 1
    # The demo data holds such an object for at least one of the two admins.
    if model not in (Municipality,):
        assert tested, f"no foreign {model._meta.label} in the demo data to test with"


def _choice_fields(model_admin, request):
    form = model_admin.get_form(request)()
    for name, field in form.fields.items():
        if isinstance(field, ModelChoiceField) and field.queryset.model in _LOOKUPS:
            yield name, field


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda model: model._meta.label)
def test_every_choice_list_holds_only_the_admins_own_municipality(demo, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = demo["trd-admin"]
    trondheim = Municipality.objects.get(code="trondheim").pk
    for name, field in _choice_fields(model_admin, request):
        related = field.queryset.model
        for obj in field.queryset:  # exactly what the form offers
            assert trondheim in municipality_ids_of(obj, _LOOKUPS[related]), (
                f"{model._meta.label}.{name} offers {obj}"
            )


def test_the_contact_form_does_not_offer_aalborgs_organisations(client, demo):
    client.force_login(demo["trd-admin"])
    page = client.get(reverse("admin:partners_contact_add")).content.decode()
    organisations = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert "Uteseksjonen" in organisations
    assert "INFO-huset" not in organisations
    assert "Nordjyllands Politi" not in organisations


def test_a_regional_organisation_is_shown_but_changed_only_by_a_platform_admin(client, demo):
    police = Organisation.objects.get(slug="trondelag-politidistrikt")
    url = reverse("admin:partners_organisation_change", args=[police.pk])
    client.force_login(demo["trd-admin"])
    assert client.get(url).status_code == 200  # shown, read-only
    response = client.post(
        url,
        {
            "slug": police.slug,
            "name": "Omdøpt",
            "kind": police.kind,
            "municipalities": list(police.municipalities.values_list("pk", flat=True)),
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    police.refresh_from_db()
    assert police.name != "Omdøpt"

    client.force_login(User.objects.get(username="platform-admin"))
    response = client.post(
        url,
        {
            "slug": police.slug,
            "name": "Trøndelag politidistrikt",
            "kind": police.kind,
            "municipalities": list(police.municipalities.values_list("pk", flat=True)),
            "description": "Endret av plattformadmin",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.description == "Endret av plattformadmin"


def test_adding_aalborg_to_a_trondheim_organisation_is_refused(client, demo):
    slt = Organisation.objects.get(slug="slt")
    aalborg = Municipality.objects.get(code="aalborg")
    trondheim = Municipality.objects.get(code="trondheim")
    client.force_login(demo["trd-admin"])
    response = client.post(
        reverse("admin:partners_organisation_change", args=[slt.pk]),
        {
            "slug": "slt",
            "name": slt.name,
            "kind": slt.kind,
            "municipalities": [trondheim.pk, aalborg.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert set(slt.municipalities.values_list("code", flat=True)) == {"trondheim"}
