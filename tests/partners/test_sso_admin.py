"""Who keeps identity providers and their group mappings in the admin.

A provider spans municipalities and decides who may sign in: platform admins
only. A registry admin keeps the mappings of their own municipality's
organisations, except those to a role that decides who sees cases (or who
keeps the registry): those are a platform admin's, enforced on the server.
The demo data (seed_demo) has a switched-off provider per municipality.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from partners.identity.models import (
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    ProviderSession,
    SecurityEvent,
)
from partners.models import Organisation, Role, User

pytestmark = pytest.mark.django_db

PLATFORM_ONLY = ["coordinator", "resource_person", "police_contact", "registry_admin"]


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _provider(slug: str = "trondheim-demo") -> IdentityProvider:
    return IdentityProvider.objects.get(slug=slug)


def _role(code: str) -> Role:
    return Role.objects.get(code=code)


def _organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _add(client, *, provider, group, role, organisation):
    return client.post(
        reverse("admin:partners_groupmapping_add"),
        {
            "provider": provider.pk,
            "group": group,
            "role": role.pk,
            "organisation": organisation.pk,
        },
    )


def _select(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)


# --- group mappings: a registry admin's own ---------------------------------------------------


def test_a_registry_admin_maps_a_group_to_frontline_in_their_own_organisation(client, demo):
    client.force_login(demo["trd-admin"])
    response = _add(
        client,
        provider=_provider(),
        group="bekymring-uteseksjonen",
        role=_role("frontline"),
        organisation=_organisation("uteseksjonen"),
    )

    assert response.status_code == 302
    mapping = GroupMapping.objects.get(group="bekymring-uteseksjonen")
    assert mapping.history.get().history_user == demo["trd-admin"]


def test_the_role_list_offers_a_registry_admin_no_role_that_decides_who_sees_cases(client, demo):
    client.force_login(demo["trd-admin"])
    page = client.get(reverse("admin:partners_groupmapping_add")).content.decode()

    roles = _select(page, "role")
    for code in [*PLATFORM_ONLY, "platform_admin"]:
        assert f'value="{_role(code).pk}"' not in roles, code
    assert f'value="{_role("frontline").pk}"' in roles
    providers = _select(page, "provider")
    assert "Trondheim kommune (demo)" in providers
    assert "Aalborg Kommune (demo)" not in providers
    organisations = _select(page, "organisation")
    assert "Uteseksjonen" in organisations and "INFO-huset" not in organisations


@pytest.mark.parametrize("code", PLATFORM_ONLY)
def test_a_registry_admin_cannot_create_a_mapping_to_a_case_handler_role(client, demo, code):
    client.force_login(demo["trd-admin"])
    response = _add(
        client,
        provider=_provider(),
        group="snarvei-til-saker",
        role=_role(code),
        organisation=_organisation("slt"),
    )

    assert response.status_code == 200  # the form again, with an error
    assert not GroupMapping.objects.filter(group="snarvei-til-saker").exists()


def test_a_registry_admin_cannot_map_to_another_municipalitys_organisation(client, demo):
    client.force_login(demo["trd-admin"])
    for provider in (_provider(), _provider("aalborg-demo")):
        response = _add(
            client,
            provider=provider,
            group="over-grensen",
            role=_role("frontline"),
            organisation=_organisation("ungecenter-skuret"),
        )
        assert response.status_code == 200
    assert not GroupMapping.objects.filter(group="over-grensen").exists()


def test_a_registry_admin_cannot_map_to_a_regional_organisation(client, demo):
    police = _organisation("trondelag-politidistrikt")
    assert police.municipalities.count() > 1
    _provider().organisations.add(police)
    client.force_login(demo["trd-admin"])

    response = _add(
        client,
        provider=_provider(),
        group="politiet",
        role=_role("frontline"),
        organisation=police,
    )

    assert response.status_code == 200
    assert "Only a platform admin can save this" in response.content.decode()
    assert not GroupMapping.objects.filter(group="politiet").exists()


def test_a_coordinator_mapping_is_shown_to_the_registry_admin_but_not_theirs_to_change(
    client, demo
):
    mapping = GroupMapping.objects.get(group="bekymring-trondheim-coordinator")
    client.force_login(demo["trd-admin"])
    change = reverse("admin:partners_groupmapping_change", args=[mapping.pk])
    delete = reverse("admin:partners_groupmapping_delete", args=[mapping.pk])

    assert client.get(change).status_code == 200  # read-only
    response = client.post(
        change,
        {
            "provider": mapping.provider_id,
            "group": "alle-ansatte",
            "role": mapping.role_id,
            "organisation": mapping.organisation_id,
        },
    )
    assert response.status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:partners_groupmapping_changelist"),
        {"action": "delete_selected", "_selected_action": [mapping.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 403)
    mapping.refresh_from_db()
    assert mapping.group == "bekymring-trondheim-coordinator"


def test_a_registry_admin_cannot_turn_a_frontline_mapping_into_a_coordinator_one(client, demo):
    mapping = GroupMapping.objects.get(group="bekymring-trondheim-frontline")
    client.force_login(demo["trd-admin"])

    response = client.post(
        reverse("admin:partners_groupmapping_change", args=[mapping.pk]),
        {
            "provider": mapping.provider_id,
            "group": mapping.group,
            "role": _role("coordinator").pk,
            "organisation": _organisation("slt").pk,
        },
    )

    assert response.status_code == 200
    mapping.refresh_from_db()
    assert mapping.role.code == "frontline"


def test_another_municipalitys_mapping_gives_404_and_is_logged(client, demo):
    mapping = GroupMapping.objects.get(group="bekymring-aalborg-frontline")
    client.force_login(demo["trd-admin"])

    for page in ("change", "history", "delete"):
        url = reverse(f"admin:partners_groupmapping_{page}", args=[mapping.pk])
        assert client.get(url).status_code == 404, page
    changelist = client.get(reverse("admin:partners_groupmapping_changelist")).content.decode()
    assert "bekymring-aalborg-frontline" not in changelist
    assert "bekymring-trondheim-frontline" in changelist
    assert SecurityEvent.objects.filter(
        user=demo["trd-admin"], kind=SecurityEvent.Kind.ACCESS_DENIED
    ).exists()


def test_a_platform_admin_maps_a_group_to_a_case_handler_role(client, demo):
    client.force_login(demo["platform-admin"])
    page = client.get(reverse("admin:partners_groupmapping_add")).content.decode()
    assert f'value="{_role("coordinator").pk}"' in _select(page, "role")
    assert f'value="{_role("platform_admin").pk}"' not in _select(page, "role")

    response = _add(
        client,
        provider=_provider(),
        group="bekymring-ressurs",
        role=_role("resource_person"),
        organisation=_organisation("slt"),
    )

    assert response.status_code == 302
    assert GroupMapping.objects.filter(group="bekymring-ressurs").exists()


def test_nobody_maps_a_group_to_an_organisation_the_provider_does_not_serve(client, demo):
    client.force_login(demo["platform-admin"])
    response = _add(
        client,
        provider=_provider(),
        group="feil-etat",
        role=_role("frontline"),
        organisation=_organisation("nav"),
    )
    assert response.status_code == 200
    assert "Pick an organisation this provider serves." in response.content.decode()


# --- providers: platform admins only --------------------------------------------------------


def test_a_registry_admin_cannot_open_the_provider_admin(client, demo):
    client.force_login(demo["trd-admin"])
    provider = _provider()
    for url in (
        reverse("admin:partners_identityprovider_changelist"),
        reverse("admin:partners_identityprovider_add"),
        reverse("admin:partners_identityprovider_change", args=[provider.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        reverse("admin:partners_identityprovider_changelist")
        not in client.get(reverse("admin:index")).content.decode()
    )


def test_a_platform_admin_keeps_providers_and_sees_where_the_secret_is_read_not_the_secret(
    client, demo, monkeypatch
):
    monkeypatch.setenv("OIDC_CLIENT_SECRET_TRONDHEIM_DEMO", "super-hemmelig-verdi-123")
    client.force_login(demo["platform-admin"])
    provider = _provider()

    page = client.get(
        reverse("admin:partners_identityprovider_change", args=[provider.pk])
    ).content.decode()

    assert "OIDC_CLIENT_SECRET_TRONDHEIM_DEMO" in page
    assert "super-hemmelig-verdi-123" not in page
    response = client.post(
        reverse("admin:partners_identityprovider_add"),
        {
            "name": "Oppdiktet kommune",
            "slug": "oppdiktet",
            "is_active": "on",
            "organisations": [_organisation("slt").pk],
            "issuer": "http://idp.oppdiktet.example",
            "client_id": "bekymring",
            "scopes": IdentityProvider.DEFAULT_SCOPES,
            "groups_claim": "groups",
            "mfa_amr_values": "mfa",
            "mfa_acr_values": "",
            "email_domains": "",
            "deactivate_after_days": 60,
        },
    )
    assert response.status_code == 200  # plain http to another host is refused
    assert not IdentityProvider.objects.filter(slug="oppdiktet").exists()


# --- who signed in through which provider: read-only --------------------------------------


@pytest.fixture
def provider_records(demo):
    user = demo["trd-frontline"]
    identity = ExternalIdentity.objects.create(
        user=user,
        provider=_provider(),
        subject="demo-sub-frida",
        refresh_token="refresh-token-hemmelig",
    )
    session = ProviderSession.objects.create(
        provider=_provider(),
        subject="demo-sub-frida",
        sid="sid-1",
        session_key="sesjonsnokkel-hemmelig-0123456789",
        user=user,
    )
    return identity, session


def test_provider_records_are_read_only_for_a_platform_admin(client, demo, provider_records):
    identity, session = provider_records
    client.force_login(demo["platform-admin"])
    for model, obj, secret in (
        ("externalidentity", identity, "refresh-token-hemmelig"),
        ("providersession", session, "sesjonsnokkel-hemmelig"),
    ):
        changelist = client.get(reverse(f"admin:partners_{model}_changelist"))
        assert changelist.status_code == 200
        page = client.get(reverse(f"admin:partners_{model}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert secret not in page.content.decode() + changelist.content.decode()
        assert client.get(reverse(f"admin:partners_{model}_add")).status_code == 403
        delete = reverse(f"admin:partners_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()
    assert ProviderSession.objects.filter(pk=session.pk).exists()


def test_provider_records_are_not_for_a_registry_admin(client, demo, provider_records):
    identity, session = provider_records
    client.force_login(demo["trd-admin"])
    for model, obj in (("externalidentity", identity), ("providersession", session)):
        assert client.get(reverse(f"admin:partners_{model}_changelist")).status_code == 403
        change = reverse(f"admin:partners_{model}_change", args=[obj.pk])
        assert client.get(change).status_code == 403
