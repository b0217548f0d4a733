import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.services.work import case_activity_record
from measures.models import Measure, MeasureActivity
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
