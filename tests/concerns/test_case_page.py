"""The case page as people use it: quick actions, explicit closing, kept input, drafts,
each municipality's procedure, and stored text in the reader's language."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerns.models import CaseEvent, Concern
from concerns.services import concern_add_note, concern_assign, concern_submit
from concerns.services.work import case_activity_record, checklist_task_complete
from concerns.tasks import deliver_reminder, sweep_reminders
from concerns.views import TIMELINE_LATEST
from config.env import database_from_env
from partners.models import Contact, User
from tests.factories import ConcernFactory, SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _file(reporter: User, **fields) -> Concern:
    municipality = reporter.organisation.municipalities.get()
    subject = SubjectFactory(municipality=municipality, created_by=reporter, birth_year=2009)
    concern = ConcernFactory(
        reporter=reporter, municipality=municipality, subject=subject, **fields
    )
    return concern_submit(concern=concern, actor=reporter)


def _action(concern, name):
    return reverse("concerns:action", args=[concern.public_id, name])


# --- the quick-action bar -------------------------------------------------------------


def test_the_bar_offers_what_the_user_may_do_now_and_nothing_else(client, demo):
    concern = _file(demo["trd-frontline"])
    client.force_login(demo["trd-coordinator"])
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    bar = re.search(r'<nav class="quick-actions.*?</nav>', page, re.S).group(0)
    for action in ("accept", "assign", "request-info", "apply-card", "close"):
        assert _action(concern, action) in bar
    assert _action(concern, "reopen") not in bar
    assert reverse("referrals:new", args=[concern.public_id]) in bar
    # The page itself holds no form for these: each has its own page.
    assert 'name="outcome"' not in page


def test_each_action_opens_one_focused_form(client, demo):
    concern = _file(demo["trd-frontline"])
    client.force_login(demo["trd-coordinator"])
    response = client.get(_action(concern, "assign"))
    assert response.status_code == 200
    assert "concerns/case_action.html" in [template.name for template in response.templates]
    assert 'name="assignee"' in response.content.decode()


def test_closing_needs_an_outcome_chosen_and_confirmed_and_keeps_what_was_typed(client, demo):
    concern = _file(demo["trd-frontline"])
    client.force_login(demo["trd-coordinator"])
    response = client.get(_action(concern, "close"))
    assert "checked" not in re.search(
        r"<fieldset.*?</fieldset>", response.content.decode(), re.S
    ).group(0)

    typed = {
        "reporter_message": "Saken følges opp av rette instans.",
        "comment": "Intern kommentar som ikke må gå tapt.",
        "version": concern.version,
    }
    no_outcome = client.post(_action(concern, "close"), {**typed, "confirm": "on"})
    not_confirmed = client.post(_action(concern, "close"), {**typed, "outcome": "advice_given"})
    for response in (no_outcome, not_confirmed):
        assert response.status_code == 400
        body = response.content.decode()
        assert "Intern kommentar som ikke må gå tapt." in body
        assert "Saken følges opp av rette instans." in body
        assert 'data-testid="error-summary"' in body
    concern.refresh_from_db()
    assert concern.is_open

    closing = {**typed, "outcome": "advice_given", "confirm": "on"}
    not_evaluated = client.post(_action(concern, "close"), closing)
    assert not_evaluated.status_code == 400
    concern.refresh_from_db()
    assert concern.is_open

    evaluation = {"help_timely": "partly", "situation_change": "improved"}
    partners = {"partners": ["school", "child_welfare"]}
    client.post(_action(concern, "close"), {**closing, **evaluation, **partners})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED and concern.outcome == "advice_given"
    # The course-of-work evaluation is kept with the case, for the statistics.
    assert concern.evaluation.help_timely == "partly"
    assert concern.evaluation.situation_change == "improved"
    assert set(concern.evaluation.partners.values_list("partner", flat=True)) == {
        "school",
        "child_welfare",
    }
    assert concern.evaluation.history.get().history_user == demo["trd-coordinator"]


def test_a_too_long_note_comes_back_with_the_text(client, demo):
    concern = _file(demo["trd-frontline"])
    client.force_login(demo["trd-coordinator"])
    text = "Et langt notat. " * 400
    response = client.post(_action(concern, "note"), {"text": text})
    assert response.status_code == 400
    assert "Et langt notat." in response.content.decode()
    assert not concern.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_the_chronology_lists_the_persons_concerns_the_viewer_may_see(client, demo):
    frontline = demo["trd-frontline"]
    first = _file(frontline)
    second = ConcernFactory(
        reporter=frontline, municipality=first.municipality, subject=first.subject
    )
    second = concern_submit(concern=second, actor=frontline)
    client.force_login(demo["trd-coordinator"])
    page = client.get(reverse("concerns:chronology", args=[first.subject.public_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index(first.reference) < body.index(second.reference)
    # Another municipality's coordinator gets nothing, not even an empty page.
    client.force_login(demo["aal-coordinator"])
    assert (
        client.get(reverse("concerns:chronology", args=[first.subject.public_id])).status_code
        == 404
    )


# --- drafts -----------------------------------------------------------------------------


def test_a_draft_saves_half_written_and_submitting_asks_for_the_rest(client, people, trondheim):
    client.force_login(people.alice)
    response = client.post(
        reverse("concerns:new"),
        {"municipality": trondheim.pk, "observations": "Bare en første tanke.", "action": "draft"},
    )
    assert response.status_code == 302
    draft = Concern.objects.get(reporter=people.alice)
    assert draft.is_draft and draft.observations == "Bare en første tanke."

    response = client.post(
        reverse("concerns:edit", args=[draft.public_id]),
        {
            "municipality": trondheim.pk,
            "observations": "Bare en første tanke.",
            "action": "submit",
            "version": draft.version,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"subject_name", "observed_on", "phenomenon", "urgency"} <= set(errors)
    draft.refresh_from_db()
    assert draft.is_draft


# --- each municipality's procedure ------------------------------------------------------


def test_each_municipality_is_offered_only_its_own_cards(client, demo):
    trondheim_case = _file(demo["trd-frontline"])
    aalborg_case = _file(demo["aal-frontline"])
    client.force_login(demo["trd-coordinator"])
    trd = client.get(_action(trondheim_case, "apply-card")).content.decode()
    client.force_login(demo["aal-coordinator"])
    aal = client.get(_action(aalborg_case, "apply-card")).content.decode()
    assert "Bekymring meldt av forelder" in trd and "under 18" not in trd
    assert "INFO-huset" not in trd
    assert "Bekymring meldt av forelder" not in aal


def test_at_once_steps_are_due_in_minutes_and_a_step_taken_when_filing_starts_done(demo):
    concern = _file(demo["aal-frontline"], steps_done_at_filing=["called_112"])
    first = concern.checklist.order_by("order").first()
    assert first.is_done and first.done_by == demo["aal-frontline"]
    assert first.due_at == concern.submitted_at + datetime.timedelta(minutes=15)
    fresh = _file(demo["aal-frontline"])
    assert not fresh.checklist.order_by("order").first().is_overdue(timezone.now())


# --- stored text in the reader's language -----------------------------------------------


def test_stored_timeline_and_steps_read_in_each_language(client, demo):
    concern = _file(demo["aal-frontline"])
    coordinator = demo["aal-coordinator"]
    concern_assign(
        concern=concern,
        assignee=Contact.objects.get(name="Politiets SSP-koordinator"),
        actor=coordinator,
        reason="Politiet følger opp.",
    )
    task = concern.checklist.order_by("order").first()
    checklist_task_complete(task=task, actor=coordinator)
    case_activity_record(
        concern=concern,
        actor=coordinator,
        kind="concern_conversation",
        date=timezone.localdate(),
        organisations=[],
        notes="",
        measures=[],
    )
    client.force_login(coordinator)
    expected = {
        "nb": ("Politiets radikaliseringskontakt", "Bekymringssamtale", task.text_nb),
        "da": ("Politiets radikaliseringskontakt", "Bekymringssamtale", task.text_da),
        "en": ("Police radicalisation contact", "Concern conversation", task.text_en),
    }
    for language, words in expected.items():
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
        for word in words:
            assert word in page, (language, word)


def test_date_inputs_carry_iso_values_in_danish(client, demo):
    concern = _file(demo["aal-frontline"])
    client.force_login(demo["aal-coordinator"])
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    page = client.get(_action(concern, "follow-up-date")).content.decode()
    value = re.search(r'name="follow_up_on" value="([^"]*)"', page).group(1)
    assert value == concern.follow_up_on.isoformat()


# --- the embedded default ---------------------------------------------------------------


def test_the_embedded_sqlite_runs_in_wal_with_immediate_transactions(tmp_path, monkeypatch):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("config.env.VAR_DIR", tmp_path)
    settings_dict = {
        **database_from_env(),
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    connection = DatabaseWrapper(settings_dict)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
        assert connection.transaction_mode == "IMMEDIATE"
    finally:
        connection.close()


def test_tasks_retry_when_the_database_is_locked():
    from django.db import OperationalError

    assert OperationalError in deliver_reminder.autoretry_for
    assert OperationalError in sweep_reminders.autoretry_for
    assert deliver_reminder.retry_backoff and sweep_reminders.retry_backoff


# --- a long timeline -------------------------------------------------------------------


def test_a_long_timeline_shows_its_latest_entries_and_the_rest_on_request(client, demo):
    concern = _file(demo["trd-frontline"])
    coordinator = demo["trd-coordinator"]
    for number in range(TIMELINE_LATEST + 5):
        concern_add_note(concern=concern, actor=coordinator, text=f"Notat nummer {number:02d}")
    client.force_login(coordinator)
    url = reverse("concerns:detail", args=[concern.public_id])
    page = client.get(url)
    shown = [entry for entry in page.context["timeline"] if entry.kind == "note"]
    assert len(page.context["timeline"]) == TIMELINE_LATEST
    # The newest entries, still in time order, and a way to the rest.
    assert shown[-1].event.text == f"Notat nummer {TIMELINE_LATEST + 4:02d}"
    assert shown[0].event.text == "Notat nummer 05"
    assert 'data-testid="earlier-entries"' in page.content.decode()
    whole = client.get(url, {"timeline": "all"})
    notes = [entry.event.text for entry in whole.context["timeline"] if entry.kind == "note"]
    assert notes == [f"Notat nummer {number:02d}" for number in range(TIMELINE_LATEST + 5)]
    assert 'data-testid="earlier-entries"' not in whole.content.decode()
    # Anything else in the parameter is the default view.
    assert len(client.get(url, {"timeline": "\x00"}).context["timeline"]) == TIMELINE_LATEST


def test_a_short_timeline_is_shown_whole_without_the_link(client, demo):
    concern = _file(demo["trd-frontline"])
    client.force_login(demo["trd-coordinator"])
    page = client.get(reverse("concerns:detail", args=[concern.public_id]))
    assert page.context["timeline"] and not page.context["earlier_entries"]
    assert 'data-testid="earlier-entries"' not in page.content.decode()
