"""Work held by people who can no longer act on it: "needs a new handler".

An account is switched off when its identity provider reports it disabled or
when it has not signed in for a while (partners.identity.departures), and a
sign-in can take a role away (partners.identity.sso_services). Nothing the
person held is lost: the coordinator of the case's municipality sees it here
and gives it to someone who can act, with the ordinary assign action.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.dispatch import receiver

from concerns.models import Concern
from concerns.permissions import (
    GrantReason,
    assigned_to_someone_who_cannot_act,
    coordinated_municipality_ids,
    revoke_all_case_access,
)
from mentoring.models import Mentorship
from partners.identity.sso_services import handler_role_lost
from partners.models import Role, User
from referrals.models import Referral


def cannot_mentor() -> QuerySet[User]:
    mentors = User.roles.through.objects.filter(user=OuterRef("pk"), role__code=Role.Code.MENTOR)
    return User.objects.filter(Q(is_active=False) | ~Exists(mentors))


@dataclass
class Handover:
    cases: list[Concern]
    referrals: list[Referral]
    mentorships: list[Mentorship]

    def __len__(self) -> int:
        return len(self.cases) + len(self.referrals) + len(self.mentorships)


def needs_new_handler(user: User) -> Handover:
    """What waits for a new handler in the municipalities the user coordinates."""
    municipality_ids = coordinated_municipality_ids(user)
    if not municipality_ids:
        return Handover([], [], [])
    open_tasks = Count("checklist", filter=Q(checklist__done_at__isnull=True))
    cases = (
        Concern.objects.filter(
            municipality__in=municipality_ids,
            status__in=Concern.OPEN_STATUSES,
        )
        .filter(assigned_to_someone_who_cannot_act())
        .select_related("assignee", "subject")
        .annotate(open_tasks=open_tasks)
        .order_by("submitted_at", "pk")
    )
    referrals = (
        Referral.objects.filter(
            concern__municipality__in=municipality_ids,
            status__in=Referral.LIVE_STATUSES,
            receiving_contact__user__in=User.objects.filter(is_active=False),
        )
        .select_related("concern", "receiving_contact", "receiving_organisation")
        .order_by("sent_at", "pk")
    )
    mentorships = (
        Mentorship.objects.filter(
            concern__municipality__in=municipality_ids,
            status__in=Mentorship.OPEN_STATUSES,
            mentor__user__in=cannot_mentor(),
        )
        .select_related("concern", "mentor")
        .order_by("pk")
    )
    return Handover(list(cases), list(referrals), list(mentorships))


@receiver(handler_role_lost, dispatch_uid="concerns.handover.take_back_grants")
def _take_back_grants(sender, user: User, **kwargs) -> None:
    # A grant was given for the role the person held then. Were it kept, the same person
    # back in a handler role elsewhere would see those cases again.
    revoke_all_case_access(user=user, reason=GrantReason.HANDLER_LEFT)
