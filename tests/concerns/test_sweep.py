"""The sweeper at scale: batches, queries that do not grow with the work, watermarks."""

import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerns import reminders
from concerns.models import Concern, NotificationKind, Reminder, SweepMark
from partners.models import Contact, Role
from referrals.models import Referral
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY_0 = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=OSLO)
_references = itertools.count(1)


def _day(n: int) -> datetime.datetime:
    return DAY_0 + datetime.timedelta(days=n)


@pytest.fixture
def region(trondheim):
    """A coordinator, three receiving organisations with two resource persons each, a handler."""
    slt = OrganisationFactory(slug="slt-s", name="SLT", municipalities=[trondheim])
    coordinator = UserFactory(organisation=slt, roles=[Role.Code.COORDINATOR])
    ContactFactory(organisation=slt, role=Contact.Role.COORDINATOR, user=coordinator)
    receivers = []
    for n in range(3):
        organisation = OrganisationFactory(
            slug=f"mottaker-{n}", name=f"Oppdiktet mottaker {n}", municipalities=[trondheim]
        )
        for _person in range(2):
            UserFactory(organisation=organisation, roles=[Role.Code.RESOURCE_PERSON])
        receivers.append(organisation)
    handler = UserFactory(organisation=slt, roles=[Role.Code.RESOURCE_PERSON])
    assignee = ContactFactory(organisation=slt, name="Oppdiktet Saksbehandler", user=handler)
    return {
        "municipality": trondheim,
        "receivers": receivers,
        "assignee": assignee,
        "coordinator": coordinator,
    }


def _due_on(region, day: datetime.date, count: int) -> None:
    """`count` follow-ups and `count` referral answers falling due on `day`, across receivers."""
    for n in range(count):
        concern = ConcernFactory(
            municipality=region["municipality"],
            status=Concern.Status.ASSIGNED,
            reference=f"BEK-2026-{next(_references):06d}",
            assignee=region["assignee"] if n % 2 else None,  # some go to the coordinator
            follow_up_on=day,
        )
        Referral.objects.create(
            concern=concern,
            receiving_organisation=region["receivers"][n % 3],
            reason="Oppdiktet grunn.",
            shared_information="Oppdiktet.",
            legal_basis="consent",
            response_due=day,
            status=Referral.Status.SENT,
            created_by=region["coordinator"],
        )


def _sweep_queries(when: datetime.datetime) -> tuple[int, int]:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        made = reminders.sweep(deliver=False)
    return made, len(queries)


@pytest.mark.django_db
def test_a_sweep_makes_the_same_queries_for_3_and_30_deadlines_due(region):
    _sweep_queries(_day(0))  # the first sweep leaves its watermarks
    _due_on(region, _day(1).date(), 3)
    made_few, queries_few = _sweep_queries(_day(1))
    _due_on(region, _day(2).date(), 30)
    made_many, queries_many = _sweep_queries(_day(2))

    assert (made_few, made_many) == (6, 60)
    assert queries_many == queries_few
    # Each referral reminder reaches the receiver's two resource persons.
    reminder = Reminder.objects.filter(kind=NotificationKind.REFERRAL_RESPONSE_DUE).first()
    assert reminder.recipients.count() == 2


@pytest.mark.django_db
def test_a_backlog_larger_than_a_batch_is_cleared_in_one_sweep(region):
    _due_on(region, _day(0).date(), 12)
    with time_machine.travel(_day(1), tick=False):
        made = reminders.sweep(limit=5, deliver=False)

    assert made == 24
    assert Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).count() == 12
    assert SweepMark.objects.get(kind=NotificationKind.FOLLOW_UP_DUE).swept_until == _day(1)


@pytest.mark.django_db
def test_what_falls_due_after_a_sweep_is_found_by_the_next(region):
    _sweep_queries(_day(0))
    _due_on(region, _day(3).date(), 1)

    assert _sweep_queries(_day(2))[0] == 0
    assert _sweep_queries(_day(3))[0] == 2
    assert _sweep_queries(_day(4))[0] == 0  # and only once
