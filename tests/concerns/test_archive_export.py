"""The archive export: a closed case as a Noark 5 arkivmelding with its PDFs, through a sink."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from django.conf import settings as conf
from django.core.management import call_command
from django.utils import timezone

from concerns.models import ArchiveExport, Concern, NotificationKind, OutboxMessage
from concerns.records import archive
from concerns.records.archive import archive_package, archive_sweep
from concerns.records.pdf import document_pdf
from concerns.records.sinks import ArchiveSinkError, FolderSink
from concerns.retention import add_months, run_retention
from concerns.services import concern_reopen
from tests.concerns.journal_setup import (  # noqa: F401 - scene_fixture is the `scene` fixture
    NAME,
    TEXT,
    closed,
    full_case,
    scene_fixture,
    submitted,
)

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parent.parent / "archive" / "xsd" / "arkivmelding.xsd"
NS = {"a": archive.ARKIVMELDING_NS, "m": archive.METADATAKATALOG_NS}
XSI_TYPE = f"{{{archive.XSI_NS}}}type"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(XSD))


@pytest.fixture
def folder(tmp_path) -> FolderSink:
    return FolderSink(tmp_path / "arkiv")


class BrokenSink:
    name = "broken"

    def deliver(self, name, payload):
        raise ArchiveSinkError("The archive folder is not mounted.")


def _members(package_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package_bytes)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_closing_queues_the_export_in_its_own_transaction(scene, people, trondheim):
    concern = submitted(people, trondheim)
    assert not ArchiveExport.objects.exists()

    closed(scene, concern)

    export = ArchiveExport.objects.get(concern=concern)
    assert export.status == ArchiveExport.Status.PENDING
    assert export.attempts == 0


def test_the_sink_delivers_the_package_to_the_folder(scene, people, trondheim, folder):
    concern = full_case(scene, people, trondheim)

    assert archive_sweep(sink=folder) == 1

    export = ArchiveExport.objects.get(concern=concern)
    assert export.status == ArchiveExport.Status.DELIVERED
    assert export.sink == "folder"
    assert export.delivered_at is not None
    delivered = Path(export.location)
    assert delivered.parent == folder.directory.resolve()
    assert delivered.name == archive.package_name(concern)
    assert delivered.name.startswith(f"trondheim-{concern.reference}-")
    assert hashlib.sha256(delivered.read_bytes()).hexdigest() == export.sha256
    # Nothing half-written is left beside it, and a second sweep finds nothing to do.
    assert [p.name for p in folder.directory.iterdir()] == [delivered.name]
    assert archive_sweep(sink=folder) == 0


def test_the_arkivmelding_validates_and_its_checksums_match_the_pdfs(
    scene, people, trondheim, schema
):
    concern = full_case(scene, people, trondheim)
    concern.refresh_from_db()

    package = archive_package(concern)
    members = _members(package.payload)

    schema.validate(io.BytesIO(members["arkivmelding.xml"]))
    root = ElementTree.fromstring(members["arkivmelding.xml"])  # noqa: S314 - built just now
    assert root.find("a:antallFiler", NS).text == "7"
    folder = root.find("a:mappe", NS)
    assert folder.get(XSI_TYPE) == "saksmappe"
    key = folder.find("a:referanseEksternNoekkel", NS)
    assert key.find("a:fagsystem", NS).text == "bekymring"
    assert key.find("a:noekkel", NS).text == str(concern.public_id)
    year, number = concern.reference.split("-")[1:]
    assert folder.find("a:saksaar", NS).text == year
    assert folder.find("a:sakssekvensnummer", NS).text == str(int(number))
    posts = folder.findall("a:registrering", NS)
    assert [post.get(XSI_TYPE) for post in posts] == ["journalpost"] * 7
    assert [post.find("a:journalposttype/m:kode", NS).text for post in posts] == list("IUIIUIN")
    pdfs = sorted(name for name in members if name.endswith(".pdf"))
    assert len(pdfs) == 7
    for post in posts:
        document = post.find("a:dokumentbeskrivelse/a:dokumentobjekt", NS)
        member = members[document.find("a:referanseDokumentfil", NS).text]
        assert member.startswith(b"%PDF-1.7")
        assert document.find("a:sjekksum", NS).text == hashlib.sha256(member).hexdigest()
        assert document.find("a:sjekksumAlgoritme", NS).text == "SHA256"
        assert int(document.find("a:filstoerrelse", NS).text) == len(member)
        # The full title names the person; the public title never does.
        assert NAME in post.find("a:tittel", NS).text
        assert NAME not in post.find("a:offentligTittel", NS).text
        assert post.find("a:skjerming/a:skjermingshjemmel", NS).text.startswith("Offl. § 13")
    assert NAME in folder.find("a:tittel", NS).text
    assert NAME not in folder.find("a:offentligTittel", NS).text


def test_the_documents_say_what_was_written(scene, people, trondheim):
    concern = full_case(scene, people, trondheim)
    concern.refresh_from_db()

    package = archive_package(concern)

    by_kind = {doc.entry.document_number: doc for doc in package.documents}
    # PDF text is compressed and set in a subset font; the document title is
    # also kept, as written, in the PDF/A metadata.
    assert NAME.encode() in by_kind[1].payload
    assert b"<pdfaid:part>2</pdfaid:part>" in by_kind[1].payload
    assert len({doc.sha256 for doc in package.documents}) == 7


def test_the_same_closed_case_gives_the_same_bytes(scene, people, trondheim):
    concern = full_case(scene, people, trondheim)
    concern.refresh_from_db()

    assert archive_package(concern).payload == archive_package(concern).payload


def test_a_danish_case_validates_too(scene, people, aalborg, schema, settings):
    # An invented KLE number: the deployment sets its own.
    settings.JOURNAL_KLE_CODE_DK = "99.99.99"
    concern = submitted(people, aalborg, reporter=people.dana, name="Ğül Åse Ødegård")
    concern = closed(scene_for_aalborg(scene), concern)
    concern.refresh_from_db()

    package = archive_package(concern)

    xml = _members(package.payload)["arkivmelding.xml"]
    schema.validate(io.BytesIO(xml))
    root = ElementTree.fromstring(xml)  # noqa: S314 - built just now
    assert root.find("a:mappe/a:skjerming/a:skjermingshjemmel", NS).text.startswith(
        "Offentlighedsloven § 30"
    )
    assert "Ğül Åse Ødegård".encode() in package.documents[0].payload
    classification = root.find("a:mappe/a:klassifikasjon", NS)
    assert classification.find("a:klassifikasjonssystem", NS).text == "KLE"
    assert classification.find("a:klasseID", NS).text == "99.99.99"
    assert {doc.entry.kle_code for doc in package.documents} == {"99.99.99"}


def scene_for_aalborg(scene):
    """The Aalborg coordinator closes Aalborg's case."""
    return type(scene)(**{**scene.__dict__, "coordinator": scene.other_coordinator})


def test_non_latin_text_prints(tmp_path):
    pdf = document_pdf(
        title="Åse Ødegård – Ğül",
        sections=[("Ærend", "Şule, Ğül og Łukasz – «sitat» … €"), ("", "")],
        footer="BEK-2026-000001/1",
        created=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC),
    )
    assert pdf.startswith(b"%PDF-1.7")
    assert "Åse Ødegård – Ğül".encode() in pdf


def test_a_reopened_case_closed_again_gets_a_fresh_package(
    scene, people, trondheim, folder, time_machine
):
    concern = closed(scene, submitted(people, trondheim))
    archive_sweep(sink=folder)
    first = ArchiveExport.objects.get(concern=concern)

    concern = concern_reopen(concern=concern, actor=scene.coordinator, reason="Ny informasjon.")
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2))
    # While the case is open again, the sweep leaves it.
    assert archive_sweep(sink=folder) == 0
    closed(scene, concern)
    export = ArchiveExport.objects.get(concern=concern)
    assert export.status == ArchiveExport.Status.PENDING
    assert archive_sweep(sink=folder) == 1

    export.refresh_from_db()
    assert export.location != first.location
    assert sorted(p.name for p in folder.directory.iterdir()) == sorted(
        [Path(first.location).name, Path(export.location).name]
    )
    members = _members(Path(export.location).read_bytes())
    assert sum(name.endswith(".pdf") for name in members) == 3


def test_a_failing_sink_is_retried_then_the_coordinators_are_told(scene, people, trondheim):
    concern = closed(scene, submitted(people, trondheim))

    for attempt in range(1, archive.MAX_ATTEMPTS):
        assert archive_sweep(sink=BrokenSink()) == 0
        export = ArchiveExport.objects.get(concern=concern)
        assert (export.status, export.attempts) == (ArchiveExport.Status.PENDING, attempt)
    assert not OutboxMessage.objects.filter(kind=NotificationKind.ARCHIVE_FAILED).exists()

    archive_sweep(sink=BrokenSink())

    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.FAILED
    assert export.error == "The archive folder is not mounted."
    message = OutboxMessage.objects.get(kind=NotificationKind.ARCHIVE_FAILED)
    assert message.concern == concern
    assert list(message.recipients.all()) == [scene.coordinator]
    # A failed export waits for an operator; the sweep leaves it.
    assert archive_sweep(sink=BrokenSink()) == 0
    export.refresh_from_db()
    assert export.attempts == archive.MAX_ATTEMPTS


def test_a_failure_while_building_names_no_content(scene, people, trondheim, folder, monkeypatch):
    concern = closed(scene, submitted(people, trondheim))

    def broken(concern):
        raise ValueError(f"could not render {NAME}")

    monkeypatch.setattr(archive, "archive_package", broken)
    archive_sweep(sink=folder)

    export = ArchiveExport.objects.get(concern=concern)
    assert export.attempts == 1
    assert NAME not in export.error
    assert "ValueError" in export.error


def test_the_command_sends_failed_exports_round_again(scene, people, trondheim, tmp_path, settings):
    concern = closed(scene, submitted(people, trondheim))
    ArchiveExport.objects.filter(concern=concern).update(
        status=ArchiveExport.Status.FAILED, attempts=archive.MAX_ATTEMPTS
    )
    settings.ARCHIVE_EXPORT_DIR = str(tmp_path / "depot")

    out = io.StringIO()
    call_command("archive_exports", "--retry-failed", stdout=out)

    export = ArchiveExport.objects.get(concern=concern)
    assert export.status == ArchiveExport.Status.DELIVERED
    assert Path(export.location).parent == (tmp_path / "depot").resolve()
    assert "1 delivered" in out.getvalue()


@pytest.mark.parametrize("name", ["../utenfor.zip", "/etc/x.zip", ".skjult.zip", "a/b.zip", ""])
def test_the_folder_sink_refuses_a_name_that_leaves_the_folder(folder, name):
    with pytest.raises(ArchiveSinkError):
        folder.deliver(name, b"x")


def test_the_sweep_runs_every_few_minutes():
    schedule = conf.CELERY_BEAT_SCHEDULE["archive-exports"]
    assert schedule["task"] == "records.archive_sweep"
    assert schedule["schedule"] <= 15 * 60


# --- retention waits for the archive ---------------------------------------------------


def _long_closed(scene, people, trondheim) -> Concern:
    concern = closed(scene, submitted(people, trondheim))
    Concern.objects.filter(pk=concern.pk).update(closed_at=add_months(timezone.now(), -40))
    return concern


def test_retention_leaves_a_case_whose_package_is_not_delivered(scene, people, trondheim, folder):
    pending = _long_closed(scene, people, trondheim)
    failed = _long_closed(scene, people, trondheim)
    ArchiveExport.objects.filter(concern=failed).update(status=ArchiveExport.Status.FAILED)

    run = run_retention()

    assert run.cases_anonymised == 0
    for concern in (pending, failed):
        concern.refresh_from_db()
        assert concern.anonymised_at is None
        assert concern.observations == TEXT
        assert concern.subject.name == NAME

    assert archive_sweep(sink=folder) == 1
    run = run_retention()

    assert run.cases_anonymised == 1
    pending.refresh_from_db()
    failed.refresh_from_db()
    assert pending.anonymised_at is not None and pending.observations == ""
    assert failed.anonymised_at is None
