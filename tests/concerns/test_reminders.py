"""Follow-up reminders: exactly one per deadline, delivered once, never lost to a broker outage."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from concerns import reminders
from concerns.models import (
    Concern,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    Reminder,
)
from concerns.services import concern_assign, concern_submit
from concerns.tasks import deliver_reminder
from partners.models import Contact, Organisation, Role, User
from tests.celery_broker import drain_broker, purge_broker
from tests.concerns.test_national_id import SYNTHETIC_FNR
from tests.email_backends import FlakySMTPBackend
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
MONDAY = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=OSLO)


@pytest.fixture
def world(trondheim):
    """A coordinator (the SLT contact) and a resource person with an open, assigned case."""
    slt = OrganisationFactory(slug="slt-r", name="SLT", municipalities=[trondheim])
    coordinator = UserFactory(
        username="koordinator",
        email="koordinator@example.invalid",
        organisation=slt,
        roles=[Role.Code.COORDINATOR],
    )
    ContactFactory(
        organisation=slt, role=Contact.Role.COORDINATOR, name="SLT-koordinator", user=coordinator
    )
    school = OrganisationFactory(slug="skole-r", name="Oppdiktet skole", municipalities=[trondheim])
    handler = UserFactory(
        username="ressurs",
        email="ressurs@example.invalid",
        organisation=school,
        roles=[Role.Code.RESOURCE_PERSON],
    )
    contact = ContactFactory(organisation=school, name="Oppdiktet Ressursperson", user=handler)
    subject = SubjectFactory(
        municipality=trondheim,
        name="Oppdiktet Hemmeligsen",
        national_id=SYNTHETIC_FNR,
        birth_date=datetime.date(2010, 1, 1),
    )
    concern = ConcernFactory(
        municipality=trondheim,
        subject=subject,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000010",
        assignee=contact,
        follow_up_on=datetime.date(2026, 11, 15),
    )
    return {"coordinator": coordinator, "handler": handler, "concern": concern}


@pytest.mark.django_db
def test_a_due_follow_up_makes_exactly_one_reminder_even_when_swept_twice(world):
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
        reminders.sweep()
    follow_ups = Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE)
    assert follow_ups.count() == 1
    reminder = follow_ups.get()
    assert reminder.object_id == world["concern"].pk and reminder.occurrence == "2026-11-15"
    assert list(reminder.recipients.all()) == [world["handler"]]


@pytest.mark.django_db
def test_nothing_is_due_before_the_date(world):
    with time_machine.travel(datetime.datetime(2026, 11, 14, 9, 0, tzinfo=OSLO), tick=False):
        reminders.sweep()
    assert not Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).exists()


@pytest.mark.django_db
def test_a_moved_follow_up_date_is_a_new_occurrence(world):
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
        Concern.objects.filter(pk=world["concern"].pk).update(
            follow_up_on=datetime.date(2026, 11, 16)
        )
        reminders.sweep()
    assert sorted(
        Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).values_list(
            "occurrence", flat=True
        )
    ) == [
        "2026-11-15",
        "2026-11-16",
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="overlapping sweeps need PostgreSQL: CI runs it"
)
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_sweeps_in_threads_make_one_reminder(world):
    barrier = threading.Barrier(4)
    errors = []

    def sweep():
        try:
            barrier.wait()
            with time_machine.travel(MONDAY, tick=False):
                reminders.sweep()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_DUE).count() == 1


@pytest.mark.django_db
def test_the_reminder_is_delivered_once_and_marked_sent(world):
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
    reminder = Reminder.objects.get(kind=NotificationKind.FOLLOW_UP_DUE)

    reminders.deliver(reminder.pk)
    reminders.deliver(reminder.pk)  # a redelivered message

    reminder.refresh_from_db()
    assert reminder.sent_at is not None
    assert Notification.objects.filter(reminder=reminder).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ressurs@example.invalid"]


@pytest.mark.django_db
def test_smtp_failing_twice_then_succeeding_delivers_once(world, settings):
    settings.EMAIL_BACKEND = "tests.email_backends.FlakySMTPBackend"
    FlakySMTPBackend.failures_left, FlakySMTPBackend.attempts = 2, 0
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
    reminder = Reminder.objects.get(kind=NotificationKind.FOLLOW_UP_DUE)

    # Applied eagerly, Celery runs each autoretry in place instead of after the backoff.
    result = deliver_reminder.apply(args=(reminder.pk,))

    assert result.successful()

    reminder.refresh_from_db()
    assert FlakySMTPBackend.attempts == 3
    assert len(mail.outbox) == 1
    assert reminder.sent_at is not None and reminder.attempts == 3
    assert Notification.objects.filter(reminder=reminder).count() == 1


def test_the_delivery_task_is_acked_late_and_requeued_if_the_worker_dies():
    assert deliver_reminder.acks_late is True
    assert deliver_reminder.reject_on_worker_lost is True
    assert deliver_reminder.name == "reminders.deliver"


@pytest.mark.django_db
def test_overdue_escalation_reaches_the_coordinator(world):
    three_days_late = datetime.datetime(
        2026, 11, 18, 9, 0, tzinfo=OSLO
    )  # follow-up was due 15 Nov, N = 3
    with time_machine.travel(three_days_late, tick=False):
        reminders.sweep()
    assert not Reminder.objects.filter(kind=NotificationKind.FOLLOW_UP_ESCALATED).exists()
    with time_machine.travel(three_days_late + datetime.timedelta(days=1), tick=False):
        reminders.sweep()
    escalation = Reminder.objects.get(kind=NotificationKind.FOLLOW_UP_ESCALATED)
    assert list(escalation.recipients.all()) == [world["coordinator"]]
    assert escalation.data == {"days_overdue": 4}


@pytest.mark.django_db
def test_the_weekly_digest_counts(world, trondheim):
    with time_machine.travel(MONDAY, tick=False):
        ConcernFactory(
            municipality=trondheim,
            status=Concern.Status.SUBMITTED,
            reference="BEK-2026-000011",
            submitted_at=timezone.now() - datetime.timedelta(days=2),
        )
        ConcernFactory(
            municipality=trondheim,
            status=Concern.Status.CLOSED,
            reference="BEK-2026-000012",
            submitted_at=timezone.now() - datetime.timedelta(days=30),
            closed_at=timezone.now() - datetime.timedelta(days=1),
        )
        ConcernFactory(
            municipality=trondheim,
            status=Concern.Status.CLOSED,
            reference="BEK-2026-000013",
            closed_at=timezone.now() - datetime.timedelta(days=20),
        )
        ConcernFactory(municipality=trondheim, status=Concern.Status.DRAFT)
        reminders.create_weekly_digests()
        reminders.create_weekly_digests()  # the same week: nothing more

    digest = Reminder.objects.get(kind=NotificationKind.WEEKLY_DIGEST)
    assert list(digest.recipients.all()) == [world["coordinator"]]
    assert digest.occurrence == "2026-W47"
    assert digest.data == {
        "new": 1,
        "open": 2,
        "overdue": 1,
        "closed": 1,
        "overdue_references": ["BEK-2026-000010"],
    }


@pytest.mark.django_db
def test_no_email_holds_the_persons_name_or_national_id(world, trondheim):
    with time_machine.travel(MONDAY + datetime.timedelta(days=10), tick=False):
        reminders.sweep()
        reminders.create_weekly_digests()
    for reminder in Reminder.objects.all():
        reminders.deliver(reminder.pk)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert "Hemmeligsen" not in text and "Oppdiktet" not in text
        assert SYNTHETIC_FNR not in text and "2010" not in text
        assert "BEK-2026-000010" in text or "BEK-" in text


@pytest.mark.django_db
def test_users_choose_email_per_kind_but_the_bell_always_rings(world, client):
    NotificationPreference.objects.create(
        user=world["handler"], kind=NotificationKind.FOLLOW_UP_DUE, email=False
    )
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
    reminders.deliver(Reminder.objects.get(kind=NotificationKind.FOLLOW_UP_DUE).pk)
    assert mail.outbox == []
    client.force_login(world["handler"])
    page = client.get(reverse("notifications:list")).content.decode()
    assert "BEK-2026-000010" in page
    assert 'data-testid="unread-count" aria-hidden="true">1<' in page
    notification = Notification.objects.get(user=world["handler"])
    client.post(reverse("notifications:read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_writes_by_background_jobs_are_recorded_as_the_system_user(world):
    with time_machine.travel(MONDAY, tick=False):
        reminders.sweep()
    reminder = Reminder.objects.get(kind=NotificationKind.FOLLOW_UP_DUE)
    reminders.deliver(reminder.pk)
    assert reminder.history.latest().history_user.username == "system"
    assert Notification.history.latest().history_user.username == "system"
    assert not User.objects.get(username="system").is_active


def _point_celery_at(url: str) -> None:
    from kombu import pools

    from config.celery_app import app

    # Celery and kombu keep pools of broker connections; drop them all.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker_down(settings):
    """Point Celery at a port where no broker listens; the fixture restores the real one."""
    _point_celery_at("redis://127.0.0.1:1/0")
    yield lambda: _point_celery_at(settings.CELERY_BROKER_URL)
    _point_celery_at(settings.CELERY_BROKER_URL)


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_never_costs_a_concern(broker_down):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    uteseksjonen = Organisation.objects.get(slug="uteseksjonen")
    reporter = User.objects.get(username="trd-frontline")
    coordinator = User.objects.get(username="trd-coordinator")

    # The broker is down: all 50 submits, and an assignment, must still succeed.
    drafts = [
        ConcernFactory(reporter=reporter, municipality=uteseksjonen.municipalities.get())
        for _ in range(50)
    ]
    for draft in drafts:
        concern_submit(concern=draft, actor=reporter)
    police = Contact.objects.get(name="Radikaliseringskontakt")
    concern_assign(
        concern=drafts[0], actor=coordinator, assignee=police, reason="Politiet vurderer"
    )
    assert Concern.objects.exclude(reference=None).count() == 50
    assert OutboxMessage.objects.filter(processed_at__isnull=True).count() == 51

    reminders.sweep()  # a sweep during the outage makes the reminders but cannot queue them
    assert Reminder.objects.filter(enqueued_at__isnull=True, sent_at__isnull=True).count() == 51

    broker_down()  # the broker is back
    purge_broker()
    reminders.sweep()
    ran = drain_broker()

    # One task delivers the whole backlog, in batches (not one task per reminder).
    assert ran == ["reminders.deliver_pending"]
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    routed = Notification.objects.filter(
        user=coordinator, reminder__kind=NotificationKind.CONCERN_ROUTED
    )
    assert routed.count() == 50
    police_user = User.objects.get(username="trd-police")
    assert (
        Notification.objects.filter(
            user=police_user, reminder__kind=NotificationKind.CONCERN_ASSIGNED
        ).count()
        == 1
    )
