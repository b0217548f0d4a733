"""A receiving agency that declines a referral gives its reason: kept for the handlers, journaled
once as the agency's answer, and never shown to the person who reported the concern."""

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns import reminders
from concerns.models import CaseEvent, JournalEntry, Reminder
from referrals.models import Referral
from referrals.services import referral_decline, referral_send

pytestmark = pytest.mark.django_db

REASON = "Personen er over aldersgrensen for vårt tilbud (oppdiktet)."


@pytest.fixture
def sent(setting, draft_referral):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    return referral


def test_a_decline_without_a_reason_is_refused_and_changes_nothing(setting, sent):
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            referral_decline(referral=sent, actor=setting["nav_worker"], reason=reason)
    sent.refresh_from_db()
    assert sent.status == Referral.Status.SENT and sent.response_reason == ""
    assert not sent.concern.journal_entries.filter(
        document_kind=JournalEntry.DocumentKind.REFERRAL_ANSWER
    ).exists()


def test_the_reason_is_on_the_timeline_and_journaled_once_as_the_answer(setting, sent):
    referral_decline(referral=sent, actor=setting["nav_worker"], reason=f" {REASON} ")
    concern = setting["concern"]
    event = concern.events.get(kind=CaseEvent.Kind.REFERRAL, data__what="declined")
    assert event.text == REASON and event.actor == setting["nav_worker"]
    answers = concern.journal_entries.filter(
        document_kind=JournalEntry.DocumentKind.REFERRAL_ANSWER
    )
    (answer,) = answers
    assert answer.direction == JournalEntry.Direction.INCOMING
    assert answer.data["answer"] == "declined"
    # Not a second post for the same document, and no reason in the journal's fields.
    assert not concern.journal_entries.filter(
        document_kind=JournalEntry.DocumentKind.DECISION
    ).exists()
    stored = json.dumps(list(concern.journal_entries.values()), default=str, ensure_ascii=False)
    assert "aldersgrensen" not in stored


def test_the_handlers_read_the_reason_and_the_reporter_never_does(client, setting, sent, people):
    referral_decline(referral=sent, actor=setting["nav_worker"], reason=REASON)
    concern = setting["concern"]
    client.force_login(setting["coordinator"])
    client.post(reverse("concerns:purpose", args=[concern.public_id]), {"reason": "Oppfølging"})
    assert (
        REASON in client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    )

    reporter = people.alice
    assert concern.reporter == reporter
    client.force_login(reporter)
    page = client.get(reverse("concerns:detail", args=[concern.public_id]))
    assert page.status_code == 200
    assert REASON not in page.content.decode()
    reminders.sweep()
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        reminders.deliver(reminder_id)
    assert all(REASON not in message.body for message in mail.outbox)
    assert REASON not in client.get(reverse("notifications:list")).content.decode()
