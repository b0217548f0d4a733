import os
from dataclasses import dataclass

import pytest

from partners.models import GroupMapping, IdentityProvider, Organisation, Role
from tests.factories import OrganisationFactory, UserFactory
from tests.oidc_provider import OidcProvider, OidcProviderUnavailable
from tests.partners import sso_support as support


@pytest.fixture(scope="module")
def backchannel_receiver():
    server = support.start_receiver()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def oidc_provider(backchannel_receiver):
    """One real provider per test module (node oidc-provider on 127.0.0.1)."""
    try:
        provider = OidcProvider().start(support.provider_config(backchannel_receiver.server_port))
    except OidcProviderUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    yield provider
    provider.stop()


@dataclass
class SsoWorld:
    provider: IdentityProvider
    school: Organisation  # where the provider's frontline group puts people
    slt: Organisation  # where its coordinator group puts them
    elsewhere: Organisation  # a third organisation the provider serves


@pytest.fixture
def sso(oidc_provider, trondheim, monkeypatch) -> SsoWorld:
    """The test provider as an IdentityProvider row, with the secret in the environment."""
    monkeypatch.setenv(support.SECRET_ENV, support.CLIENT_SECRET)
    # The test provider's users keep their groups between tests unless a test changes them.
    for user in support.USERS:
        oidc_provider.set_user(user["username"], groups=user["groups"], amr=user["amr"])
    school = OrganisationFactory(
        slug="sso-skole", name="Oppdiktet skole (SSO)", municipalities=[trondheim]
    )
    slt = OrganisationFactory(
        slug="sso-slt", name="Oppdiktet SLT (SSO)", municipalities=[trondheim]
    )
    elsewhere = OrganisationFactory(
        slug="sso-annen", name="Oppdiktet etat (SSO)", municipalities=[trondheim]
    )
    provider = IdentityProvider.objects.create(
        slug=support.SLUG,
        name=support.PROVIDER_NAME,
        issuer=oidc_provider.url,
        client_id=support.CLIENT_ID,
        email_domains=support.EMAIL_DOMAIN,
    )
    provider.organisations.set([school, slt, elsewhere])
    for group, code, organisation in (
        (support.GROUP_FRONTLINE, Role.Code.FRONTLINE, school),
        (support.GROUP_COORDINATOR, Role.Code.COORDINATOR, slt),
        (support.GROUP_ELSEWHERE, Role.Code.FRONTLINE, elsewhere),
    ):
        GroupMapping.objects.create(
            provider=provider,
            group=group,
            role=Role.objects.get_or_create(code=code)[0],
            organisation=organisation,
        )
    return SsoWorld(provider=provider, school=school, slt=slt, elsewhere=elsewhere)


@pytest.fixture
def registry_admin(trondheim):
    """Trondheim's registry admin: whom someone without a role is told to ask."""
    town_hall = OrganisationFactory(
        slug="sso-radhus", name="Oppdiktet rådhus", municipalities=[trondheim]
    )
    return UserFactory(
        username="rita",
        first_name="Rita",
        last_name="Registerfører",
        organisation=town_hall,
        roles=[Role.Code.REGISTRY_ADMIN],
        is_staff=True,
    )
