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
from mentoring.models import GroupSession, MentorSession
from referrals.models import Referral

# Trondheim's measure 3 is mentor follow-up: mentor sessions count under it.
MENTOR_MEASURE_NUMBER = 3


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


def plan_counts_by_year(item: Measure | Initiative) -> list[dict]:
    """Per year: case activities, plan activities with participants, and referrals asking for it.

    For a Trondheim measure or an Aalborg initiative. Counts only; nothing
    here names a person or a case.
    """
    if isinstance(item, Measure):
        on_case, on_plan, on_referral = "measures", "measure", "requested_measures"
    else:
        on_case, on_plan, on_referral = "initiatives", "initiative", "requested_initiatives"
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

    for entry in (
        CaseActivity.objects.filter(**{on_case: item})
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"))
    ):
        row(entry["year"])["case_activities"] = entry["n"]
    for entry in (
        MeasureActivity.objects.filter(**{on_plan: item})
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"), people=Sum("participants"))
    ):
        row(entry["year"]).update(activities=entry["n"], participants=entry["people"] or 0)
    # The exit programme's work: group sessions under the item they name, and every
    # mentor session under Trondheim's measure 3 (mentor follow-up).
    for entry in (
        GroupSession.objects.filter(**{on_plan: item})
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"), people=Sum("participants"))
    ):
        counts = row(entry["year"])
        counts["activities"] += entry["n"]
        counts["participants"] += entry["people"] or 0
    if isinstance(item, Measure) and item.number == MENTOR_MEASURE_NUMBER:
        for entry in (
            MentorSession.objects.filter(mentorship__concern__municipality=item.municipality_id)
            .annotate(year=ExtractYear("date"))
            .values("year")
            .annotate(n=Count("pk"))
        ):
            row(entry["year"])["case_activities"] += entry["n"]
    for entry in (
        Referral.objects.filter(**{on_referral: item}, sent_at__isnull=False)
        .annotate(year=ExtractYear("sent_at"))
        .values("year")
        .annotate(n=Count("pk"))
    ):
        row(entry["year"])["referrals"] = entry["n"]
    return sorted(rows.values(), key=lambda entry: entry["year"], reverse=True)
