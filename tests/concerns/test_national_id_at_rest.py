"""The national identity number at rest: encrypted in the row and its history, matched by a
keyed hash, shown masked, and revealed only for a stated reason that goes to the access log."""

import importlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from concerns import crypto
from concerns.models import AccessLog, Concern, Subject
from concerns.selectors import same_person_candidates
from concerns.services import concern_submit
from concerns.triage_forms import LinkSubjectForm
from partners.models import User
from tests.factories import ConcernFactory, SubjectFactory

pytestmark = pytest.mark.django_db

NUMBER = "01811050047"  # a synthetic test person (month + 80): nobody's number
OTHER_NUMBER = "02811050079"


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _file(reporter: User, number: str, name: str = "Oppdiktet Elev") -> Concern:
    municipality = reporter.organisation.municipalities.get()
    subject = SubjectFactory(
        municipality=municipality, created_by=reporter, name=name, national_id=number
    )
    concern = ConcernFactory(reporter=reporter, municipality=municipality, subject=subject)
    return concern_submit(concern=concern, actor=reporter)


def _raw(table: str, column: str, where: str, value) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {where} = %s", [value])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_column_and_the_history_never_hold_the_plain_number(demo):
    concern = _file(demo["trd-frontline"], NUMBER)
    subject = concern.subject
    subject.national_id = OTHER_NUMBER
    subject.save()

    stored = _raw("concerns_subject", "national_id", "id", subject.pk)
    history = _raw("concerns_historicalsubject", "national_id", "id", subject.pk)
    assert len(history) == 2
    for value in [*stored, *history]:
        assert NUMBER not in value and OTHER_NUMBER not in value
        assert value.startswith("gAAAA")  # a Fernet token
    assert crypto.decrypt(stored[0]) == OTHER_NUMBER
    assert sorted(crypto.decrypt(value) for value in history) == sorted([NUMBER, OTHER_NUMBER])
    assert Subject.objects.get(pk=subject.pk).national_id == OTHER_NUMBER


def test_no_number_stays_blank_and_has_no_digest(demo):
    concern = _file(demo["trd-frontline"], "")
    assert _raw("concerns_subject", "national_id", "id", concern.subject_id) == [""]
    assert concern.subject.national_id_digest == ""


def test_the_keyed_hash_finds_the_same_person_filed_by_someone_else(demo):
    first = _file(demo["trd-frontline"], NUMBER, name="Oppdiktet Elev")
    # Another reporter, another spelling, no birth year in common: only the number matches.
    second = _file(demo["trd-resource"], NUMBER, name="Elev Oppdiktesen")
    Subject.objects.filter(pk=second.subject_id).update(birth_year=2001)
    unrelated = _file(demo["trd-resource"], OTHER_NUMBER, name="Helt Annen")
    Subject.objects.filter(pk=unrelated.subject_id).update(birth_year=1999)

    assert first.subject.national_id_digest == second.subject.national_id_digest
    assert first.subject.national_id_digest != crypto.keyed_digest(OTHER_NUMBER)
    second.refresh_from_db()
    candidates = same_person_candidates(second, demo["trd-coordinator"])
    assert list(candidates) == [first.subject]
    form = LinkSubjectForm(candidates=candidates, digest=second.subject.national_id_digest)
    with translation.override("en"):
        labels = [str(label) for _, label in form.fields["same_as"].choices]
    assert any("same national identity number" in label for label in labels)


def _case_page(client, user, concern):
    client.force_login(user)
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]),
        {"reason": "Koordinering av saken i dag"},
    )
    return client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()


def test_the_case_page_shows_the_number_masked(client, demo):
    concern = _file(demo["trd-frontline"], NUMBER)
    page = _case_page(client, demo["trd-coordinator"], concern)
    assert "******50047" in page
    assert NUMBER not in page


def test_revealing_the_number_needs_a_reason_and_is_logged(client, demo):
    concern = _file(demo["trd-frontline"], NUMBER)
    _case_page(client, demo["trd-coordinator"], concern)
    url = reverse("concerns:national_id", args=[concern.public_id])

    refused = client.post(url, {"reason": "fordi"}, follow=True).content.decode()
    assert NUMBER not in refused
    assert not AccessLog.objects.filter(purpose=AccessLog.Purpose.NATIONAL_ID).exists()

    shown = client.post(url, {"reason": "Melding til barnevernet krever nummeret"})
    assert shown.status_code == 200
    assert NUMBER in shown.content.decode()
    entry = AccessLog.objects.get(purpose=AccessLog.Purpose.NATIONAL_ID)
    assert entry.user == demo["trd-coordinator"]
    assert entry.reason == "Melding til barnevernet krever nummeret"


def test_an_outsider_cannot_reveal_the_number(client, demo):
    concern = _file(demo["trd-frontline"], NUMBER)
    client.force_login(demo["aal-coordinator"])
    response = client.post(
        reverse("concerns:national_id", args=[concern.public_id]),
        {"reason": "Jeg vil gerne se nummeret"},
    )
    assert response.status_code == 404
    assert NUMBER not in response.content.decode()
    assert not AccessLog.objects.filter(purpose=AccessLog.Purpose.NATIONAL_ID).exists()


def test_rotation_re_encrypts_under_the_new_key(demo, settings):
    concern = _file(demo["trd-frontline"], NUMBER)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_field_encryption", stdout=out)
    assert "Re-encrypted 1 people" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now go
    assert Subject.objects.get(pk=concern.subject_id).national_id == NUMBER
    for value in _raw("concerns_historicalsubject", "national_id", "id", concern.subject_id):
        assert crypto.decrypt(value) == NUMBER


def test_the_migration_encrypts_numbers_stored_before_encryption(demo):
    concern = _file(demo["trd-frontline"], "")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE concerns_subject SET national_id = %s WHERE id = %s",
            [NUMBER, concern.subject_id],
        )
    migration = importlib.import_module("concerns.migrations.0025_national_id_encrypted")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_plain_numbers(None, editor)

    stored = _raw("concerns_subject", "national_id", "id", concern.subject_id)[0]
    assert NUMBER not in stored
    subject = Subject.objects.get(pk=concern.subject_id)
    assert subject.national_id == NUMBER
    assert subject.national_id_digest == crypto.keyed_digest(NUMBER)
