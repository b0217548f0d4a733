"""The concern's status machine: only legal moves, each with actor, time and comment."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concerns.models import CaseEvent, Concern, IllegalTransition
from concerns.services import (
    concern_accept,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_start_follow_up,
)
from partners.models import Contact, Role
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory

S = Concern.Status
LEGAL = {(source, target) for source, targets in Concern.TRANSITIONS.items() for target in targets}
ILLEGAL = [pair for pair in itertools.product(S.values, S.values) if pair not in LEGAL]


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_transitions_move(source, target):
    concern = Concern(status=source)
    assert concern.transition_to(target) == source
    assert concern.status == target


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_transitions_raise_and_change_nothing(source, target):
    concern = Concern(status=source)
    with pytest.raises(IllegalTransition):
        concern.transition_to(target)
    assert concern.status == source


def test_the_documented_path_is_legal():
    path = [S.DRAFT, S.SUBMITTED, S.IN_TRIAGE, S.ASSIGNED, S.IN_FOLLOW_UP, S.CLOSED, S.IN_TRIAGE]
    assert all((a, b) in LEGAL for a, b in itertools.pairwise(path))


@pytest.fixture
def case(trondheim):
    """A submitted concern, its municipality's coordinator and a police contact."""
    slt = OrganisationFactory(slug="slt-test", municipalities=[trondheim])
    coordinator = UserFactory(
        username="koordinator", organisation=slt, roles=[Role.Code.COORDINATOR]
    )
    police_org = OrganisationFactory(slug="politi-test", kind="police", municipalities=[trondheim])
    police_user = UserFactory(
        username="politi", organisation=police_org, roles=[Role.Code.POLICE_CONTACT]
    )
    police = ContactFactory(
        organisation=police_org,
        role=Contact.Role.POLICE_RADICALISATION,
        name="Politikontakt",
        user=police_user,
    )
    concern = ConcernFactory(
        municipality=trondheim, status=S.SUBMITTED, reference="BEK-2026-000001"
    )
    return concern, coordinator, police, police_user


@pytest.mark.django_db
def test_each_transition_records_actor_time_and_comment(case):
    concern, coordinator, police, _police_user = case

    concern_accept(concern=concern, actor=coordinator, comment="Ser på den nå")
    concern_assign(
        concern=concern, actor=coordinator, assignee=police, reason="Politiet bør vurdere"
    )
    concern_start_follow_up(concern=concern, actor=coordinator)
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome=Concern.Outcome.HANDED_TO_POLICE,
        comment="Overlevert",
    )

    concern.refresh_from_db()
    assert concern.status == S.CLOSED
    assert concern.outcome == Concern.Outcome.HANDED_TO_POLICE
    assert concern.closed_at is not None
    changes = list(concern.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED))
    assert [(e.from_status, e.to_status) for e in changes] == [
        (S.SUBMITTED, S.IN_TRIAGE),
        (S.IN_TRIAGE, S.ASSIGNED),
        (S.ASSIGNED, S.IN_FOLLOW_UP),
        (S.IN_FOLLOW_UP, S.CLOSED),
    ]
    assert {e.actor for e in changes} == {coordinator}
    assert all(e.at is not None for e in changes)
    assert changes[0].text == "Ser på den nå"
    assert changes[-1].text == "Overlevert" and changes[-1].data == {"outcome": "handed_to_police"}
    assignment = concern.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert assignment.text == "Politiet bør vurdere"
    assert concern.history.latest().history_user == coordinator


@pytest.mark.django_db
def test_services_refuse_illegal_moves_and_change_nothing(case):
    concern, coordinator, _police, _ = case
    with pytest.raises(IllegalTransition):
        concern_start_follow_up(concern=concern, actor=coordinator)  # submitted → in follow-up
    concern_close(concern=concern, actor=coordinator, outcome=Concern.Outcome.NO_FURTHER_ACTION)
    with pytest.raises(IllegalTransition):
        concern_close(concern=concern, actor=coordinator, outcome=Concern.Outcome.OTHER)
    with pytest.raises(IllegalTransition):
        concern_accept(concern=concern, actor=coordinator)
    concern.refresh_from_db()
    assert concern.status == S.CLOSED
    assert concern.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).count() == 1


@pytest.mark.django_db
def test_closing_needs_an_outcome(case):
    concern, coordinator, _police, _ = case
    with pytest.raises(ValidationError):
        concern_close(concern=concern, actor=coordinator, outcome="")
    concern.refresh_from_db()
    assert concern.status == S.SUBMITTED


@pytest.mark.django_db
def test_reopening_needs_the_coordinator_and_a_reason(case):
    concern, coordinator, police, police_user = case
    concern_assign(concern=concern, actor=coordinator, assignee=police, reason="Politiet")
    concern_close(concern=concern, actor=police_user, outcome=Concern.Outcome.ADVICE_GIVEN)

    with pytest.raises(ValidationError):
        concern_reopen(concern=concern, actor=coordinator, reason="  ")
    with pytest.raises(PermissionDenied):
        concern_reopen(concern=concern, actor=police_user, reason="Ny informasjon")
    concern.refresh_from_db()
    assert concern.status == S.CLOSED

    concern_reopen(concern=concern, actor=coordinator, reason="Ny informasjon fra skolen")
    concern.refresh_from_db()
    assert concern.status == S.IN_TRIAGE
    assert concern.outcome == ""
    assert (
        concern.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).last().text
        == "Ny informasjon fra skolen"
    )


@pytest.mark.django_db
def test_assignment_needs_a_reason_and_a_contact_in_the_municipality(case, aalborg):
    concern, coordinator, _police, _ = case
    danish = ContactFactory(organisation=OrganisationFactory(slug="dk", municipalities=[aalborg]))
    with pytest.raises(ValidationError):
        concern_assign(concern=concern, actor=coordinator, assignee=danish, reason="Feil kommune")
    with pytest.raises(ValidationError):
        concern_assign(concern=concern, actor=coordinator, assignee=_police, reason="")
    concern.refresh_from_db()
    assert concern.status == S.SUBMITTED and concern.assignee is None


@pytest.mark.django_db
def test_reassigning_moves_access_from_the_old_to_the_new_assignee(case, trondheim):
    from concerns.permissions import has_grant

    concern, coordinator, police, police_user = case
    other_user = UserFactory(organisation=police.organisation, roles=[Role.Code.POLICE_CONTACT])
    other = ContactFactory(
        organisation=police.organisation, role=Contact.Role.DISTRICT_POLICE, user=other_user
    )

    concern_assign(concern=concern, actor=coordinator, assignee=police, reason="Første vurdering")
    assert has_grant(police_user, concern)
    concern_assign(
        concern=concern, actor=coordinator, assignee=other, reason="Bydelens politikontakt"
    )

    assert has_grant(other_user, concern)
    assert not has_grant(police_user, concern)
    kinds = list(concern.events.values_list("kind", flat=True))
    assert kinds.count(CaseEvent.Kind.ACCESS_GRANTED) == 2
    assert kinds.count(CaseEvent.Kind.ACCESS_REVOKED) == 1


@pytest.mark.django_db
def test_only_the_coordinator_or_the_assignee_may_move_a_case(case, people):
    concern, _coordinator, _police, police_user = case
    with pytest.raises(PermissionDenied):
        concern_accept(concern=concern, actor=police_user)  # not assigned, not coordinator
    with pytest.raises(PermissionDenied):
        concern_accept(concern=concern, actor=people.charlie)
