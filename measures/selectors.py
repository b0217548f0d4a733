"""Reads of the plans' reference data for the knowledge pages."""

from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import ExtractYear

from concerns.models import CaseActivity
from measures.models import (
    ActionCard,
    ActionCardStep,
    Definition,
    FollowUpItem,
    Goal,
    GoalArea,
    Initiative,
    Measure,
    MeasureActivity,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
    SignCategory,
)
from referrals.models import Referral


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


def action_cards(municipality_ids):
    """The cards of the reader's own municipalities: each municipality has its own procedure."""
    return (
        ActionCard.objects.filter(municipality__in=municipality_ids)
        .select_related("municipality")
        .prefetch_related(Prefetch("steps", queryset=ActionCardStep.objects.order_by("order")))
        .order_by("municipality__name", "pk")
    )


def signs_guide() -> dict:
    return {
        "categories": SignCategory.objects.prefetch_related("signs"),
        "risk_factors": RiskFactor.objects.all(),
        "definitions": Definition.objects.all(),
    }


def phenomena():
    return Phenomenon.objects.all()


def measure_counts_by_year(measure: Measure) -> list[dict]:
    """Per year: case activities, plan activities with participants, and referrals asking for it.

    Counts only; nothing here names a person or a case.
    """
    rows: dict[int, dict] = {}

    def row(year: int) -> dict:
        return rows.setdefault(
            year,
            {
                "year": year,
                "case_activities": 0,
                "activities": 0,
                "participants": 0,
                "referrals": 0,
            },
        )

    for item in (
        CaseActivity.objects.filter(measures=measure)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"))
    ):
        row(item["year"])["case_activities"] = item["n"]
    for item in (
        MeasureActivity.objects.filter(measure=measure)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"), people=Sum("participants"))
    ):
        row(item["year"]).update(activities=item["n"], participants=item["people"] or 0)
    for item in (
        Referral.objects.filter(requested_measures=measure, sent_at__isnull=False)
        .annotate(year=ExtractYear("sent_at"))
        .values("year")
        .annotate(n=Count("pk"))
    ):
        row(item["year"])["referrals"] = item["n"]
    return sorted(rows.values(), key=lambda entry: entry["year"], reverse=True)
