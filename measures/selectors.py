"""Reads of the plans' reference data for the knowledge pages."""

from django.db.models import Prefetch

from measures.models import (
    ActionCard,
    ActionCardStep,
    Definition,
    FollowUpItem,
    Goal,
    GoalArea,
    Initiative,
    Measure,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
    SignCategory,
)


def trondheim_plan():
    return GoalArea.objects.select_related("municipality").prefetch_related(
        Prefetch(
            "measures",
            queryset=Measure.objects.order_by("number").prefetch_related("responsible"),
        )
    )


def aalborg_plan() -> dict:
    return {
        "goals": Goal.objects.all(),
        "initiatives": Initiative.objects.all(),
        "follow_up": FollowUpItem.objects.all(),
        "corps": PreventionCorps.objects.all(),
    }


def action_cards():
    return ActionCard.objects.prefetch_related(
        Prefetch("steps", queryset=ActionCardStep.objects.order_by("order"))
    )


def signs_guide() -> dict:
    return {
        "categories": SignCategory.objects.prefetch_related("signs"),
        "risk_factors": RiskFactor.objects.all(),
        "definitions": Definition.objects.all(),
    }


def phenomena():
    return Phenomenon.objects.all()
