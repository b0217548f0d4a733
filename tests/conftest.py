import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from partners.models import Municipality, Role, User
from tests.factories import (
    DistrictFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PhenomenonFactory,
    SignFactory,
    UserFactory,
)


@dataclass
class People:
    """The standard people of every view test (after Healthchecks' alice/bob/charlie)."""

    alice: User  # the owner: frontline staff who files the concern
    bob: User  # a colleague in alice's organisation
    charlie: User  # an outsider in another organisation, same municipality
    dana: User  # someone in another municipality


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: kept statistics, used nonces, discovery documents."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trondheim(db) -> Municipality:
    return MunicipalityFactory(code="trondheim", name="Trondheim kommune")


@pytest.fixture
def aalborg(db) -> Municipality:
    return MunicipalityFactory(
        code="aalborg", name="Aalborg Kommune", country=Municipality.Country.DENMARK
    )


@pytest.fixture
def people(trondheim, aalborg) -> People:
    school = OrganisationFactory(
        slug="demo-skole", name="Oppdiktet ungdomsskole", municipalities=[trondheim]
    )
    youth_club = OrganisationFactory(
        slug="demo-klubb", name="Oppdiktet fritidsklubb", municipalities=[trondheim]
    )
    danish_org = OrganisationFactory(
        slug="demo-dk", name="Opdigtet skole", municipalities=[aalborg]
    )
    frontline = [Role.Code.FRONTLINE]
    return People(
        alice=UserFactory(username="alice", organisation=school, roles=frontline),
        bob=UserFactory(username="bob", organisation=school, roles=frontline),
        charlie=UserFactory(username="charlie", organisation=youth_club, roles=frontline),
        dana=UserFactory(username="dana", organisation=danish_org, roles=frontline),
    )


@pytest.fixture
def seed_rules(trondheim, aalborg):
    """The routing rules and action cards exactly as the fixtures ship them."""
    call_command(
        "loaddata", "01_municipalities", "04_action_cards", "05_routing_rules", verbosity=0
    )


@pytest.fixture
def legal_bases(db):
    """The legal bases for sharing, per country, as the fixtures ship them."""
    call_command("loaddata", "10_legal_bases", verbosity=0)


@pytest.fixture
def taxonomy(db):
    return {"phenomenon": PhenomenonFactory(), "sign": SignFactory()}


@pytest.fixture
def concern_form_data(trondheim, taxonomy):
    """A valid filing of the concern form, for a new invented person under 18."""

    def build(**overrides):
        data = {
            "municipality": trondheim.pk,
            "subject_name": "Oppdiktet Elev",
            "subject_birth_year": "2011",
            "subject_district": DistrictFactory(municipality=trondheim).pk,
            "subject_school_or_workplace": "Oppdiktet ungdomsskole",
            "observations": "Eleven har flere ganger delt voldelige bilder i klassens chat.",
            "observed_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "phenomenon": taxonomy["phenomenon"].pk,
            "signs": [taxonomy["sign"].pk],
            "urgency": "normal",
            "prevention_level": "selective",
            "guardians_informed": "no",
            "action": "submit",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build
