"""Retention: past its period a closed case loses the person's identity and every free text,
in the row, its history and its grants; statistics fields stay; a legal hold stops it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from concerns.models import (
    AccessLog,
    ArchiveExport,
    Attachment,
    CaseEvent,
    Concern,
    ConcernUserObjectPermission,
    RetentionRule,
    Subject,
)
from concerns.permissions import grant_case_access
from concerns.retention import add_months, legal_hold_place, run_retention, upcoming_for
from concerns.services import concern_add_note, concern_close, concern_submit
from concerns.services.attachments import attachments_add
from concerns.services.work import Evaluation
from partners.models import User
from tests import files
from tests.factories import ConcernFactory, SubjectFactory
from tests.files import checked

pytestmark = pytest.mark.django_db

NAME = "Oppdiktet Slettesen"
NUMBER = "01811050047"
TEXT = "Observasjon som skal bort når perioden er ute"


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    return tmp_path / "attachments"


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _closed_case(demo, *, months_ago: int, outcome="no_further_action") -> Concern:
    reporter, coordinator = demo["trd-frontline"], demo["trd-coordinator"]
    municipality = reporter.organisation.municipalities.get()
    subject = SubjectFactory(
        municipality=municipality,
        created_by=reporter,
        name=NAME,
        national_id=NUMBER,
        school_or_workplace="Oppdiktet skole",
    )
    concern = concern_submit(
        concern=ConcernFactory(
            reporter=reporter, municipality=municipality, subject=subject, observations=TEXT
        ),
        actor=reporter,
    )
    concern_add_note(
        concern=concern,
        actor=coordinator,
        text=f"Samtale med {NAME}",
        files=[checked("referat.pdf", files.PDF)],
    )
    grant_case_access(concern=concern, user=demo["trd-police"], actor=coordinator, reason="test")
    AccessLog.objects.create(
        concern=concern, user=coordinator, view="detail", purpose="stated", reason=f"Om {NAME}"
    )
    concern_close(
        concern=concern,
        actor=coordinator,
        outcome=outcome,
        reason="Avklart i samtale." if outcome == "no_further_action" else "",
        comment="",
        reporter_message="Takk for meldingen.",
        evaluation=Evaluation(help_timely="yes", situation_change="unknown", partners=frozenset()),
    )
    Concern.objects.filter(pk=concern.pk).update(closed_at=add_months(timezone.now(), -months_ago))
    # The archive has its package: retention waits for that (tests/concerns/test_archive_export.py).
    ArchiveExport.objects.filter(concern=concern).update(status=ArchiveExport.Status.DELIVERED)
    concern.refresh_from_db()
    return concern


def _all_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return repr(cursor.fetchall())


def test_a_case_past_its_period_loses_identity_text_history_and_grants(
    demo, store, django_capture_on_commit_callbacks
):
    concern = _closed_case(demo, months_ago=13)  # no further action: 12 months in Trondheim
    facts = (
        concern.reference,
        concern.municipality_id,
        concern.age_group,
        concern.phenomenon_id,
        concern.outcome,
        concern.submitted_at,
        concern.closed_at,
        concern.subject.district_id,
    )
    assert Attachment.objects.filter(concern=concern).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        run = run_retention()
    assert run.cases_anonymised == 1 and run.files_deleted == 1 and run.grants_deleted >= 1

    concern.refresh_from_db()
    assert concern.anonymised_at is not None
    assert concern.observations == ""
    subject = Subject.objects.get(pk=concern.subject_id)
    assert (subject.name, subject.national_id, subject.birth_year) == ("", "", None)
    assert subject.school_or_workplace == ""
    # Statistics fields survive.
    assert (
        concern.reference,
        concern.municipality_id,
        concern.age_group,
        concern.phenomenon_id,
        concern.outcome,
        concern.submitted_at,
        concern.closed_at,
        subject.district_id,
    ) == facts
    assert concern.evaluation.help_timely == "yes"
    # Nowhere left: not the main rows, not their history.
    for table in (
        "concerns_concern",
        "concerns_historicalconcern",
        "concerns_subject",
        "concerns_historicalsubject",
        "concerns_caseevent",
        "concerns_historicalcaseevent",
        "concerns_accesslog",
        "concerns_historicalaccesslog",
        "concerns_historicalattachment",
    ):
        text = _all_text(table)
        assert NAME not in text and TEXT not in text and NUMBER not in text, table
    assert not ConcernUserObjectPermission.objects.filter(content_object=concern).exists()
    assert not ConcernUserObjectPermission.history.filter(content_object_id=concern.pk).exists()
    assert not Attachment.objects.filter(concern=concern).exists()
    assert [path for path in store.rglob("*") if path.is_file()] == []
    # The access log keeps who opened the case and when.
    assert AccessLog.objects.filter(concern=concern).exists()


def test_a_case_within_its_period_is_kept(demo):
    concern = _closed_case(demo, months_ago=13, outcome="referred_to_partner")  # 24 months
    assert run_retention().cases_anonymised == 0
    concern.refresh_from_db()
    assert concern.anonymised_at is None and concern.observations == TEXT


def test_the_municipalitys_own_period_decides(demo):
    concern = _closed_case(demo, months_ago=13, outcome="referred_to_partner")
    RetentionRule.objects.filter(
        municipality=concern.municipality, outcome="referred_to_partner"
    ).update(months=6)
    assert run_retention().cases_anonymised == 1


def test_a_legal_hold_stops_it(demo):
    concern = _closed_case(demo, months_ago=13)
    legal_hold_place(
        concern=concern, actor=demo["trd-coordinator"], reason="Klagesak hos Statsforvalteren"
    )
    assert run_retention().cases_anonymised == 0
    concern.refresh_from_db()
    assert concern.observations == TEXT
    assert concern.events.filter(kind=CaseEvent.Kind.LEGAL_HOLD).exists()


def test_the_coordinator_sees_what_goes_next_and_puts_a_hold_on_it(client, demo):
    soon = _closed_case(demo, months_ago=12)  # its 12 months end about now
    Concern.objects.filter(pk=soon.pk).update(
        closed_at=add_months(timezone.now() + datetime.timedelta(days=10), -12)
    )
    upcoming, held = upcoming_for(demo["trd-coordinator"])
    assert [item.concern for item in upcoming] == [soon] and held == []

    client.force_login(demo["trd-coordinator"])
    page = client.get(reverse("concerns:retention")).content.decode()
    assert soon.reference in page
    client.post(
        reverse("concerns:legal_hold", args=[soon.public_id]),
        {"reason": "Rettssak om saken pågår"},
    )
    soon.refresh_from_db()
    assert soon.legal_hold_at is not None
    upcoming, held = upcoming_for(demo["trd-coordinator"])
    assert upcoming == [] and held == [soon]


@pytest.mark.parametrize("who", ["trd-frontline", "trd-police", "trd-admin", "aal-coordinator"])
def test_only_the_coordinator_sees_retention_and_holds(client, demo, who):
    concern = _closed_case(demo, months_ago=11)
    client.force_login(demo[who])
    page = client.get(reverse("concerns:retention"))
    if who == "aal-coordinator":  # their own municipality's page, without Trondheim's case
        assert page.status_code == 200 and concern.reference not in page.content.decode()
    else:
        assert page.status_code == 404
    client.post(
        reverse("concerns:legal_hold", args=[concern.public_id]), {"reason": "Jeg vil beholde den"}
    )
    concern.refresh_from_db()
    assert concern.legal_hold_at is None


def test_old_drafts_are_deleted_with_their_files(demo, store, django_capture_on_commit_callbacks):
    reporter = demo["trd-frontline"]
    municipality = reporter.organisation.municipalities.get()
    draft = ConcernFactory(
        reporter=reporter,
        municipality=municipality,
        subject=SubjectFactory(municipality=municipality, created_by=reporter, name=NAME),
    )
    attachments_add(concern=draft, actor=reporter, files=[checked("utkast.txt", files.TXT)])
    young = ConcernFactory(reporter=reporter, municipality=municipality)
    Concern.objects.filter(pk=draft.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = run_retention()
    assert run.drafts_deleted == 1
    assert not Concern.objects.filter(pk=draft.pk).exists()
    assert not Subject.objects.filter(name=NAME).exists()
    assert Concern.objects.filter(pk=young.pk).exists()
    assert NAME not in _all_text("concerns_historicalsubject")
    assert [path for path in store.rglob("*") if path.is_file()] == []
