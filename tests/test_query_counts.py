"""Every list and the case page make the same number of queries for little and for more data.

An N+1 (a query per row, per event, per organisation) or a count that grows
with the data fails here. Speed itself is the benchmark's job
(`manage.py bench`, docs/performance.md), not the test suite's.
"""

import datetime
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import CaseEvent, Concern, Notification, NotificationKind, Reminder
from concerns.permissions import GrantReason, grant_case_access
from concerns.services import concern_add_note, concern_assign
from concerns.services.work import case_activity_record
from partners.models import Contact, Organisation, Role
from referrals.services import ReferralDetails, referral_create, referral_send
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    DistrictFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(people, trondheim, legal_bases):
    """A coordinator, a police contact, a resource person, a receiving agency and a reporter."""
    slt = OrganisationFactory(slug="slt-q", municipalities=[trondheim])
    police_org = OrganisationFactory(slug="politi-q", kind="police", municipalities=[trondheim])
    nav = OrganisationFactory(
        slug="nav-q", kind=Organisation.Kind.STATE, municipalities=[trondheim]
    )
    coordinator = UserFactory(username="koord", organisation=slt, roles=[Role.Code.COORDINATOR])
    police = UserFactory(username="pol", organisation=police_org, roles=[Role.Code.POLICE_CONTACT])
    resource = UserFactory(
        username="ress", organisation=people.alice.organisation, roles=[Role.Code.RESOURCE_PERSON]
    )
    nav_worker = UserFactory(username="nav", organisation=nav, roles=[Role.Code.RESOURCE_PERSON])
    return {
        "coordinator": coordinator,
        "coordinator_contact": ContactFactory(
            organisation=slt, role=Contact.Role.COORDINATOR, user=coordinator
        ),
        "police": police,
        "police_contact": ContactFactory(
            organisation=police_org, role=Contact.Role.POLICE_RADICALISATION, user=police
        ),
        "resource": resource,
        "nav": nav,
        "nav_worker": nav_worker,
        "reporter": people.alice,
        "municipality": trondheim,
    }


def _add(scene, count: int, subject=None) -> list[Concern]:
    """`count` concerns as the workflow leaves them: routed, granted, noted, referred."""
    made = []
    for _ in range(count):
        n = Concern.objects.count() + 1
        concern = ConcernFactory(
            reporter=scene["reporter"],
            municipality=scene["municipality"],
            status=Concern.Status.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(hours=n),
            reference=f"BEK-2026-{n:06d}",
            subject=subject
            or SubjectFactory(
                municipality=scene["municipality"],
                district=DistrictFactory(municipality=scene["municipality"], name=f"Bydel {n}"),
            ),
        )
        for user in (scene["coordinator"], scene["police"]):
            grant_case_access(
                concern=concern, user=user, actor=scene["coordinator"], reason=GrantReason.ROUTED
            )
        concern_add_note(concern=concern, actor=scene["coordinator"], text=f"Notat {n}")
        referral = referral_create(
            concern=concern,
            actor=scene["coordinator"],
            details=ReferralDetails(
                receiving_organisation=scene["nav"],
                receiving_contact=None,
                reason="Arbeid.",
                shared_information="Delt.",
                legal_basis="consent",
                legal_basis_other="",
                response_due=timezone.localdate() + datetime.timedelta(days=7),
            ),
        )
        referral_send(referral=referral, actor=scene["coordinator"])
        reminder = Reminder.objects.create(
            kind=NotificationKind.CONCERN_ROUTED,
            object_id=concern.pk,
            occurrence=f"q{n}",
            concern=concern,
            due_at=timezone.now(),
            reference=concern.reference,
        )
        for user in (scene["coordinator"], scene["reporter"], scene["nav_worker"]):
            Notification.objects.create(user=user, reminder=reminder)
        made.append(concern)
    return made


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if os.environ.get("SHOW_QUERIES"):
        print(len(queries), *(query["sql"][:150] for query in queries), sep="\n")
    return len(queries)


LISTS = {
    "coordinator's inbox": ("coordinator", lambda s: reverse("concerns:inbox")),
    "inbox with a search": ("coordinator", lambda s: reverse("concerns:inbox") + "?q=propaganda"),
    "police contact's inbox": ("police", lambda s: reverse("concerns:inbox")),
    "resource person's inbox": ("resource", lambda s: reverse("concerns:inbox")),
    "my concerns": ("reporter", lambda s: reverse("concerns:mine")),
    "incoming referrals": ("nav_worker", lambda s: reverse("referrals:incoming")),
    "notifications": ("coordinator", lambda s: reverse("notifications:list")),
}


@pytest.mark.parametrize("page", list(LISTS))
def test_a_list_page_makes_the_same_queries_for_3_and_15_rows(client, scene, page):
    who, url = LISTS[page]
    _add(scene, 3)
    few = _queries(client, scene[who], url(scene))
    _add(scene, 12)
    more = _queries(client, scene[who], url(scene))
    assert more == few, f"{page}: {few} queries for 3 rows, {more} for 15"


def test_the_case_page_makes_the_same_queries_for_a_short_and_a_long_history(client, scene):
    (concern,) = _add(scene, 1)
    coordinator = scene["coordinator"]
    # The short life has one of each kind of thing, so both pages show the same kinds.
    concern_assign(
        concern=concern, assignee=scene["coordinator_contact"], actor=coordinator, reason="Start"
    )
    case_activity_record(
        concern=concern,
        actor=coordinator,
        kind="meeting",
        date=timezone.localdate(),
        organisations=[scene["nav"]],
        notes="",
        measures=[],
    )
    url = reverse("concerns:detail", args=[concern.public_id])
    short = _queries(client, coordinator, url)
    for n in range(20):  # a long life: notes, reassignments, activities
        concern_add_note(concern=concern, actor=coordinator, text=f"Mer {n}")
        concern = Concern.objects.get(pk=concern.pk)
        # Ends with the coordinator, so the page opens for them without a stated purpose.
        assignee = scene["coordinator_contact"] if n % 2 else scene["police_contact"]
        concern_assign(concern=concern, assignee=assignee, actor=coordinator, reason=f"Runde {n}")
        case_activity_record(
            concern=concern,
            actor=coordinator,
            kind="meeting",
            date=timezone.localdate(),
            organisations=[scene["nav"]],
            notes="",
            measures=[],
        )
    assert concern.events.filter(kind=CaseEvent.Kind.NOTE).count() == 21
    long = _queries(client, coordinator, url)
    assert long == short, f"{short} queries for a short history, {long} for a long one"


def test_the_chronology_makes_the_same_queries_for_2_and_10_concerns(client, scene):
    subject = SubjectFactory(municipality=scene["municipality"])
    _add(scene, 2, subject=subject)
    url = reverse("concerns:chronology", args=[subject.public_id])
    few = _queries(client, scene["coordinator"], url)
    _add(scene, 8, subject=subject)
    more = _queries(client, scene["coordinator"], url)
    assert more == few
