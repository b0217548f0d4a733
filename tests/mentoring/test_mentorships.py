"""The exit programme: the mentorship's course, capacity, consent, the plan's ratings in
order, who sees what, and group work that names nobody."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from concerns.models import CaseEvent, Concern
from mentoring.models import (
    Corps,
    CorpsMember,
    GroupSession,
    IllegalMentorshipTransition,
    Mentorship,
)
from mentoring.permissions import get_mentorship_for_user_or_404, may_read_concern
from mentoring.selectors import progress
from mentoring.services import (
    group_session_record,
    mentor_candidates,
    mentor_session_record,
    mentorship_end,
    mentorship_pause,
    mentorship_propose,
    mentorship_resume,
    mentorship_start,
    plan_set,
    ratings_record,
)
from partners.models import Contact, Role
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(people, trondheim):
    slt = OrganisationFactory(slug="slt", municipalities=[trondheim])
    coordinator = UserFactory(organisation=slt, roles=[Role.Code.COORDINATOR])
    police_org = OrganisationFactory(slug="politi", kind="police", municipalities=[trondheim])
    police_user = UserFactory(organisation=police_org, roles=[Role.Code.POLICE_CONTACT])
    police = ContactFactory(
        organisation=police_org, role=Contact.Role.POLICE_RADICALISATION, user=police_user
    )
    mentors = []
    for name, languages, capacity in (("Mentor A", ["nb", "ar"], 1), ("Mentor B", ["nb"], 2)):
        user = UserFactory(organisation=slt, roles=[Role.Code.MENTOR])
        mentors.append(
            CorpsMember.objects.create(
                municipality=trondheim,
                corps=Corps.MENTOR,
                name=name,
                user=user,
                languages=languages,
                capacity=capacity,
            )
        )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000001",
        assignee=police,
        subject__birth_year=2010,
    )
    return {
        "coordinator": coordinator,
        "police": police_user,
        "a": mentors[0],
        "b": mentors[1],
        "concern": concern,
    }


def _started(programme, mentor="a") -> Mentorship:
    mentorship = mentorship_propose(
        concern=programme["concern"], mentor=programme[mentor], actor=programme["coordinator"]
    )
    return mentorship_start(
        mentorship=mentorship,
        actor=programme["coordinator"],
        starts_on=datetime.date(2026, 9, 1),
        mentee_consent=True,
        guardian_consent="yes",
    )


# --- the state machine ---------------------------------------------------------------


def test_the_only_moves_are_proposed_active_paused_ended():
    allowed = {(a, b) for a, targets in Mentorship.TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("proposed", "active"),
        ("proposed", "ended"),
        ("active", "paused"),
        ("active", "ended"),
        ("paused", "active"),
        ("paused", "ended"),
    }
    with pytest.raises(IllegalMentorshipTransition):
        Mentorship(status="ended").transition_to("active")


def test_a_mentorship_starts_with_consent_and_ends_with_an_outcome(programme):
    coordinator = programme["coordinator"]
    mentorship = mentorship_propose(
        concern=programme["concern"], mentor=programme["a"], actor=coordinator
    )
    assert mentorship.status == "proposed"
    # Under 18: the mentee's consent is not enough.
    for mentee, guardians in ((False, "yes"), (True, "no"), (True, "")):
        with pytest.raises(ValidationError):
            mentorship_start(
                mentorship=mentorship,
                actor=coordinator,
                starts_on=datetime.date(2026, 9, 1),
                mentee_consent=mentee,
                guardian_consent=guardians,
            )
    mentorship.refresh_from_db()
    assert mentorship.status == "proposed"
    mentorship = _started_from(mentorship, coordinator)
    mentorship = mentorship_pause(mentorship=mentorship, actor=programme["a"].user)
    mentorship = mentorship_resume(mentorship=mentorship, actor=programme["a"].user)
    with pytest.raises(ValidationError):
        mentorship_end(
            mentorship=mentorship, actor=coordinator, outcome="", ends_on=datetime.date(2026, 11, 1)
        )
    mentorship = mentorship_end(
        mentorship=mentorship,
        actor=coordinator,
        outcome="goals_reached",
        ends_on=datetime.date(2026, 11, 1),
    )
    assert (mentorship.status, mentorship.outcome) == ("ended", "goals_reached")
    steps = list(
        programme["concern"]
        .events.filter(kind=CaseEvent.Kind.MENTORSHIP)
        .values_list("data__status", flat=True)
    )
    assert steps == ["proposed", "active", "paused", "active", "ended"]
    assert {row.history_user for row in mentorship.history.all()} >= {coordinator}


def _started_from(mentorship, actor):
    return mentorship_start(
        mentorship=mentorship,
        actor=actor,
        starts_on=datetime.date(2026, 9, 1),
        mentee_consent=True,
        guardian_consent="yes",
    )


# --- capacity and matching -----------------------------------------------------------------


def test_a_mentor_takes_no_more_than_their_capacity(programme, people, trondheim):
    _started(programme, "a")  # Mentor A has one place
    other_case = ConcernFactory(
        reporter=people.bob, municipality=trondheim, status=Concern.Status.SUBMITTED
    )
    with pytest.raises(ValidationError) as refused:
        mentorship_propose(
            concern=other_case, mentor=programme["a"], actor=programme["coordinator"]
        )
    assert refused.value.code == "capacity"
    # Mentor B has room, and is offered first although A speaks Arabic.
    candidates = mentor_candidates(other_case, language="ar")
    assert [c.member.name for c in candidates] == ["Mentor B", "Mentor A"]
    assert [c.has_room for c in candidates] == [True, False]
    assert (
        mentorship_propose(
            concern=other_case, mentor=programme["b"], actor=programme["coordinator"]
        ).mentor
        == programme["b"]
    )


def test_with_room_for_both_the_mentor_speaking_the_language_comes_first(programme):
    programme["a"].capacity = 3
    programme["a"].save()
    names = [c.member.name for c in mentor_candidates(programme["concern"], language="ar")]
    assert names == ["Mentor A", "Mentor B"]


def test_one_open_mentorship_per_case(programme):
    _started(programme, "a")
    with pytest.raises(ValidationError):
        mentorship_propose(
            concern=programme["concern"], mentor=programme["b"], actor=programme["coordinator"]
        )


# --- the plan -----------------------------------------------------------------------


def test_ratings_feed_the_chart_in_date_order(programme):
    mentorship = _started(programme)
    mentor = programme["a"].user
    plan_set(
        mentorship=mentorship, actor=mentor, goals={"housing": (2, "Egen hybel"), "health": (3, "")}
    )
    ratings_record(
        mentorship=mentorship,
        actor=mentor,
        rated_on=datetime.date(2026, 11, 1),
        ratings={"housing": 4},
    )
    ratings_record(
        mentorship=mentorship,
        actor=mentor,
        rated_on=datetime.date(2026, 10, 1),
        ratings={"housing": 3, "health": 3},
    )
    # The same day again corrects, not duplicates.
    ratings_record(
        mentorship=mentorship,
        actor=mentor,
        rated_on=datetime.date(2026, 11, 1),
        ratings={"housing": 5},
    )
    series = {s.domain: s.points for s in progress(mentorship)}
    assert series["housing"] == [
        (datetime.date(2026, 9, 1), 2),
        (datetime.date(2026, 10, 1), 3),
        (datetime.date(2026, 11, 1), 5),
    ]
    assert series["health"] == [(datetime.date(2026, 9, 1), 3), (datetime.date(2026, 10, 1), 3)]
    with pytest.raises(ValidationError):
        ratings_record(
            mentorship=mentorship,
            actor=mentor,
            rated_on=datetime.date(2026, 11, 2),
            ratings={"housing": 6},
        )


# --- who sees what --------------------------------------------------------------------


def test_permission_matrix(programme, people):
    mentorship = _started(programme, "a")
    seers = {
        "mentor A": programme["a"].user,
        "coordinator": programme["coordinator"],
        "police contact of the case": programme["police"],
    }
    outsiders = {
        "mentor B": programme["b"].user,
        "frontline reporter": people.alice,
        "frontline colleague": people.bob,
        "other municipality": people.dana,
    }
    for who, user in seers.items():
        assert get_mentorship_for_user_or_404(user, mentorship.public_id) == mentorship, who
    for user in outsiders.values():
        with pytest.raises(Http404):
            get_mentorship_for_user_or_404(user, mentorship.public_id)
        with pytest.raises(PermissionDenied):
            mentor_session_record(
                mentorship=mentorship,
                actor=user,
                date=datetime.date(2026, 10, 1),
                duration_minutes=60,
                domains=["housing"],
                note="",
            )
    # The mentor works with the person, not the concern, until the coordinator shares it.
    assert not may_read_concern(programme["a"].user, mentorship)
    assert may_read_concern(programme["coordinator"], mentorship)
    with pytest.raises(PermissionDenied):
        mentorship_end(
            mentorship=mentorship,
            actor=programme["police"],
            outcome="other",
            ends_on=datetime.date(2026, 10, 1),
        )


def test_group_sessions_name_nobody_and_need_the_corps(programme, trondheim):
    fields = {field.name for field in GroupSession._meta.get_fields()}
    assert not fields & {"concern", "subject", "mentorship", "name", "note", "notes"}
    coach_user = programme["b"].user
    with pytest.raises(PermissionDenied):
        group_session_record(
            actor=coach_user,
            municipality=trondheim,
            corps=Corps.DIALOGUE_AMBASSADOR,
            date=datetime.date(2026, 10, 1),
            participants=12,
            topic="Dialogmøte om netthat",
        )
    session = group_session_record(
        actor=coach_user,
        municipality=trondheim,
        corps=Corps.MENTOR,
        date=datetime.date(2026, 10, 1),
        participants=12,
        topic="Dialogmøte om netthat",
    )
    assert session.history.get().history_user == coach_user


def test_the_registry_cannot_move_a_members_account_once_they_have_mentees(programme, rf):
    from django.contrib import admin

    corps_admin = admin.site._registry[CorpsMember]
    request = rf.get("/")
    assert corps_admin.get_readonly_fields(request, programme["a"]) == []
    _started(programme, "a")
    assert "user" in corps_admin.get_readonly_fields(request, programme["a"])


def test_the_next_meeting_reminds_the_mentor_once_without_names(programme, trondheim):
    from concerns import reminders
    from concerns.models import NotificationKind, Reminder

    mentorship = _started(programme)
    mentor = programme["a"].user
    mentor_session_record(
        mentorship=mentorship,
        actor=mentor,
        date=datetime.date(2026, 9, 2),
        duration_minutes=45,
        domains=[],
        note="",
        next_meeting_on=datetime.date(2026, 9, 9),
    )
    today = datetime.datetime(2026, 9, 9, 9, tzinfo=datetime.UTC)
    reminders.sweep(now=today, deliver=False)
    reminders.sweep(now=today, deliver=False)
    reminder = Reminder.objects.get(kind=NotificationKind.MENTOR_MEETING_DUE)
    assert list(reminder.recipients.all()) == [mentor]
    assert reminder.reference == "" and str(mentorship.public_id) in reminder.link
