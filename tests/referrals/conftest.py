import datetime

import pytest
from django.utils import timezone

from concerns.models import Concern
from partners.models import Contact, Role
from referrals.services import ReferralDetails, referral_create
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory


@pytest.fixture
def setting(people, trondheim, legal_bases):
    """A submitted case assigned to a resource person, a coordinator, and NAV as receiver."""
    coordinator = UserFactory(
        username="koordinator",
        organisation=people.charlie.organisation,
        roles=[Role.Code.COORDINATOR],
    )
    nav = OrganisationFactory(
        slug="nav-test", name="NAV Test", kind="state", municipalities=[trondheim]
    )
    nav_worker = UserFactory(
        username="nav-veileder", organisation=nav, roles=[Role.Code.RESOURCE_PERSON]
    )
    nav_colleague = UserFactory(
        username="nav-kollega", organisation=nav, roles=[Role.Code.FRONTLINE]
    )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000077",
        observations="Observasjon som bare saksbehandlerne skal se.",
        assignee=ContactFactory(
            organisation=people.charlie.organisation,
            role=Contact.Role.COORDINATOR,
            user=coordinator,
        ),
    )
    return {
        "coordinator": coordinator,
        "nav": nav,
        "nav_worker": nav_worker,
        "nav_colleague": nav_colleague,
        "concern": concern,
    }


@pytest.fixture
def draft_referral(setting):
    def make(**overrides):
        details = {
            "receiving_organisation": setting["nav"],
            "receiving_contact": None,
            "reason": "Trenger hjelp med arbeid og aktivitet.",
            "shared_information": "Ungdommen trenger tett oppfølging mot skole eller arbeid.",
            "legal_basis": "consent",
            "legal_basis_other": "",
            "response_due": timezone.localdate() + datetime.timedelta(days=7),
        }
        details.update(overrides)
        return referral_create(
            concern=setting["concern"],
            actor=setting["coordinator"],
            details=ReferralDetails(**details),
        )

    return make
