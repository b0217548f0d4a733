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

Grants are given and taken back only by the helpers at the end of this
module, and only to accounts that hold a case-handler role, so no registry
edit (a contact's account, a routing rule) can make someone else a handler.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import get_objects_for_user

from concerns.models import (
    CaseEvent,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from concerns.timeline import event_record
from partners.identity.services import access_denied_record
from partners.models import Role, User

HANDLE = "handle_concern"
VIEW_REFERRED = "view_referred_concern"
# Reading case content in the admin, for the rare emergency. Nothing else grants it.
BREAK_GLASS_PERMISSION = "concerns.break_glass"

# The roles whose holders may be given a case. Everyone else, registry and
# platform admins included, is untrusted with cases.
CASE_HANDLER_ROLES = frozenset(
    {Role.Code.COORDINATOR.value, Role.Code.RESOURCE_PERSON.value, Role.Code.POLICE_CONTACT.value}
)


def is_case_handler(user: User) -> bool:
    """Whether the account may hold a case at all (a role a platform admin gave it)."""
    return user.is_active and any(role.code in CASE_HANDLER_ROLES for role in user.roles.all())


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


def deny(user: User, what: str) -> Http404:
    """The 404 for an object that exists but is not the user's to see, written to the security log.

    Raise what this returns. The answer is the same as for a missing object.
    """
    access_denied_record(user=user, what=what)
    return Http404()


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
    except (Concern.DoesNotExist, ValueError, ValidationError) as missing:
        if Concern.objects.filter(public_id=str(public_id)).exists():
            raise deny(user, f"concern {public_id}") from missing
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


def coordinators_of(municipality_id: int) -> list[User]:
    """The active coordinators of a municipality: who takes a case nobody else holds."""
    return list(
        User.objects.filter(
            is_active=True,
            roles__code=Role.Code.COORDINATOR,
            organisation__municipalities=municipality_id,
        ).distinct()
    )


def handlers_to_notify(concern: Concern) -> list[User]:
    """Who acts on the concern now: the assignee's account, or else the coordinators."""
    if concern.assignee_id and concern.assignee.user_id and concern.assignee.user.is_active:
        return [concern.assignee.user]
    return coordinators_of(concern.municipality_id)


# --- grants -----------------------------------------------------------------------


class GrantReason(models.TextChoices):
    """Why someone got or lost access: stored as a code, shown in the reader's language."""

    ROUTED = "routed", gettext_lazy("routed")
    ASSIGNED = "assigned", gettext_lazy("assigned")
    REASSIGNED = "reassigned", gettext_lazy("reassigned")
    REFERRED = "referred", gettext_lazy("referral sent")
    REFERRAL_ENDED = "referral_ended", gettext_lazy("referral ended")
    RULE_CHANGED = "rule_changed", gettext_lazy("routing rule changed")


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="concerns", codename=codename)


def _grant(
    *, model, holder: dict, codename: str, concern: Concern, actor, label: str, reason: str
) -> bool:
    """Add one guardian grant on the concern and put it on the timeline. False if it was there."""
    permission = _permission(codename)
    if model.objects.filter(**holder, permission=permission, content_object=concern).exists():
        return False
    grant = model(**holder, permission=permission, content_object=concern)
    grant._history_user = actor
    grant.save()
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.ACCESS_GRANTED,
        data={"user": label, "reason": reason},
    )
    return True


def _revoke(*, model, holder: dict, concern: Concern, actor, label: str, reason: str) -> bool:
    grants = list(model.objects.filter(**holder, content_object=concern))
    for grant in grants:
        grant._history_user = actor
        grant.delete()
    if grants:
        event_record(
            concern=concern,
            actor=actor,
            kind=CaseEvent.Kind.ACCESS_REVOKED,
            data={"user": label, "reason": reason},
        )
    return bool(grants)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def grant_case_access(*, concern: Concern, user: User, actor: User | None, reason: str) -> bool:
    """Let `user` handle the concern. False when they already could, or may hold no case."""
    if not is_case_handler(user):
        return False
    return _grant(
        model=ConcernUserObjectPermission,
        holder={"user": user},
        codename=HANDLE,
        concern=concern,
        actor=actor,
        label=_name(user),
        reason=reason,
    )


def revoke_case_access(*, concern: Concern, user: User, actor: User | None, reason: str) -> bool:
    return _revoke(
        model=ConcernUserObjectPermission,
        holder={"user": user},
        concern=concern,
        actor=actor,
        label=_name(user),
        reason=reason,
    )


def grant_group_access(*, concern: Concern, group: Group, actor: User | None, label: str) -> bool:
    """Let a whole organisation see what a referral shares about the concern."""
    return _grant(
        model=ConcernGroupObjectPermission,
        holder={"group": group},
        codename=VIEW_REFERRED,
        concern=concern,
        actor=actor,
        label=label,
        reason=GrantReason.REFERRED,
    )


def revoke_group_access(*, concern: Concern, group: Group, actor: User | None, label: str) -> bool:
    return _revoke(
        model=ConcernGroupObjectPermission,
        holder={"group": group},
        concern=concern,
        actor=actor,
        label=label,
        reason=GrantReason.REFERRAL_ENDED,
    )
