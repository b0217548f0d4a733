"""Reference data and demo users load idempotently."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from concerns.models import CaseEvent, Concern, RoutingRule
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
    Meeting,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
    Sign,
    SignCategory,
)
from mentoring.models import Mentorship
from partners.models import (
    Contact,
    District,
    KontaktforumMembership,
    Municipality,
    Organisation,
    User,
)

MODELS = [
    Municipality,
    District,
    Organisation,
    Contact,
    KontaktforumMembership,
    Phenomenon,
    SignCategory,
    Sign,
    ActionCard,
    ActionCardStep,
    GoalArea,
    Measure,
    Goal,
    Initiative,
    FollowUpItem,
    PreventionCorps,
    RiskFactor,
    Definition,
    RoutingRule,
]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_loading_the_reference_data_twice_changes_nothing():
    call_command("load_reference_data", verbosity=0)
    first = _counts()
    measure_links = Measure.responsible.through.objects.count()
    call_command("load_reference_data", verbosity=0)
    assert _counts() == first
    assert Measure.responsible.through.objects.count() == measure_links
    assert all(count > 0 for count in first.values()), first


@pytest.mark.django_db
def test_the_fixtures_hold_both_municipalities_trondheims_districts_and_the_taxonomies():
    call_command("load_reference_data", verbosity=0)
    assert set(Municipality.objects.values_list("name", flat=True)) == {
        "Trondheim kommune",
        "Aalborg Kommune",
        # Trondheim's neighbour in the same police district.
        "Malvik kommune",
    }
    police = Organisation.objects.get(slug="trondelag-politidistrikt")
    assert set(police.municipalities.values_list("code", flat=True)) == {"trondheim", "malvik"}
    assert set(
        District.objects.filter(municipality__code="trondheim").values_list("name", flat=True)
    ) == {
        "Midtbyen",
        "Østbyen",
        "Lerkendal",
        "Heimdal",
    }
    assert set(Phenomenon.objects.values_list("code", flat=True)) == {
        "right_wing",
        "left_wing",
        "single_issue",
        "religious",
        "unclear",
    }
    assert set(SignCategory.objects.values_list("code", flat=True)) == {
        "relations",
        "behaviour",
        "attitudes",
        "youth_environment",
        "community",
    }
    assert all(category.signs.exists() for category in SignCategory.objects.all())
    # The switchboard numbers printed in the Trondheim plan.
    assert Contact.objects.get(name="SLT-koordinator").phone == "952 63 621"
    assert Contact.objects.get(name="Prosjektmedarbeider").phone == "952 63 795"


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_per_municipality_and_a_second_run_changes_nothing():
    call_command("load_reference_data", verbosity=0)
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    users = {user.username: user for user in User.objects.prefetch_related("roles")}
    hashes = {name: user.password for name, user in users.items()}

    call_command("seed_demo", stdout=io.StringIO())

    # One per role in Trondheim and Aalborg, Malvik's coordinator (to receive
    # transferred cases), and one platform admin who belongs to none.
    assert len(users) == 14
    malvik = users["mal-coordinator"]
    assert [role.code for role in malvik.roles.all()] == ["coordinator"]
    assert list(malvik.organisation.municipalities.values_list("code", flat=True)) == ["malvik"]
    assert [role.code for role in users["platform-admin"].roles.all()] == ["platform_admin"]
    assert users["platform-admin"].organisation is None
    for prefix, municipality in [("trd", "trondheim"), ("aal", "aalborg")]:
        mine = [user for name, user in users.items() if name.startswith(prefix)]
        assert {role.code for user in mine for role in user.roles.all()} == {
            "frontline",
            "resource_person",
            "coordinator",
            "police_contact",
            "mentor",
            "registry_admin",
        }
        assert all(
            user.organisation.municipalities.filter(code=municipality).exists() for user in mine
        )
    assert {user.username: user.password for user in User.objects.all()} == hashes
    assert "demo-passord-2026" in output.getvalue()
    assert "trd-frontline" in output.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_under_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_cases_are_filed_through_the_services_once(settings):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_cases", stdout=io.StringIO())
    filed = Concern.objects.count()
    recent = Concern.objects.filter(submitted_at__gte=timezone.now() - datetime.timedelta(hours=1))
    assert recent.count() == 6
    assert not Concern.objects.filter(status=Concern.Status.DRAFT).exists()
    # Routed on submit, as any concern: every case has a routing event and a reference.
    assert not Concern.objects.exclude(events__kind=CaseEvent.Kind.ROUTED).exists()
    assert recent.filter(status=Concern.Status.CLOSED).count() == 1
    assert recent.filter(status=Concern.Status.ASSIGNED).get().assignee.name == (
        "Radikaliseringskontakt"
    )
    # And a year and a half of finished, evaluated cases for the statistics page.
    history = Concern.objects.exclude(pk__in=recent)
    assert history.count() >= 50
    assert not history.exclude(status=Concern.Status.CLOSED).exists()
    assert not history.filter(evaluation__isnull=True).exists()
    quarters = {
        (local.year, (local.month - 1) // 3)
        for local in (timezone.localtime(c.submitted_at) for c in history)
    }
    assert len(quarters) == 6
    assert all(
        c.first_assigned_at > c.submitted_at for c in history.exclude(first_assigned_at=None)
    )
    call_command("seed_demo_cases", stdout=io.StringIO())
    assert Concern.objects.count() == filed

    # Each demo mentor has one active mentorship with sessions and ratings: a chart at once.
    for username in ("trd-mentor", "aal-mentor"):
        mentorship = Mentorship.objects.get(mentor__user__username=username)
        assert mentorship.status == Mentorship.Status.ACTIVE
        assert mentorship.sessions.count() >= 2 and mentorship.ratings.exists()

    # A past Kontaktforum with approved minutes, an upcoming SSP meeting, a safety walk.
    assert Meeting.objects.get(kind__code="kontaktforum").status == Meeting.Status.APPROVED
    ssp = Meeting.objects.get(kind__code="ssp")
    assert ssp.starts_at > timezone.now() and ssp.items.filter(named=True).exists()
    assert Meeting.objects.filter(kind__code="tryghedsvandring", place="Gandrup").exists()
    assert Meeting.objects.count() == 3  # made once

    settings.DEMO_DATA_ALLOWED = False
    # A case cannot be deleted under its mentorship (PROTECT): clear both, then try again.
    Mentorship.objects.all().delete()
    # Nor under a meeting's agenda (PROTECT), whose plan activity keeps the meeting.
    MeasureActivity.objects.filter(meeting__isnull=False).delete()
    Meeting.objects.all().delete()
    Concern.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("seed_demo_cases", stdout=io.StringIO())
    assert not Concern.objects.exists()
