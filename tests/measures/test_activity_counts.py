import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from concerns.models import CaseActivity, Concern
from concerns.services.work import case_activity_record
from measures.models import Goal, Initiative, Measure, MeasureActivity
from measures.selectors import plan_counts_by_year
from measures.services import measure_activity_record
from partners.models import Contact, Role
from referrals.services import ReferralDetails, referral_create, referral_send
from tests.factories import ConcernFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, legal_bases):
    call_command("load_reference_data", verbosity=0)
    trondheim = people.alice.organisation.municipalities.get()
    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000001",
        assignee=ContactFactory(
            organisation=people.charlie.organisation,
            role=Contact.Role.COORDINATOR,
            user=coordinator,
        ),
    )
    return {"coordinator": coordinator, "concern": concern, "mentor": Measure.objects.get(number=3)}


def test_counts_per_measure_and_year(world):
    coordinator, concern, mentoring = world["coordinator"], world["concern"], world["mentor"]
    kontaktforum = Measure.objects.get(number=2)
    for date in (datetime.date(2025, 3, 1), datetime.date(2026, 2, 1), datetime.date(2026, 5, 1)):
        case_activity_record(
            concern=concern,
            actor=coordinator,
            kind="meeting",
            date=date,
            organisations=[],
            notes="",
            measures=[mentoring],
        )
    measure_activity_record(
        actor=coordinator,
        measure=mentoring,
        kind="seminar",
        date=datetime.date(2026, 4, 1),
        organisations=[],
        participants=25,
    )
    measure_activity_record(
        actor=coordinator,
        measure=mentoring,
        kind="course",
        date=datetime.date(2026, 9, 1),
        organisations=[],
        participants=10,
    )
    measure_activity_record(
        actor=coordinator,
        measure=kontaktforum,
        kind="kontaktforum_meeting",
        date=datetime.date(2026, 1, 1),
        organisations=[],
        participants=12,
    )
    referral = referral_create(
        concern=concern,
        actor=coordinator,
        details=ReferralDetails(
            receiving_organisation=concern.reporter.organisation,
            receiving_contact=None,
            reason="Mentor",
            shared_information="Behov for mentor",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate(),
            requested_measures=[mentoring],
        ),
    )
    referral_send(referral=referral, actor=coordinator)
    this_year = timezone.now().year

    counts = {row["year"]: row for row in plan_counts_by_year(mentoring)}

    assert counts[2025] == {
        "year": 2025,
        "case_activities": 1,
        "activities": 0,
        "participants": 0,
        "referrals": 0,
    }
    assert counts[2026]["case_activities"] == 2
    assert counts[2026]["activities"] == 2 and counts[2026]["participants"] == 35
    assert counts[this_year]["referrals"] == 1
    assert plan_counts_by_year(kontaktforum)[0]["activities"] == 1


def test_plan_activities_hold_no_personal_data_and_need_the_right_role(world, people):
    fields = {field.name for field in MeasureActivity._meta.get_fields()}
    assert not fields & {"subject", "concern", "name", "notes"}
    with pytest.raises(ValidationError):
        measure_activity_record(
            actor=people.alice,
            measure=world["mentor"],
            kind="course",
            date=timezone.localdate(),
            organisations=[],
            participants=3,
        )


def test_the_measure_page_shows_counts_and_records_activities(client, world):
    client.force_login(world["coordinator"])
    url = reverse("measures:measure", args=[world["mentor"].pk])
    response = client.post(url, {"kind": "seminar", "date": "2026-03-03", "participants": "40"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<td>2026</td>" in page and "<td>40</td>" in page
    bad = client.post(url, {"kind": "seminar", "date": "2099-01-01", "participants": "0"})
    assert bad.status_code == 200 and MeasureActivity.objects.count() == 1


@pytest.fixture
def aalborg_case(people, legal_bases):
    call_command("load_reference_data", verbosity=0)
    aalborg = people.dana.organisation.municipalities.get()
    coordinator = UserFactory(organisation=people.dana.organisation, roles=[Role.Code.COORDINATOR])
    concern = ConcernFactory(
        reporter=people.dana,
        municipality=aalborg,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000002",
        assignee=ContactFactory(
            organisation=people.dana.organisation, role=Contact.Role.COORDINATOR, user=coordinator
        ),
    )
    return {"coordinator": coordinator, "concern": concern}


def test_aalborg_counts_its_work_per_initiative_and_goal(client, aalborg_case):
    coordinator, concern = aalborg_case["coordinator"], aalborg_case["concern"]
    prevention = Initiative.objects.get(municipality__code="aalborg", number=6)
    early = Goal.objects.get(municipality__code="aalborg", number=4)
    client.force_login(coordinator)
    # The case form offers Aalborg's initiatives and goals, not Trondheim's measures.
    form = client.get(
        reverse("concerns:action", args=[concern.public_id, "activity"])
    ).content.decode()
    assert 'name="initiatives"' in form and 'name="goals"' in form
    assert 'name="measures"' not in form
    response = client.post(
        reverse("concerns:action", args=[concern.public_id, "activity"]),
        {
            "kind": "meeting",
            "date": "2026-03-02",
            "initiatives": [prevention.pk],
            "goals": [early.pk],
            "version": concern.version,
        },
    )
    assert response.status_code == 302
    activity = CaseActivity.objects.get(concern=concern)
    assert list(activity.initiatives.all()) == [prevention]
    assert list(activity.goals.all()) == [early]

    # Plan work on the initiative's own page, with the goals it serves.
    page = reverse("measures:initiative", args=[prevention.pk])
    recorded = client.post(
        page, {"kind": "seminar", "date": "2026-04-01", "participants": "30", "goals": [early.pk]}
    )
    assert recorded.status_code == 302
    plan_work = MeasureActivity.objects.get(initiative=prevention)
    assert plan_work.measure is None and list(plan_work.goals.all()) == [early]
    assert {row.history_user for row in plan_work.history.all()} == {coordinator}
    counts = {row["year"]: row for row in plan_counts_by_year(prevention)}
    assert counts[2026]["case_activities"] == 1 and counts[2026]["participants"] == 30


def test_an_activity_cannot_count_toward_another_municipalitys_plan(world):
    trondheim_case = world["concern"]
    aalborg_initiative = Initiative.objects.get(municipality__code="aalborg", number=1)
    with pytest.raises(ValidationError):
        case_activity_record(
            concern=trondheim_case,
            actor=world["coordinator"],
            kind="meeting",
            date=timezone.localdate(),
            organisations=[],
            notes="",
            measures=[],
            initiatives=[aalborg_initiative],
        )
    assert not CaseActivity.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureActivity.objects.create(
            kind="course",
            date=timezone.localdate(),
            participants=1,
            created_by=world["coordinator"],
        )
