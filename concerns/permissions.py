"""Who may see and do what with a concern. One place, used by lists, pages and services.

- reporter: own concerns, in a limited view (status and their own text);
- an organisation's radicalisation contact: concerns reported from their
  organisation, and those routed to them;
- coordinator: every submitted concern in their municipality;
- police contact: the concerns routed or assigned to them.

Routed and assigned handlers hold a guardian grant (`handle_concern`) on the
concern, stored in ConcernUserObjectPermission with a real foreign key. The
other rows of the table follow from the user's roles and organisation.

Anyone else gets 404, exactly as for a concern that does not exist.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from concerns.models import Concern, ConcernUserObjectPermission
from partners.models import Role, User

HANDLE = "handle_concern"
VIEW_REFERRED = "view_referred_concern"


class Action(StrEnum):
    HANDLE = "handle"  # read the whole case, write notes, ask the reporter
    ACCEPT = "accept"
    ASSIGN = "assign"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REOPEN = "reopen"
    LINK_SUBJECT = "link_subject"
    VIEW_ACCESS_LOG = "view_access_log"
    REFER = "refer"  # refer onward, withdraw referrals, apply action cards


# Actions open to the coordinator, and to the handler the case is assigned to.
_COORDINATOR_OR_ASSIGNEE = {
    Action.ACCEPT,
    Action.ASSIGN,
    Action.FOLLOW_UP,
    Action.CLOSE,
    Action.REFER,
}
_COORDINATOR_ONLY = {Action.REOPEN, Action.LINK_SUBJECT, Action.VIEW_ACCESS_LOG}


def _municipality_ids(user: User) -> list[int]:
    if user.organisation_id is None:
        return []
    return list(user.organisation.municipalities.values_list("pk", flat=True))


def handler_concerns_for(user: User) -> QuerySet[Concern]:
    """Every concern the user may handle. Inbox and case page both ask this one question."""
    if not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    granted = get_objects_for_user(
        user,
        HANDLE,
        klass=Concern,
        accept_global_perms=False,
        with_superuser=False,
        use_groups=False,
    )
    rule = Q(pk__in=granted.values("pk"))
    if user.has_role(Role.Code.RESOURCE_PERSON) and user.organisation_id:
        rule |= Q(reporter_organisation=user.organisation_id)
    if user.has_role(Role.Code.COORDINATOR):
        rule |= Q(municipality__in=_municipality_ids(user))
    return Concern.objects.exclude(status=Concern.Status.DRAFT).filter(rule)


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(reporter=user) | Q(pk__in=handler_concerns_for(user).values("pk"))
    )


def get_concern_for_user_or_404(user: User, public_id) -> Concern:
    try:
        return (
            concerns_visible_to(user)
            .select_related(
                "subject__district",
                "phenomenon",
                "assignee__organisation",
                "reporter_organisation",
                "municipality",
            )
            .get(public_id=public_id)
        )
    except (Concern.DoesNotExist, ValueError) as missing:
        raise Http404 from missing


def is_handler(user: User, concern: Concern) -> bool:
    return handler_concerns_for(user).filter(pk=concern.pk).exists()


def is_coordinator_for(user: User, concern: Concern) -> bool:
    return user.has_role(Role.Code.COORDINATOR) and concern.municipality_id in _municipality_ids(
        user
    )


def is_assignee(user: User, concern: Concern) -> bool:
    return concern.assignee_id is not None and concern.assignee.user_id == user.pk


def has_grant(user: User, concern: Concern) -> bool:
    return ConcernUserObjectPermission.objects.filter(
        user=user, content_object=concern, permission__codename=HANDLE
    ).exists()


def capabilities(user: User, concern: Concern) -> dict[Action, bool]:
    """Every action at once, with each underlying check made only once (for the case page)."""
    if not is_handler(user, concern):
        return dict.fromkeys(Action, False)
    coordinator = is_coordinator_for(user, concern)
    assignee = is_assignee(user, concern)
    return {
        action: action == Action.HANDLE
        or (action in _COORDINATOR_ONLY and coordinator)
        or (action in _COORDINATOR_OR_ASSIGNEE and (coordinator or assignee))
        for action in Action
    }


def can(user: User, action: Action, concern: Concern) -> bool:
    return capabilities(user, concern)[action]


def ensure_can(user: User, action: Action, concern: Concern) -> None:
    if not can(user, action, concern):
        raise PermissionDenied(_("You may not do this with this concern."))


def needs_stated_purpose(user: User, concern: Concern) -> bool:
    """Assigned and routed handlers open a case without more ado; others must say why."""
    return not (
        concern.reporter_id == user.pk or is_assignee(user, concern) or has_grant(user, concern)
    )


def can_edit_draft(user: User, concern: Concern) -> bool:
    return concern.is_draft and concern.reporter_id == user.pk


def handlers_to_notify(concern: Concern) -> list[User]:
    """Who acts on the concern now: the assignee's account, or else the coordinators."""
    if concern.assignee_id and concern.assignee.user_id and concern.assignee.user.is_active:
        return [concern.assignee.user]
    return list(
        User.objects.filter(
            is_active=True,
            roles__code=Role.Code.COORDINATOR,
            organisation__municipalities=concern.municipality_id,
        ).distinct()
    )
