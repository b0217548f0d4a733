"""Changing the routing rules. A changed rule never leaves access behind.

A rule gives the contacts it routes to a grant on each case it routed. When
the rule is changed, switched off or deleted, every case it routed is checked
again: where the rule would no longer send the case to that contact, the
routing decision is withdrawn and the grant is taken back, unless the person
has another reason to hold the case (another route, or an explicit
assignment).
"""

from django.db import transaction
from django.utils import timezone

from concerns import routing
from concerns.models import CaseEvent, Concern, RoutingDecision, RoutingRule
from concerns.permissions import GrantReason, revoke_case_access
from concerns.timeline import contact_ref, event_record
from partners.models import User


def _explicitly_assigned(concern: Concern) -> bool:
    return concern.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def _still_justified(concern: Concern, user_id: int) -> bool:
    """Whether the user has another reason to hold the case than the withdrawn route."""
    if concern.assignee_id and concern.assignee.user_id == user_id:
        return True
    return RoutingDecision.objects.filter(
        concern=concern, withdrawn_at__isnull=True, contact__user_id=user_id
    ).exists()


def _withdraw(decision: RoutingDecision, actor: User) -> None:
    concern = Concern.objects.select_for_update().get(pk=decision.concern_id)
    decision.withdrawn_at = timezone.now()
    decision._history_user = actor
    decision.save(update_fields=["withdrawn_at"])
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.ROUTING_WITHDRAWN,
        data={"contact": contact_ref(decision.contact), "rule": decision.rule_name},
    )
    # A primary route also made its contact the assignee; an assignment a
    # person made later is theirs, and stays.
    if (
        decision.is_primary
        and concern.assignee_id == decision.contact_id
        and not _explicitly_assigned(concern)
    ):
        concern.assignee = None
        concern.version += 1
        concern._history_user = actor
        concern.save(update_fields=["assignee", "version", "updated_at"])
    user = decision.contact.user if decision.contact_id else None
    if user is not None and not _still_justified(concern, user.pk):
        revoke_case_access(concern=concern, user=user, actor=actor, reason=GrantReason.RULE_CHANGED)


def routing_rule_recheck(*, rule: RoutingRule, actor: User) -> int:
    """Withdraw the rule's routes that it would no longer make. Returns how many."""
    withdrawn = 0
    decisions = (
        RoutingDecision.objects.filter(rule=rule, withdrawn_at__isnull=True)
        .select_related("contact__user", "concern__subject__district")
        .select_related("concern__municipality", "concern__reporter_organisation")
        .select_related("concern__phenomenon")
        .order_by("pk")
    )
    for decision in decisions:
        inputs = routing.RoutingInputs.of(decision.concern)
        if not routing.still_routes(rule, inputs, decision.contact):
            _withdraw(decision, actor)
            withdrawn += 1
    return withdrawn


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, actor: User) -> RoutingRule:
    rule.full_clean()
    rule._history_user = actor
    rule.save()
    routing_rule_recheck(rule=rule, actor=actor)
    return rule


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, actor: User) -> None:
    """Withdraw every route the rule made, then delete it; decisions keep its name."""
    rule.is_active = False
    routing_rule_recheck(rule=rule, actor=actor)
    rule._history_user = actor
    rule.delete()
