"""Every seed routing rule, for both municipalities, as the fixtures ship them."""

import pytest
from django.core.management import call_command

from concerns.models import Concern, ReferenceSequence, RoutingDecision
from concerns.permissions import has_grant
from concerns.services import concern_submit
from partners.models import Contact, Organisation, Role
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    call_command("load_reference_data", verbosity=0)
    return {
        "slt": Contact.objects.get(name="SLT-koordinator"),
        "trd_police": Contact.objects.get(name="Radikaliseringskontakt"),
        "info_huset": Contact.objects.get(name="INFO-huset"),
        "aal_police": Contact.objects.get(name="Politiets SSP-koordinator"),
    }


def _submit(*, organisation: Organisation, birth_year=2011, **concern_fields) -> Concern:
    reporter = UserFactory(organisation=organisation)
    municipality = organisation.municipalities.get()
    subject = SubjectFactory(municipality=municipality, created_by=reporter, birth_year=birth_year)
    concern = ConcernFactory(
        reporter=reporter, municipality=municipality, subject=subject, **concern_fields
    )
    return concern_submit(concern=concern, actor=reporter)


def _routes(concern: Concern) -> list[tuple[str, str, bool, bool]]:
    return [
        (decision.contact.name, decision.rule_name, decision.is_primary, decision.consider_pst)
        for decision in RoutingDecision.objects.filter(concern=concern).select_related("contact")
    ]


def test_trondheim_own_resource_person_first(registry):
    nav = Organisation.objects.get(slug="nav")
    resource_user = UserFactory(organisation=nav, roles=[Role.Code.RESOURCE_PERSON])
    resource = ContactFactory(organisation=nav, name="Oppdiktet Ressursperson", user=resource_user)

    concern = _submit(organisation=nav)

    assert _routes(concern) == [
        ("Oppdiktet Ressursperson", "Trondheim: egen radikaliseringskontakt først", True, False)
    ]
    assert concern.assignee == resource
    assert has_grant(resource_user, concern)


def test_trondheim_no_resource_person_goes_to_the_slt_coordinator(registry):
    concern = _submit(organisation=Organisation.objects.get(slug="uteseksjonen"))
    assert _routes(concern) == [
        ("SLT-koordinator", "Trondheim: ingen ressursperson → SLT-koordinator", True, False)
    ]
    assert concern.assignee == registry["slt"]


def test_trondheim_an_inactive_resource_person_is_passed_over(registry):
    nav = Organisation.objects.get(slug="nav")
    ContactFactory(organisation=nav, name="Sluttet Ressursperson", is_active=False)
    concern = _submit(organisation=nav)
    assert concern.assignee == registry["slt"]


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"urgency": "acute"}, "Trondheim: akutt → politiets radikaliseringskontakt (vurder PST)"),
        (
            {"involves_conflict_travel": True},
            "Trondheim: reise til/fra væpnet konflikt → politiets radikaliseringskontakt"
            " (vurder PST)",
        ),
    ],
)
def test_trondheim_acute_or_conflict_travel_also_involves_the_police_and_flags_pst(
    registry, fields, rule
):
    concern = _submit(organisation=Organisation.objects.get(slug="uteseksjonen"), **fields)
    routes = _routes(concern)
    assert routes[0][0] == "SLT-koordinator"
    assert ("Radikaliseringskontakt", rule, False, True) in routes
    assert concern.consider_pst
    assert concern.assignee == registry["slt"]  # the police are involved as well, not instead


def test_trondheim_normal_concern_does_not_involve_the_police(registry):
    concern = _submit(organisation=Organisation.objects.get(slug="uteseksjonen"))
    assert [route[0] for route in _routes(concern)] == ["SLT-koordinator"]
    assert not concern.consider_pst


@pytest.mark.parametrize(
    ("travel", "birth_year", "card"),
    [
        (False, 2011, "radicalisation-under-18"),
        (False, 1990, "radicalisation-18-plus"),
        (True, 2011, "conflict-travel-under-18"),
        (True, 1990, "conflict-travel-18-plus"),
    ],
)
def test_aalborg_goes_to_info_huset_with_the_action_card_for_situation_and_age(
    registry, travel, birth_year, card
):
    skuret = Organisation.objects.get(slug="ungecenter-skuret")
    concern = _submit(organisation=skuret, involves_conflict_travel=travel, birth_year=birth_year)

    primary = RoutingDecision.objects.get(concern=concern, is_primary=True)
    assert primary.contact == registry["info_huset"]
    assert primary.action_card.code == card
    assert concern.action_card.code == card
    assert primary.inputs["age_band"] == ("under_18" if birth_year == 2011 else "18_plus")
    police_involved = RoutingDecision.objects.filter(
        concern=concern, contact=registry["aal_police"]
    ).exists()
    assert police_involved == travel


def test_aalborg_acute_also_involves_the_police(registry):
    concern = _submit(
        organisation=Organisation.objects.get(slug="ungecenter-skuret"), urgency="acute"
    )
    assert (
        "Politiets SSP-koordinator",
        "Aalborg: akut → politiets radikaliseringskontakt (overvej PET/PST)",
        False,
        True,
    ) in _routes(concern)


def test_aalborg_reporter_with_own_resource_person_still_goes_to_info_huset(registry):
    kommune = Organisation.objects.get(slug="aalborg-kommune")
    ContactFactory(organisation=kommune, name="Opdigtet Ressourceperson")
    concern = _submit(organisation=kommune)
    assert concern.assignee == registry["info_huset"]


def test_without_any_matching_rule_the_municipality_coordinator_is_the_fallback(
    registry, trondheim
):
    from concerns.models import RoutingRule

    RoutingRule.objects.all().delete()
    concern = _submit(organisation=Organisation.objects.get(slug="uteseksjonen"))
    decision = RoutingDecision.objects.get(concern=concern)
    assert decision.contact == registry["slt"]
    assert decision.rule is None
    assert decision.is_fallback


def test_the_decision_keeps_the_inputs_it_looked_at(registry):
    concern = _submit(organisation=Organisation.objects.get(slug="uteseksjonen"), urgency="high")
    decision = RoutingDecision.objects.get(concern=concern, is_primary=True)
    assert decision.inputs == {
        "municipality": "trondheim",
        "reporter_organisation": "Uteseksjonen",
        "organisation_kind": "municipal",
        "age_band": "under_18",
        "district": "",
        "phenomenon": concern.phenomenon.code,
        "involves_conflict_travel": False,
        "urgency": "high",
    }
    assert decision.decided_at is not None


def test_a_routing_failure_rolls_back_the_submit(registry, monkeypatch):
    def broken(concern):
        raise RuntimeError("registry unreachable")

    monkeypatch.setattr("concerns.routing.decide", broken)
    uteseksjonen = Organisation.objects.get(slug="uteseksjonen")
    reporter = UserFactory(organisation=uteseksjonen)
    concern = ConcernFactory(reporter=reporter, municipality=uteseksjonen.municipalities.get())

    with pytest.raises(RuntimeError):
        concern_submit(concern=concern, actor=reporter)

    concern.refresh_from_db()
    assert concern.is_draft and concern.reference is None
    assert not ReferenceSequence.objects.exists()


def test_the_district_police_target_picks_the_contact_for_the_persons_district(registry):
    from concerns.models import RoutingRule
    from partners.models import District

    RoutingRule.objects.create(
        name="Foreldre → politikontakt i bydelen",
        order=1,
        municipality=Organisation.objects.get(slug="uteseksjonen").municipalities.get(),
        organisation_kind=Organisation.Kind.VOLUNTARY,
        target=RoutingRule.Target.DISTRICT_POLICE,
    )
    volunteers = OrganisationFactory(
        slug="frivillig",
        kind=Organisation.Kind.VOLUNTARY,
        municipalities=[District.objects.get(name="Heimdal").municipality],
    )
    reporter = UserFactory(organisation=volunteers)
    subject = SubjectFactory(
        municipality=volunteers.municipalities.get(),
        created_by=reporter,
        district=District.objects.get(name="Heimdal"),
    )
    concern = concern_submit(
        concern=ConcernFactory(
            reporter=reporter, municipality=subject.municipality, subject=subject
        ),
        actor=reporter,
    )
    assert concern.assignee.name == "Politikontakt Heimdal"
