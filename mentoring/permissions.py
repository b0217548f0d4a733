"""Who sees which mentorship. One rule, used by lists and pages alike.

- A mentor: their own mentorships, with the person's name, age band and the
  plan; the concern's text and reporter only when the coordinator shares it.
- The coordinator: every mentorship in their municipalities.
- The police contact: mentorships on cases assigned to them.
Anyone else gets 404, as for a case.
"""

from django.db.models import Q, QuerySet

from concerns.models import Concern
from concerns.permissions import deny, is_coordinator_for, user_municipality_ids
from mentoring.models import CorpsMember, Mentorship, SupervisionSession
from partners.models import Role, User

# Who has the Mentoring menu: mentors and coordinators. A police contact reaches a
# mentorship from the case it belongs to.
MENTORING_MENU_ROLES = frozenset({Role.Code.MENTOR.value, Role.Code.COORDINATOR.value})


def mentorship_rule(user: User) -> Q | None:
    """The rule as a query on Mentorship, or None when the user sees none."""
    if not user.is_authenticated or not user.is_active:
        return None
    rule = Q(mentor__user=user) if user.has_role(Role.Code.MENTOR) else None
    if user.has_role(Role.Code.COORDINATOR):
        by_municipality = Q(concern__municipality__in=user_municipality_ids(user))
        rule = by_municipality if rule is None else rule | by_municipality
    if user.has_role(Role.Code.POLICE_CONTACT):
        by_assignment = Q(concern__assignee__user=user)
        rule = by_assignment if rule is None else rule | by_assignment
    return rule


def mentorships_visible_to(user: User) -> QuerySet[Mentorship]:
    rule = mentorship_rule(user)
    return Mentorship.objects.none() if rule is None else Mentorship.objects.filter(rule)


def get_mentorship_for_user_or_404(user: User, public_id) -> Mentorship:
    mentorship = (
        mentorships_visible_to(user)
        .select_related("mentor", "concern__subject", "concern__municipality")
        .filter(public_id=public_id)
        .first()
    )
    if mentorship is None:
        raise deny(user, "mentorship")
    return mentorship


def is_mentor_of(user: User, mentorship: Mentorship) -> bool:
    return mentorship.mentor.user_id == user.pk


def may_coordinate(user: User, concern: Concern) -> bool:
    """Proposing a mentor, sharing the concern and supervision notes are the coordinator's."""
    return is_coordinator_for(user, concern)


def may_work_on(user: User, mentorship: Mentorship) -> bool:
    """Sessions, ratings and status: the mentor and the coordinator."""
    return is_mentor_of(user, mentorship) or may_coordinate(user, mentorship.concern)


def may_read_concern(user: User, mentorship: Mentorship) -> bool:
    """The concern's text and reporter: not for the mentor unless the coordinator shared it."""
    if is_mentor_of(user, mentorship) and not may_coordinate(user, mentorship.concern):
        return mentorship.shares_concern
    return True


def corps_members_for(user: User) -> QuerySet[CorpsMember]:
    """The signed-in user's own places in the corps."""
    return CorpsMember.objects.filter(user=user, is_active=True)


def supervisions_visible_to(user: User) -> QuerySet[SupervisionSession]:
    """Supervision notes: for the mentor, the supervisor and the municipality's coordinator."""
    if not user.is_authenticated or not user.is_active:
        return SupervisionSession.objects.none()
    rule = Q(mentor__user=user) | Q(supervisor__user=user)
    if user.has_role(Role.Code.COORDINATOR):
        rule |= Q(mentor__municipality__in=user_municipality_ids(user))
    return SupervisionSession.objects.filter(rule)
