"""A case filed, referred, answered and closed through the services, for the journal tests.

Every person and text is invented. The person's name is distinctive, so a
test can show it never reaches the public journal; the free texts carry it.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from concerns.models import Concern
from concerns.services import concern_close, concern_submit
from concerns.services.work import Evaluation
from partners.models import Organisation, Role, User
from referrals.models import Referral
from referrals.services import (
    ReferralDetails,
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_send,
)
from tests.factories import ConcernFactory, OrganisationFactory, SubjectFactory, UserFactory

NAME = "Ingeborg Zweistein-Ødegård"
TEXT = f"{NAME} sa i friminuttet at hun skal «ta igjen» – oppdiktet observasjon."


@dataclass
class Scene:
    coordinator: User
    registry_admin: User
    police: User
    nav: Organisation
    nav_worker: User
    other_admin: User
    other_coordinator: User


@pytest.fixture(name="scene")
def scene_fixture(people, trondheim, aalborg, legal_bases) -> Scene:
    """Import `scene_fixture` into a test module to use the `scene` fixture."""
    slt = OrganisationFactory(slug="slt-j", name="SLT Oppdiktet", municipalities=[trondheim])
    registry = OrganisationFactory(
        slug="arkiv-j", name="Dokumentsenteret Oppdiktet", municipalities=[trondheim]
    )
    police_org = OrganisationFactory(
        slug="politi-j", kind=Organisation.Kind.POLICE, municipalities=[trondheim]
    )
    nav = OrganisationFactory(
        slug="nav-j", name="NAV Oppdiktet", kind=Organisation.Kind.STATE, municipalities=[trondheim]
    )
    info_huset = OrganisationFactory(
        slug="info-j", name="INFO-huset Opdigtet", municipalities=[aalborg]
    )
    return Scene(
        coordinator=UserFactory(
            username="koord-j", organisation=slt, roles=[Role.Code.COORDINATOR]
        ),
        registry_admin=UserFactory(
            username="arkiv-j", organisation=registry, roles=[Role.Code.REGISTRY_ADMIN]
        ),
        police=UserFactory(
            username="politi-j", organisation=police_org, roles=[Role.Code.POLICE_CONTACT]
        ),
        nav=nav,
        nav_worker=UserFactory(
            username="nav-j", organisation=nav, roles=[Role.Code.RESOURCE_PERSON]
        ),
        other_admin=UserFactory(
            username="aal-arkiv-j", organisation=info_huset, roles=[Role.Code.REGISTRY_ADMIN]
        ),
        other_coordinator=UserFactory(
            username="aal-koord-j", organisation=info_huset, roles=[Role.Code.COORDINATOR]
        ),
    )


def submitted(people, municipality, *, name: str = NAME, reporter: User | None = None) -> Concern:
    reporter = reporter or people.alice
    draft = ConcernFactory(
        reporter=reporter,
        municipality=municipality,
        subject=SubjectFactory(
            municipality=municipality,
            created_by=reporter,
            name=name,
            birth_year=2010,
            school_or_workplace="Oppdiktet ungdomsskole",
        ),
        observations=TEXT,
    )
    return concern_submit(concern=draft, actor=reporter)


def referred(scene: Scene, concern: Concern) -> Referral:
    referral = referral_create(
        concern=concern,
        actor=scene.coordinator,
        details=ReferralDetails(
            receiving_organisation=scene.nav,
            receiving_contact=None,
            reason=f"{NAME} trenger hjelp med skole og arbeid.",
            shared_information=f"Om {NAME}: trenger tett oppfølging.",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate() + datetime.timedelta(days=14),
        ),
    )
    return referral_send(referral=referral, actor=scene.coordinator)


def closed(scene: Scene, concern: Concern, *, comment: str = "") -> Concern:
    return concern_close(
        concern=concern,
        actor=scene.coordinator,
        outcome=Concern.Outcome.ADVICE_GIVEN,
        comment=comment or f"Samtale med {NAME} og foreldrene.",
        reporter_message="Takk for meldingen, vi har fulgt den opp.",
        evaluation=Evaluation(help_timely="yes", situation_change="unknown", partners=frozenset()),
    )


def full_case(scene: Scene, people, municipality) -> Concern:
    """Filed, referred to NAV (accepted, then completed), a second referral declined, closed."""
    concern = submitted(people, municipality)
    referral = referred(scene, concern)
    referral_accept(referral=referral, actor=scene.nav_worker, reason="Vi tar saken.")
    referral_complete(
        referral=referral, actor=scene.nav_worker, outcome=f"{NAME} har fått plass på kurs."
    )
    second = referred(scene, concern)
    referral_decline(referral=second, actor=scene.nav_worker, reason="Allerede fulgt opp.")
    concern.refresh_from_db()
    return closed(scene, concern)
