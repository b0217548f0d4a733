"""The plans' reference data, exactly as the fixtures ship it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.models import (
    ActionCard,
    Definition,
    FollowUpItem,
    Goal,
    GoalArea,
    Initiative,
    Measure,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(db):
    call_command("load_reference_data", verbosity=0)


def test_trondheim_has_14_measures_in_4_goal_areas_each_with_a_responsible_organisation(reference):
    assert GoalArea.objects.filter(municipality__code="trondheim").count() == 4
    measures = Measure.objects.filter(municipality__code="trondheim").prefetch_related(
        "responsible"
    )
    assert sorted(measure.number for measure in measures) == list(range(1, 15))
    assert all(measure.responsible.exists() for measure in measures)
    by_area = {
        area.number: sorted(area.measures.values_list("number", flat=True))
        for area in GoalArea.objects.all()
    }
    assert by_area == {1: [1, 2, 3, 4, 5], 2: [6, 7, 8, 9], 3: [10, 11, 12], 4: [13, 14]}


def test_measure_titles_are_verbatim_from_the_plan(reference):
    titles = dict(Measure.objects.values_list("number", "title"))
    assert titles[2].startswith("Kontaktforum")
    # The seed's overview calls measure 8 "Tiltak 7" by a typo; the measure itself is number 8.
    assert titles[8].startswith("Dialogmøter, seminarer og konferanser")
    assert titles[14].startswith("Kurs og opplæring")


def test_aalborg_has_5_goals_6_initiatives_3_follow_up_items_and_3_corps(reference):
    assert Goal.objects.filter(municipality__code="aalborg").count() == 5
    assert list(Initiative.objects.values_list("title", flat=True)) == [
        "Formidling",
        "Et trygt natteliv",
        "En meningsfuld hverdag",
        "Børn og unges trivsel og udvikling",
        "Tryghedsvandringer",
        "Tiltag til forebyggelse af radikalisering",
    ]
    assert FollowUpItem.objects.count() == 3
    assert set(PreventionCorps.objects.values_list("name", flat=True)) == {
        "Mentorkorpset",
        "Forældrecoachkorpset",
        "Dialogambassadørkorpset",
    }


def test_each_municipality_has_its_own_action_cards_with_ordered_steps(reference):
    cards = ActionCard.objects.prefetch_related("steps").select_related("municipality")
    aalborg = {(c.situation, c.age_band) for c in cards if c.municipality.code == "aalborg"}
    trondheim = {(c.situation, c.age_band) for c in cards if c.municipality.code == "trondheim"}
    assert aalborg == {
        ("radicalisation", "under_18"),
        ("radicalisation", "18_plus"),
        ("conflict_travel", "under_18"),
        ("conflict_travel", "18_plus"),
    }
    assert trondheim == {
        ("radicalisation", ""),
        ("conflict_travel", ""),
        ("raised_by_parent", ""),
    }
    for card in cards:
        orders = [step.order for step in card.steps.all()]
        assert len(orders) >= 3, card.code
        assert orders == list(range(1, len(orders) + 1)), card.code
        assert all(step.text_da and step.text_nb and step.text_en for step in card.steps.all())


def test_risk_factors_definitions_and_phenomenon_guidance(reference):
    assert RiskFactor.objects.count() == 5
    assert set(Definition.objects.values_list("code", flat=True)) == {
        "radikalisering",
        "ekstremisme",
    }
    assert all(p.guidance_nb and p.guidance_da and p.guidance_en for p in Phenomenon.objects.all())


def test_knowledge_pages_show_the_fixture_texts(client, people, reference):
    client.force_login(people.alice)
    plans = client.get(reverse("measures:plans")).content.decode()
    assert Measure.objects.get(number=13).title in plans
    assert "Tryghedsvandringer" in plans
    cards = client.get(reverse("measures:action_cards")).content.decode()
    step = ActionCard.objects.get(code="trd-conflict-travel").steps.last()
    assert step.text_nb in cards  # the page is in nb by default
    # alice works in Trondheim: nothing of Aalborg's procedure.
    assert "INFO-huset" not in cards
    assert "underretning" not in cards
    signs = client.get(reverse("measures:signs")).content.decode()
    assert RiskFactor.objects.first().text_nb in signs
    assert "Radikalisering" in signs
    phenomena = client.get(reverse("measures:phenomena")).content.decode()
    assert Phenomenon.objects.get(code="right_wing").guidance_nb[:40] in phenomena
