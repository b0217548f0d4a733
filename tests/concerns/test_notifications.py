"""Everyone around a case is told what they need to know, when they need it, and no more.

Acute concerns alert at once and stay pinned; the reporter hears of
questions, answers due and closing; a referral's two sides hear of each
other; each kind can be turned off, acute alerts excepted.
"""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerns import reminders
from concerns.models import (
    CaseEvent,
    Concern,
    Notification,
    NotificationKind,
    NotificationPreference,
    Reminder,
)
from concerns.services import (
    concern_close,
    concern_reporter_reply,
    concern_request_info,
    concern_submit,
)
from partners.models import Organisation, User
from referrals.services import (
    ReferralDetails,
    referral_accept,
    referral_complete,
    referral_create,
    referral_send,
)
from tests.factories import ConcernFactory, SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _file(reporter: User, *, acute: bool = False, **fields) -> Concern:
    municipality = reporter.organisation.municipalities.get()
    subject = SubjectFactory(
        municipality=municipality,
        created_by=reporter,
        name="Oppdiktet Navnesen",
        national_id="",
        birth_year=2009,
    )
    concern = ConcernFactory(
        reporter=reporter,
        municipality=municipality,
        subject=subject,
        urgency=Concern.Urgency.ACUTE if acute else Concern.Urgency.NORMAL,
        **fields,
    )
    return concern_submit(concern=concern, actor=reporter)


def _deliver_everything(now=None) -> None:
    """What the worker does: sweep, then deliver every reminder not sent."""
    reminders.sweep(now=now)
    for reminder in Reminder.objects.filter(sent_at__isnull=True):
        reminders.deliver(reminder.pk)


def _bell(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, shown=True).values_list("reminder__kind", flat=True)
    )


# --- acute ----------------------------------------------------------------------------


def test_an_acute_concern_rings_the_bells_at_once_after_commit(
    demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern = _file(demo["trd-frontline"], acute=True)
    # No sweep has run: the alert went out right after the filing committed.
    assert NotificationKind.ACUTE_CONCERN in _bell(demo["trd-police"])
    assert NotificationKind.ACUTE_CONCERN in _bell(demo["trd-coordinator"])
    assert _bell(demo["trd-resource"]) == []  # NAV's resource person has nothing to do with it
    assert concern.needs_acknowledgement


def test_the_acute_email_is_marked_acute_and_names_no_one(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = _file(demo["trd-frontline"], acute=True)
    reminders.deliver(Reminder.objects.get(kind=NotificationKind.ACUTE_CONCERN).pk)
    police_mail = next(m for m in mail.outbox if m.to == [demo["trd-police"].email])
    assert police_mail.subject.startswith("[AKUTT] ")
    assert concern.reference in police_mail.subject
    assert "Navnesen" not in police_mail.subject + police_mail.body


def test_aalborgs_acute_route_reaches_aalborgs_police(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = _file(demo["aal-frontline"], acute=True)
    assert NotificationKind.ACUTE_CONCERN in _bell(demo["aal-police"])
    client_police = demo["aal-police"]
    from concerns.permissions import is_handler

    assert is_handler(client_police, concern)


def test_acknowledging_unpins_the_case_and_goes_on_the_timeline(client, demo):
    concern = _file(demo["trd-frontline"], acute=True)
    police = demo["trd-police"]
    client.force_login(police)
    inbox = client.get(reverse("concerns:inbox")).content.decode()
    assert 'data-testid="pinned"' in inbox
    client.post(
        reverse("concerns:action", args=[concern.public_id, "acknowledge"]),
        {"version": concern.version},
    )
    concern.refresh_from_db()
    assert concern.acknowledged_by == police and not concern.needs_acknowledgement
    assert concern.events.filter(kind=CaseEvent.Kind.ACKNOWLEDGED, actor=police).exists()
    assert 'data-testid="pinned"' not in client.get(reverse("concerns:inbox")).content.decode()


def test_acute_alerts_cannot_be_turned_off(demo, django_capture_on_commit_callbacks):
    police = demo["trd-police"]
    NotificationPreference.objects.create(
        user=police, kind=NotificationKind.ACUTE_CONCERN, in_app=False, email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        _file(demo["trd-frontline"], acute=True)
    assert NotificationKind.ACUTE_CONCERN in _bell(police)


# --- the reporter ---------------------------------------------------------------------


def test_the_reporter_hears_of_a_question_and_her_answer_reaches_the_asker(demo):
    frontline, coordinator = demo["trd-frontline"], demo["trd-coordinator"]
    concern = _file(frontline)
    concern_request_info(concern=concern, actor=coordinator, message="Når skjedde dette?")
    _deliver_everything()
    assert NotificationKind.INFO_REQUESTED in _bell(frontline)

    concern_reporter_reply(concern=concern, actor=frontline, text="I går, i friminuttet.")
    _deliver_everything()
    assert NotificationKind.REPORTER_REPLIED in _bell(coordinator)


def test_an_unanswered_question_reminds_the_reporter_once_after_three_days(demo):
    frontline = demo["trd-frontline"]
    concern = _file(frontline)
    concern_request_info(concern=concern, actor=demo["trd-coordinator"], message="Hvem var med?")
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    _deliver_everything(now=later)
    _deliver_everything(now=later + datetime.timedelta(days=1))
    assert _bell(frontline).count(NotificationKind.REPLY_DUE) == 1


def test_closing_tells_the_reporter_only_what_she_needs_to_know(client, demo):
    frontline = demo["trd-frontline"]
    concern = _file(frontline)
    concern_close(
        concern=concern,
        actor=demo["trd-coordinator"],
        outcome=Concern.Outcome.ADVICE_GIVEN,
        comment="Intern vurdering: lav risiko, familien har kontakt med helsesykepleier.",
        reporter_message="Saken er fulgt opp. Takk for at du meldte fra.",
    )
    _deliver_everything()
    assert NotificationKind.CONCERN_CLOSED in _bell(frontline)
    client.force_login(frontline)
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert "Saken er fulgt opp. Takk for at du meldte fra." in page
    assert "Intern vurdering" not in page


# --- referrals ------------------------------------------------------------------------


def test_the_receiving_agency_and_the_sender_hear_of_each_other(demo):
    coordinator, nav = demo["trd-coordinator"], demo["trd-resource"]
    concern = _file(demo["trd-frontline"])
    referral = referral_create(
        concern=concern,
        actor=coordinator,
        details=ReferralDetails(
            receiving_organisation=Organisation.objects.get(slug="nav"),
            receiving_contact=None,
            reason="Arbeid og aktivitet.",
            shared_information="Trenger oppfølging mot arbeid.",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate() + datetime.timedelta(days=7),
        ),
    )
    referral_send(referral=referral, actor=coordinator)
    _deliver_everything()
    assert NotificationKind.REFERRAL_RECEIVED in _bell(nav)
    received = Notification.objects.get(user=nav, reminder__kind=NotificationKind.REFERRAL_RECEIVED)
    assert received.reminder.link == reverse("referrals:detail", args=[referral.public_id])

    referral_accept(referral=referral, actor=nav)
    referral_complete(referral=referral, actor=nav, outcome="I arbeidspraksis.")
    _deliver_everything()
    assert {NotificationKind.REFERRAL_ACCEPTED, NotificationKind.REFERRAL_COMPLETED} <= set(
        _bell(coordinator)
    )
    for message in mail.outbox:
        assert "Navnesen" not in message.subject + message.body


# --- choices --------------------------------------------------------------------------


def test_a_kind_turned_off_on_the_bell_still_emails_and_vice_versa(client, demo):
    frontline = demo["trd-frontline"]
    client.force_login(frontline)
    client.post(
        reverse("notifications:preferences"),
        {
            # Bell off, e-mail on for questions; everything else left off entirely.
            f"{NotificationKind.INFO_REQUESTED}__email": "on",
        },
    )
    preference = NotificationPreference.objects.get(
        user=frontline, kind=NotificationKind.INFO_REQUESTED
    )
    assert (preference.in_app, preference.email) == (False, True)
    concern = _file(frontline)
    concern_request_info(concern=concern, actor=demo["trd-coordinator"], message="Hvem?")
    _deliver_everything()
    assert _bell(frontline) == []
    to_her = [message for message in mail.outbox if message.to == [frontline.email]]
    assert len(to_her) == 1 and concern.reference in to_her[0].subject


def test_a_draft_left_for_fourteen_days_reminds_its_author_once(demo):
    frontline = demo["trd-frontline"]
    with time_machine.travel(timezone.now() - datetime.timedelta(days=15)):
        ConcernFactory(reporter=frontline, municipality=frontline.organisation.municipalities.get())
    _deliver_everything()
    _deliver_everything()
    assert _bell(frontline) == [NotificationKind.DRAFT_WAITING]
