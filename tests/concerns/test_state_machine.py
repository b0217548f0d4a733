"""The concern's status machine: only legal moves, each with actor, time and comment."""

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from concerns.models import (
    AgeGroup,
    CaseEvaluation,
    CaseEvaluationPartner,
    CaseEvent,
    Concern,
    IllegalTransition,
    age_group_for,
)
from concerns.services import (
    concern_accept,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_start_follow_up,
    concern_submit,
)
from concerns.services.work import Evaluation
from partners.models import Contact, Role
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)

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
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome=Concern.Outcome.NO_FURTHER_ACTION,
        reason="Avklart i samtale med skolen.",
    )
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


@pytest.mark.django_db
def test_the_first_assignment_is_stamped_once_and_an_evaluation_follows_the_last_close(case):
    concern, coordinator, police, police_user = case
    concern_assign(concern=concern, actor=coordinator, assignee=police, reason="Politiet")
    concern.refresh_from_db()
    first = concern.first_assigned_at
    assert first is not None
    other = ContactFactory(organisation=police.organisation, role=Contact.Role.DISTRICT_POLICE)
    concern_assign(concern=concern, actor=coordinator, assignee=other, reason="Distriktet")
    concern.refresh_from_db()
    assert concern.first_assigned_at == first  # a reassignment is not a first assignment

    bad = Evaluation(help_timely="maybe", situation_change="improved")
    with pytest.raises(ValidationError):
        concern_close(concern=concern, actor=coordinator, outcome="advice_given", evaluation=bad)
    concern.refresh_from_db()
    assert concern.status == S.ASSIGNED and not CaseEvaluation.objects.exists()

    concern_close(
        concern=concern,
        actor=coordinator,
        outcome="advice_given",
        evaluation=Evaluation("no", "unchanged", frozenset({"school", "police"})),
    )
    concern_reopen(concern=concern, actor=coordinator, reason="Ny informasjon fra skolen")
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome="referred_to_partner",
        evaluation=Evaluation("yes", "improved", frozenset({"police", "child_welfare"})),
    )
    evaluation = CaseEvaluation.objects.get(concern=concern)
    assert (evaluation.help_timely, evaluation.situation_change) == ("yes", "improved")
    assert set(evaluation.partners.values_list("partner", flat=True)) == {"police", "child_welfare"}
    # History keeps the first answers and who changed them.
    assert [row.help_timely for row in evaluation.history.order_by("history_date")] == ["no", "yes"]
    removed = CaseEvaluationPartner.history.filter(history_type="-").get()
    assert removed.partner == "school" and removed.history_user == coordinator


@pytest.mark.django_db
def test_submitting_fixes_the_age_group_on_the_day(people, trondheim):
    subject = SubjectFactory(
        municipality=trondheim, created_by=people.alice, birth_date=datetime.date(2011, 12, 31)
    )
    draft = ConcernFactory(reporter=people.alice, municipality=trondheim, subject=subject)
    with time_machine.travel(datetime.datetime(2026, 12, 30, 12, tzinfo=datetime.UTC)):
        submitted = concern_submit(concern=draft, actor=people.alice)
    assert submitted.age_group == AgeGroup.FROM_13_TO_15  # 14, the day before turning 15
    assert age_group_for(birth_date=None, birth_year=2008, on=datetime.date(2026, 6, 1)) == (
        AgeGroup.FROM_16_TO_17  # born 2008: 17 until the birthday; the younger age counts
    )
    assert age_group_for(birth_date=None, birth_year=None, on=datetime.date(2026, 6, 1)) == (
        AgeGroup.UNKNOWN
    )
