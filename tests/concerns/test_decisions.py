"""Decisions not to act need a written reason, kept internal: on the timeline and in the journal.

"No further action" on close, and "decided not to notify" the police or child
welfare where an action-card step suggests it. The reporter never sees the reason.
"""

import io
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from concerns import reminders
from concerns.models import (
    CaseEvent,
    ChecklistTask,
    Concern,
    JournalEntry,
    Notification,
    Reminder,
)
from concerns.records.documents import document_sections
from concerns.selectors import timeline_for
from concerns.services import concern_close, concern_submit
from concerns.services.decisions import checklist_task_decline
from concerns.services.work import Evaluation, checklist_task_complete
from measures.models import ActionCardStep
from partners.models import User
from tests.factories import ConcernFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Samtalen med foresatte viste at uttalelsene var et sitat fra en film (oppdiktet)."
WHY_NOT = "Politiet er allerede kjent med saken fra før (oppdiktet begrunnelse)."
EVALUATION = Evaluation(help_timely="yes", situation_change="unknown")


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _file(demo, username="trd-frontline") -> Concern:
    reporter = demo[username]
    municipality = reporter.organisation.municipalities.get()
    subject = SubjectFactory(
        municipality=municipality, created_by=reporter, name="Oppdiktet Navnesen", birth_year=2010
    )
    concern = ConcernFactory(reporter=reporter, municipality=municipality, subject=subject)
    return concern_submit(concern=concern, actor=reporter)


def _close_form(**overrides) -> dict:
    data = {
        "outcome": "no_further_action",
        "reason": REASON,
        "reporter_message": "Takk for meldingen. Saken er vurdert.",
        "help_timely": "yes",
        "situation_change": "unknown",
        "confirm": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _journal_text(concern: Concern) -> str:
    """Everything the case's journal rows hold, as text."""
    return json.dumps(
        list(JournalEntry.objects.filter(concern=concern).values()), default=str, ensure_ascii=False
    )


# --- closing with "no further action" ------------------------------------------------------


def test_no_further_action_is_refused_without_a_reason_and_nothing_changes(demo):
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    for reason in ("", "   \n "):
        with pytest.raises(ValidationError):
            concern_close(
                concern=concern,
                actor=coordinator,
                outcome=Concern.Outcome.NO_FURTHER_ACTION,
                reason=reason,
                evaluation=EVALUATION,
            )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED and concern.outcome == ""
    assert not concern.events.filter(kind=CaseEvent.Kind.DECISION).exists()
    assert not concern.journal_entries.filter(
        document_kind=JournalEntry.DocumentKind.CLOSING_DECISION
    ).exists()


def test_the_reason_is_on_the_timeline_and_the_journal_holds_codes_only(demo):
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome=Concern.Outcome.NO_FURTHER_ACTION,
        reason=f"  {REASON}  ",
        evaluation=EVALUATION,
    )
    decision = concern.events.get(kind=CaseEvent.Kind.DECISION)
    assert decision.text == REASON and decision.actor == coordinator
    assert decision.data == {"decision": "no_further_action"}
    # One journal post for the closing decision, pointing to the reason; never the reason itself.
    closing = concern.journal_entries.get(document_kind=JournalEntry.DocumentKind.CLOSING_DECISION)
    assert closing.direction == JournalEntry.Direction.INTERNAL
    assert closing.data == {
        "outcome": "no_further_action",
        "decision": "no_further_action",
        "decision_event": decision.pk,
    }
    assert not concern.journal_entries.filter(
        document_kind=JournalEntry.DocumentKind.DECISION
    ).exists()
    assert "filmen" not in _journal_text(concern) and "sitat" not in _journal_text(concern)


def test_other_outcomes_need_no_reason_and_record_no_decision(demo):
    concern = _file(demo)
    # A reason given with another outcome would be lost: refused, not dropped.
    with pytest.raises(ValidationError):
        concern_close(
            concern=concern,
            actor=demo["trd-coordinator"],
            outcome=Concern.Outcome.ADVICE_GIVEN,
            reason=REASON,
            evaluation=EVALUATION,
        )
    concern_close(
        concern=concern,
        actor=demo["trd-coordinator"],
        outcome=Concern.Outcome.ADVICE_GIVEN,
        evaluation=EVALUATION,
    )
    assert concern.events.filter(kind=CaseEvent.Kind.DECISION).count() == 0
    closing = concern.journal_entries.get(document_kind=JournalEntry.DocumentKind.CLOSING_DECISION)
    assert closing.data == {"outcome": "advice_given"}


def test_the_close_form_asks_for_the_reason_then_accepts_it(client, demo):
    concern = _file(demo)
    client.force_login(demo["trd-coordinator"])
    client.cookies["django_language"] = "en"
    url = reverse("concerns:action", args=[concern.public_id, "close"])

    refused = client.post(url, _close_form(reason=""))
    assert refused.status_code == 400
    assert refused.context["form"].errors["reason"] == ["Write why no further action is needed."]
    # Everything typed comes back.
    assert "Takk for meldingen. Saken er vurdert." in refused.content.decode()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED

    # A reason with another outcome is not kept somewhere silently: the handler decides.
    misplaced = client.post(url, _close_form(outcome="advice_given"))
    assert misplaced.status_code == 400 and "reason" in misplaced.context["form"].errors

    with_nul = client.post(url, _close_form(reason="Avklart\x00"))
    assert with_nul.status_code == 400

    accepted = client.post(url, _close_form())
    assert accepted.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.NO_FURTHER_ACTION
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert REASON in page
    assert "Decided on no further action" in page


def test_the_reporter_never_sees_the_reason_nor_is_told_it(client, demo):
    concern = _file(demo)
    reporter = demo["trd-frontline"]
    concern_close(
        concern=concern,
        actor=demo["trd-coordinator"],
        outcome=Concern.Outcome.NO_FURTHER_ACTION,
        reason=REASON,
        reporter_message="Takk for meldingen. Saken er vurdert.",
        evaluation=EVALUATION,
    )
    assert CaseEvent.Kind.DECISION not in CaseEvent.REPORTER_VISIBLE
    assert all(entry.kind != "decision" for entry in timeline_for(concern, internal=False))

    # Her page: the message written for her, and nothing of the reason.
    client.force_login(reporter)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert "Takk for meldingen. Saken er vurdert." in page
    assert REASON not in page and "no further action" not in page.lower()

    # Her bell and her e-mail say that the case is closed, never why.
    reminders.sweep()
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        reminders.deliver(reminder_id)
    assert Notification.objects.filter(user=reporter).exists()
    to_her = [message for message in mail.outbox if reporter.email in message.to]
    assert to_her
    for message in to_her:
        assert REASON not in message.body and REASON not in message.subject
    stored = json.dumps(list(Reminder.objects.values("data", "link")), ensure_ascii=False)
    assert REASON not in stored
    bell = client.get(reverse("notifications:list")).content.decode()
    assert REASON not in bell


# --- deciding not to notify ---------------------------------------------------------------


def _notify_task(concern: Concern) -> ChecklistTask:
    return concern.checklist.select_related("step").get(step__notifies__gt="")


def test_the_fixtures_mark_the_steps_that_suggest_notifying(demo):
    marked = {
        (step.card.code, step.order): step.notifies
        for step in ActionCardStep.objects.exclude(notifies="").select_related("card")
    }
    assert marked == {
        ("trd-radicalisation", 5): "police",
        ("trd-conflict-travel", 2): "police",
        ("trd-raised-by-parent", 3): "police",
        ("radicalisation-under-18", 4): "child_welfare",
        ("conflict-travel-under-18", 2): "police",
        ("conflict-travel-18-plus", 2): "police",
    }


def test_deciding_not_to_notify_settles_the_step_with_its_reason(demo):
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    task = _notify_task(concern)

    checklist_task_decline(task=task, actor=coordinator, reason=f" {WHY_NOT} ")

    task.refresh_from_db()
    assert task.is_done and task.declined
    assert task.done_by == coordinator and task.note == WHY_NOT
    decision = concern.events.get(kind=CaseEvent.Kind.DECISION)
    assert decision.text == WHY_NOT
    assert decision.data["decision"] == "not_notified"
    assert decision.data["authority"] == "police" and decision.data["task"] == task.pk
    assert decision.data["step"]["text"]["en"].startswith("Involve the police")
    entry = concern.journal_entries.get(document_kind=JournalEntry.DocumentKind.DECISION)
    assert entry.direction == JournalEntry.Direction.INTERNAL
    assert entry.data == {
        "decision": "not_notified",
        "authority": "police",
        "task": task.pk,
        "event": decision.pk,
    }
    assert "allerede kjent" not in _journal_text(concern)
    # Settled: no reminder of it falls due.
    assert not concern.checklist.filter(pk=task.pk, done_at__isnull=True).exists()


def test_deciding_not_to_notify_needs_a_reason_and_a_step_that_suggests_it(demo):
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    task = _notify_task(concern)
    with pytest.raises(ValidationError):
        checklist_task_decline(task=task, actor=coordinator, reason="  ")
    ordinary = concern.checklist.filter(step__notifies="").first()
    with pytest.raises(ValidationError):
        checklist_task_decline(task=ordinary, actor=coordinator, reason=WHY_NOT)
    checklist_task_complete(task=task, actor=coordinator, note="Ringt.")
    with pytest.raises(ValidationError):
        checklist_task_decline(task=task, actor=coordinator, reason=WHY_NOT)
    # Someone with no hand in the case may not decide it.
    outsider = UserFactory(organisation=demo["aal-coordinator"].organisation)
    other = _file(demo)
    with pytest.raises(PermissionDenied):
        checklist_task_decline(task=_notify_task(other), actor=outsider, reason=WHY_NOT)
    assert not ChecklistTask.objects.filter(declined=True).exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.DECISION).exists()


def test_a_closed_cases_steps_cannot_be_declined(demo):
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    concern_close(concern=concern, actor=coordinator, outcome="advice_given", evaluation=EVALUATION)
    with pytest.raises(ValidationError):
        checklist_task_decline(task=_notify_task(concern), actor=coordinator, reason=WHY_NOT)


def test_the_case_page_offers_the_decision_on_notify_steps_only_and_shows_it(client, demo):
    concern = _file(demo)
    task = _notify_task(concern)
    client.force_login(demo["trd-coordinator"])
    client.cookies["django_language"] = "en"
    detail = reverse("concerns:detail", args=[concern.public_id])
    page = client.get(detail).content.decode()
    assert page.count('data-testid="decline-') == 1
    assert f'data-testid="decline-{task.pk}"' in page
    url = reverse("concerns:task_decline", args=[concern.public_id, task.pk])

    empty = client.post(url, {"reason": ""}, follow=True)
    assert "Nothing was changed" in empty.content.decode()
    task.refresh_from_db()
    assert not task.is_done
    assert client.post(url, {"reason": "x\x00"}).status_code == 302
    task.refresh_from_db()
    assert not task.is_done

    assert client.post(url, {"reason": WHY_NOT}).status_code == 302
    task.refresh_from_db()
    assert task.declined
    page = client.get(detail).content.decode()
    assert "Decided not to notify the police" in page
    assert WHY_NOT in page
    assert 'data-testid="task-declined"' in page
    assert 'data-testid="decline-' not in page  # settled: nothing more to decide


def test_the_decision_reads_in_the_readers_language(demo):
    concern = _file(demo)
    checklist_task_decline(
        task=_notify_task(concern), actor=demo["trd-coordinator"], reason=WHY_NOT
    )
    entry = next(e for e in timeline_for(concern, internal=True) if e.kind == "decision")
    for language, step_start in (("en", "Involve the police"), ("da", "Involver politiets")):
        with translation.override(language):
            html = render_to_string("concerns/partials/timeline.html", {"timeline": [entry]})
        assert step_start in html


def test_the_reporter_never_sees_a_decision_not_to_notify(client, demo):
    concern = _file(demo)
    checklist_task_decline(
        task=_notify_task(concern), actor=demo["trd-coordinator"], reason=WHY_NOT
    )
    client.force_login(demo["trd-frontline"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert WHY_NOT not in page and "notify" not in page.lower()
    # Nor may she decide it: the task URL is a case handler's.
    task = _notify_task(concern)
    assert (
        client.post(
            reverse("concerns:task_decline", args=[concern.public_id, task.pk]),
            {"reason": WHY_NOT},
        ).status_code
        == 404
    )


def test_the_archived_documents_carry_the_reasons(demo):
    """The journal holds codes; the document it stands for, printed for the archive, the reason."""
    concern = _file(demo)
    coordinator = demo["trd-coordinator"]
    checklist_task_decline(task=_notify_task(concern), actor=coordinator, reason=WHY_NOT)
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome=Concern.Outcome.NO_FURTHER_ACTION,
        reason=REASON,
        evaluation=EVALUATION,
    )
    kinds = JournalEntry.DocumentKind
    with translation.override("en"):
        declined = document_sections(concern.journal_entries.get(document_kind=kinds.DECISION))
        closing = document_sections(
            concern.journal_entries.get(document_kind=kinds.CLOSING_DECISION)
        )
    assert ("Reason", WHY_NOT) in declined
    assert ("Reason for no further action", REASON) in closing
