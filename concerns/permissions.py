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

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns.models import (
    CaseEvent,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from concerns.timeline import event_record
from partners.identity.services import access_denied_record
from partners.models import Organisation, Role, User
from partners.permissions import CASE_HANDLER_ROLE_CODES

HANDLE = "handle_concern"
VIEW_REFERRED = "view_referred_concern"
# Reading case content in the admin, for the rare emergency. Nothing else grants it.
BREAK_GLASS_PERMISSION = "concerns.break_glass"

# The roles whose holders may be given a case. Everyone else, registry and
# platform admins included, is untrusted with cases. Kept in partners, whose
# single sign-on must know them and which cannot import concerns.
CASE_HANDLER_ROLES = CASE_HANDLER_ROLE_CODES


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


@dataclass(frozen=True)
class HandlerScope:
    """What a user handles by role, besides the cases granted to them one by one.

    The one rule behind every list and every case page. It is written as
    predicates PostgreSQL can serve from an index: a coordinator's
    municipality-wide view is a plain filter on `municipality_id`, a resource
    person's a filter on `reporter_organisation_id`, and individual grants an
    EXISTS on the direct-FK grant table (unique index user, permission,
    concern). A grant and a column are never OR-ed in one scan.
    """

    user_id: int
    municipality_ids: frozenset[int]  # as coordinator
    organisation_id: int | None  # as the organisation's resource person
    # Cases given one by one count only while the user holds a role that may
    # hold a case: someone whose identity provider took the role away (or a
    # platform admin did) loses them at once, though the grant rows stay with
    # the case until a coordinator gives it a new handler.
    grants_count: bool = True

    def role_q(self, prefix: str = "") -> Q | None:
        """The role part of the rule, on Concern (or through `prefix`, e.g. "content_object__")."""
        rule = None
        if self.municipality_ids:
            rule = Q(**{f"{prefix}municipality__in": self.municipality_ids})
        if self.organisation_id is not None:
            by_organisation = Q(**{f"{prefix}reporter_organisation": self.organisation_id})
            rule = by_organisation if rule is None else rule | by_organisation
        return rule

    def covers_by_role(self, concern: Concern) -> bool:
        return (
            concern.municipality_id in self.municipality_ids
            or concern.reporter_organisation_id == self.organisation_id
        )


def user_municipality_ids(user: User) -> list[int]:
    """The municipalities the user's organisation serves, read once per request."""
    if user.organisation_id is None:
        return []
    if "_municipality_ids" not in user.__dict__:
        user.__dict__["_municipality_ids"] = list(
            user.organisation.municipalities.values_list("pk", flat=True)
        )
    return user.__dict__["_municipality_ids"]


def handler_scope(user: User) -> HandlerScope | None:
    """The user's scope, worked out once per request (it is kept on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_handler_scope"):
        municipality_ids: frozenset[int] = frozenset()
        if user.has_role(Role.Code.COORDINATOR):
            municipality_ids = frozenset(user_municipality_ids(user))
        organisation_id = user.organisation_id if user.has_role(Role.Code.RESOURCE_PERSON) else None
        user._handler_scope = HandlerScope(
            user.pk, municipality_ids, organisation_id, grants_count=is_case_handler(user)
        )
    return user._handler_scope


def coordinated_municipality_ids(user: User) -> frozenset[int]:
    """Where the user is coordinator: who answers a person's access request, and retention."""
    scope = handler_scope(user)
    return scope.municipality_ids if scope is not None else frozenset()


def _grants(user: User) -> QuerySet[ConcernUserObjectPermission]:
    return ConcernUserObjectPermission.objects.filter(
        user=user.pk, permission=_permission_id(HANDLE)
    )


def handler_concerns_for(user: User) -> QuerySet[Concern]:
    """Every concern the user may handle. Inbox and case page both ask this one question."""
    scope = handler_scope(user)
    if scope is None:
        return Concern.objects.none()
    # Every status but a draft (a draft is its reporter's alone), asked as one
    # inequality: PostgreSQL tests it on every case it counts, and a list of
    # the five other statuses took it a fifth longer.
    submitted = Concern.objects.exclude(status=Concern.Status.DRAFT)
    rule = scope.role_q()
    if rule is None:
        if not scope.grants_count:
            return Concern.objects.none()
        return submitted.filter(Exists(_grants(user).filter(content_object=OuterRef("pk"))))
    # Grants outside the role's scope are rare (a case assigned across
    # municipalities); fetched as ids, they keep the query a plain index scan.
    # Asked once per request (and again after any grant changes).
    cached = user.__dict__.get("_grants_outside_scope")
    if cached is not None and cached[0] == _grant_generation:
        outside = cached[1]
    else:
        outside = list(_grants_outside(user, scope).values_list("content_object_id", flat=True))
        user.__dict__["_grants_outside_scope"] = (_grant_generation, outside)
    if outside:
        rule |= Q(pk__in=outside)
    return submitted.filter(rule)


def grants_only(user: User) -> bool:
    """Whether every case the user handles comes from a grant (a police contact, say)."""
    scope = handler_scope(user)
    return scope is not None and scope.grants_count and scope.role_q() is None


def granted_newest_first(user: User) -> QuerySet[Concern]:
    """For a user whose cases all come from grants: handler_concerns_for(user), newest first.

    Read in order from the grants' own index (concern_grant_recent), which
    carries each case's submission time: a page of 50 reads some 50 grants,
    not every case the user was ever given.
    """
    return (
        Concern.objects.exclude(status=Concern.Status.DRAFT)
        .filter(
            concernuserobjectpermission__user=user.pk,
            concernuserobjectpermission__permission=_permission_id(HANDLE),
        )
        .order_by(
            "-concernuserobjectpermission__submitted_at",
            "-concernuserobjectpermission__content_object",
        )
    )


def granted_per_status(user: User) -> dict[str, int]:
    """For a user whose cases all come from grants: how many per status, from the grants alone."""
    rows = (
        _grants(user)
        .exclude(concern_status=Concern.Status.DRAFT)
        .order_by()
        .values_list("concern_status")
        .annotate(count=Count("*"))
    )
    return dict(rows)


def _grants_outside(user: User, scope: HandlerScope) -> QuerySet[ConcernUserObjectPermission]:
    """The user's grants on cases their role does not cover, asked in the shape that reads least.

    A coordinator's grants are few beside the municipality's cases: each is
    looked up. A resource person is granted most of their organisation's
    cases: looking each up read thousands of rows, where an anti-join with
    the organisation's keys (read from a covering index) reads about as many
    as the organisation has cases.
    """
    if scope.municipality_ids:
        return _grants(user).exclude(scope.role_q(prefix="content_object__"))
    in_scope = Concern.objects.filter(scope.role_q(), pk=OuterRef("content_object_id"))
    return _grants(user).exclude(Exists(in_scope))


def deny(user: User, what: str) -> Http404:
    """The 404 for an object that exists but is not the user's to see, written to the security log.

    Raise what this returns. The answer is the same as for a missing object.
    """
    access_denied_record(user=user, what=what)
    return Http404()


class CaseAccess:
    """Everything the case page needs to know about one user and one case, each asked once.

    The grant is looked up only when an answer turns on it: a handler by role
    who is also the assignee opens the case without it, one query fewer.
    """

    def __init__(self, user: User, concern: Concern, scope: HandlerScope | None):
        self._user = user
        self._concern = concern
        self._scope = scope
        self.is_reporter = scope is not None and is_reporter_of(user, concern)

    @cached_property
    def has_grant(self) -> bool:
        return (
            self._scope is not None
            and self._scope.grants_count
            and _grants(self._user).filter(content_object=self._concern.pk).exists()
        )

    @cached_property
    def is_handler(self) -> bool:
        return (
            self._scope is not None
            and not self._concern.is_draft
            and (self._scope.covers_by_role(self._concern) or self.has_grant)
        )

    @cached_property
    def is_coordinator(self) -> bool:
        return self.is_handler and self._concern.municipality_id in self._scope.municipality_ids

    @cached_property
    def is_assignee(self) -> bool:
        return self.is_handler and is_assignee(self._user, self._concern)

    @property
    def may_see(self) -> bool:
        return self.is_reporter or self.is_handler


def case_access(user: User, concern: Concern) -> CaseAccess:
    """The same rule as handler_concerns_for, for one case: at most one query (for a grant)."""
    scope = handler_scope(user)
    if scope is None:
        return CaseAccess(user, concern, None)
    cache = user.__dict__.setdefault("_case_access", {})
    key = (concern.pk, concern.status, concern.assignee_id, _grant_generation)
    if key not in cache:
        cache[key] = CaseAccess(user, concern, scope)
    return cache[key]


# Bumped whenever this process gives or takes a grant: a cached answer about
# any user is then asked again, whichever Python object holds that user.
_grant_generation = 0


def _grants_changed() -> None:
    global _grant_generation
    _grant_generation += 1


def get_concern_for_user_or_404(user: User, public_id) -> Concern:
    """The concern by its public id, if the user may see it; 404 otherwise, and logged.

    Fetched by its unique id first, then checked with the same rule as the lists.
    """
    try:
        # Not the municipality: the case page never shows it, and with it the
        # join took PostgreSQL longer to plan (some 1.5 ms) than a page that
        # needs it takes to fetch it by its key.
        concern = Concern.objects.select_related(
            "subject__district",
            "phenomenon",
            "assignee__organisation",
            "reporter_organisation",
        ).get(public_id=public_id)
    except (Concern.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    if not case_access(user, concern).may_see:
        raise deny(user, f"concern {public_id}")
    return concern


def reported_by(user: User) -> Q:
    """A reporter's own concerns: those she filed from the organisation she is in now.

    A reporter who moves to another agency (a new organisation from her
    identity provider, or from a platform admin) no longer sees what she filed
    in the old one; the coordinators who handle it still do.
    """
    return Q(reporter=user.pk, reporter_organisation=user.organisation_id)


def is_reporter_of(user: User, concern: Concern) -> bool:
    return (
        concern.reporter_id == user.pk and concern.reporter_organisation_id == user.organisation_id
    )


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    """The reporter's own concerns and the ones the user handles (for small sets only)."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(
        reported_by(user) | Q(pk__in=handler_concerns_for(user).values("pk"))
    )


def is_handler(user: User, concern: Concern) -> bool:
    return case_access(user, concern).is_handler


def is_coordinator_for(user: User, concern: Concern) -> bool:
    return case_access(user, concern).is_coordinator


def is_assignee(user: User, concern: Concern) -> bool:
    return concern.assignee_id is not None and concern.assignee.user_id == user.pk


def has_grant(user: User, concern: Concern) -> bool:
    return case_access(user, concern).has_grant


def capabilities(user: User, concern: Concern) -> dict[Action, bool]:
    """Every action at once, with each underlying check made only once (for the case page)."""
    access = case_access(user, concern)
    if not access.is_handler:
        return dict.fromkeys(Action, False)
    coordinator, assignee = access.is_coordinator, access.is_assignee
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
    access = case_access(user, concern)
    return not (access.is_reporter or access.is_assignee or access.has_grant)


def can_edit_draft(user: User, concern: Concern) -> bool:
    return concern.is_draft and is_reporter_of(user, concern)


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
    HANDLER_LEFT = "handler_left", gettext_lazy("no longer in the role or organisation")


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="concerns", codename=codename)


# Permission ids, asked once per process: every list and case page needs the
# grant permission's id, and it changes only when migrations run (or a test
# flushes the database), which is when post_migrate empties this.
_permission_ids: dict[str, int] = {}


def _permission_id(codename: str) -> int:
    if codename not in _permission_ids:
        _permission_ids[codename] = _permission(codename).pk
    return _permission_ids[codename]


@receiver(post_migrate, dispatch_uid="concerns.permissions.forget_permission_ids")
def _forget_permission_ids(**kwargs) -> None:
    _permission_ids.clear()


def _grant(
    *,
    model,
    holder: dict,
    codename: str,
    concern: Concern,
    actor,
    label: str,
    reason: str,
    copies: dict | None = None,
) -> bool:
    """Add one guardian grant on the concern and put it on the timeline. False if it was there."""
    permission = _permission(codename)
    if model.objects.filter(**holder, permission=permission, content_object=concern).exists():
        return False
    grant = model(**holder, permission=permission, content_object=concern, **(copies or {}))
    grant._history_user = actor
    grant.save()
    _grants_changed()
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
    _grants_changed()
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
        copies={"submitted_at": concern.submitted_at, "concern_status": concern.status},
    )


def grants_follow_status(concern: Concern) -> None:
    """Keep the status copied on the case's grants (ConcernUserObjectPermission) the case's own.

    Called wherever a case changes status, in the same transaction.
    """
    ConcernUserObjectPermission.objects.filter(content_object=concern).exclude(
        concern_status=concern.status
    ).update(concern_status=concern.status)


def revoke_case_access(*, concern: Concern, user: User, actor: User | None, reason: str) -> bool:
    return _revoke(
        model=ConcernUserObjectPermission,
        holder={"user": user},
        concern=concern,
        actor=actor,
        label=_name(user),
        reason=reason,
    )


def assigned_to_someone_who_cannot_act() -> Q:
    """On Concern: assigned to a contact whose account cannot handle the case now.

    Switched off, without a role that may hold a case, no longer in the
    contact's organisation, or no longer able to see the case: neither by
    role (coordinator of its municipality, resource person of its reporter's
    organisation) nor by the grant an assignment gives (taken back when a
    role ended). The same rule as handler_concerns_for, asked the other way
    round, for the coordinator's "needs a new handler" page.
    """

    def holds(codes) -> Exists:
        return Exists(
            User.roles.through.objects.filter(
                user=OuterRef("assignee__user"), role__code__in=list(codes)
            )
        )

    serves_municipality = Exists(
        Organisation.municipalities.through.objects.filter(
            organisation=OuterRef("assignee__user__organisation"),
            municipality=OuterRef("municipality"),
        )
    )
    grant = ConcernUserObjectPermission.objects.filter(
        user=OuterRef("assignee__user"),
        content_object=OuterRef("pk"),
        permission=_permission_id(HANDLE),
    )
    sees_it = (
        (holds([Role.Code.COORDINATOR]) & serves_municipality)
        | (
            holds([Role.Code.RESOURCE_PERSON])
            & Q(reporter_organisation=F("assignee__user__organisation"))
        )
        | Exists(grant)
    )
    return Q(assignee__user__isnull=False) & (
        Q(assignee__user__is_active=False)
        | ~holds(CASE_HANDLER_ROLES)
        | ~Q(assignee__user__organisation=F("assignee__organisation"))
        | ~sees_it
    )


def revoke_all_case_access(*, user: User, reason: str) -> int:
    """Take back every case given to `user` one by one: each goes on its case's timeline."""
    concerns = Concern.objects.filter(pk__in=_grants(user).values("content_object_id")).order_by(
        "pk"
    )
    return sum(
        revoke_case_access(concern=concern, user=user, actor=None, reason=reason)
        for concern in concerns
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
