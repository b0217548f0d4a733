"""The archive export: a closed case as a Noark 5 arkivmelding, its documents as PDF/A, zipped.

Closing a case writes a pending ArchiveExport row in the closing transaction
(the `on_close` hook below); nothing talks to the broker or the archive
inside the request. A periodic task (`records.archive_sweep`) builds each
pending package and hands it to the configured sink (`sinks.py`). A failed
delivery is tried again on the next sweeps; after MAX_ATTEMPTS it is marked
failed and the municipality's coordinators are told. A reopened case closed
again gets a fresh package. Retention leaves a case alone until its package
is delivered (concerns.retention).

The package (see docs/archive.md):

    arkivmelding.xml            the case folder (saksmappe), one journal post per
                                journal entry, each with its document and the
                                document's SHA-256 checksum, size and file name
    dokumenter/<ref>-<n>.pdf    each journaled document, rendered as PDF/A-2b

The same closed case always gives the same bytes: dates come from the case,
never from the clock, so a package delivered twice is the same package.
"""

import datetime
import hashlib
import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.db import transaction
from django.utils import timezone, translation

from concerns.hooks import on_close
from concerns.models import ArchiveExport, Concern, JournalEntry, NotificationKind
from concerns.permissions import coordinators_of
from concerns.records.documents import document_sections, person_name
from concerns.records.journal import ACCESS_CODE_EXEMPT, screening_basis_for
from concerns.records.pdf import document_pdf
from concerns.records.sinks import ArchiveSink, ArchiveSinkError, configured_sink
from concerns.records.titles import archive_title, public_title
from concerns.reminders import outbox_add
from partners.models import Municipality, User
from partners.services import system_user

log = logging.getLogger(__name__)

ARKIVMELDING_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/v1"
METADATAKATALOG_NS = (
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
)
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ElementTree.register_namespace("", ARKIVMELDING_NS)
ElementTree.register_namespace("n5mdk", METADATAKATALOG_NS)
ElementTree.register_namespace("xsi", XSI_NS)

# The system's name in the archive, and the "fagsystem" of every external key.
FAGSYSTEM = "bekymring"
MAX_ATTEMPTS = 8
DOCUMENT_FOLDER = "dokumenter"

# Noark 5 code values (metadata catalogue M082 journalposttype, M053
# journalstatus, M052 saksstatus, M054 dokumentstatus, M217
# tilknyttetRegistreringSom, M700 variantformat, M087 korrespondanseparttype),
# with the catalogue's own words for them.
JOURNALPOSTTYPE = {
    JournalEntry.Direction.INCOMING: "Inngående dokument",
    JournalEntry.Direction.OUTGOING: "Utgående dokument",
    JournalEntry.Direction.INTERNAL: "Organinternt dokument for oppfølging",
}
KORRESPONDANSEPARTTYPE = {
    JournalEntry.Direction.INCOMING: ("EA", "Avsender"),
    JournalEntry.Direction.OUTGOING: ("EM", "Mottaker"),
}
# PRONOM's identifier for PDF/A-2b.
PDF_A_2B = ("fmt/477", "PDF/A-2b")


def municipality_language(municipality: Municipality) -> str:
    """The archive is written in the municipality's own language."""
    return "da" if municipality.country == Municipality.Country.DENMARK else "nb"


def _stamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _case_number(reference: str) -> tuple[int, int]:
    """BEK-2026-000012 → (2026, 12): the Noark case year and sequence number."""
    _prefix, year, number = reference.rsplit("-", 2)
    return int(year), int(number)


@dataclass(frozen=True)
class ArchiveDocument:
    entry: JournalEntry
    path: str  # inside the zip
    payload: bytes

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def sha256(self) -> str:
        return _sha256(self.payload)


@dataclass(frozen=True)
class ArchivePackage:
    name: str
    xml: bytes
    documents: list[ArchiveDocument]
    payload: bytes  # the zip

    @property
    def sha256(self) -> str:
        return _sha256(self.payload)


def _entries(concern: Concern) -> list[JournalEntry]:
    return list(
        JournalEntry.objects.filter(concern=concern)
        .select_related("created_by", "concern")
        .order_by("document_number")
    )


def _documents(concern: Concern, entries: list[JournalEntry]) -> list[ArchiveDocument]:
    name = person_name(concern)
    documents = []
    for entry in entries:
        entry.concern = concern
        payload = document_pdf(
            title=archive_title(entry, name),
            sections=document_sections(entry),
            footer=f"{concern.reference}/{entry.document_number} · {concern.municipality.name}",
            created=entry.created_at,
        )
        path = f"{DOCUMENT_FOLDER}/{concern.reference}-{entry.document_number:03d}.pdf"
        documents.append(ArchiveDocument(entry, path, payload))
    return documents


def _element(parent, name: str, text=None, namespace: str = ARKIVMELDING_NS):
    element = ElementTree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _code(parent, name: str, code: str, description: str):
    element = _element(parent, name)
    _element(element, "kode", code, METADATAKATALOG_NS)
    _element(element, "beskrivelse", description, METADATAKATALOG_NS)
    return element


def _screening(parent, access_code: str, basis: str) -> None:
    screening = _element(parent, "skjerming")
    _code(screening, "tilgangsrestriksjon", access_code, "Unntatt offentlighet")
    _element(screening, "skjermingshjemmel", basis)


def _external_key(parent, key: str) -> None:
    reference = _element(parent, "referanseEksternNoekkel")
    _element(reference, "fagsystem", FAGSYSTEM)
    _element(reference, "noekkel", key)


def _actor(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else FAGSYSTEM


def _journal_post(folder, concern: Concern, document: ArchiveDocument, name: str) -> None:
    entry = document.entry
    post = _element(folder, "registrering")
    post.set(f"{{{XSI_NS}}}type", "journalpost")
    _element(post, "opprettetDato", _stamp(entry.created_at))
    _element(post, "opprettetAv", _actor(entry.created_by))
    _screening(post, entry.access_code, entry.screening_basis)

    description = _element(post, "dokumentbeskrivelse")
    _code(description, "dokumenttype", entry.document_kind, public_title(entry))
    _code(description, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _element(description, "tittel", archive_title(entry, name))
    _element(description, "opprettetDato", _stamp(entry.created_at))
    _code(description, "tilknyttetRegistreringSom", "H", "Hoveddokument")
    _element(description, "dokumentnummer", 1)
    document_object = _element(description, "dokumentobjekt")
    _element(document_object, "versjonsnummer", 1)
    _code(document_object, "variantformat", "A", "Arkivformat")
    _code(document_object, "format", *PDF_A_2B)
    _element(document_object, "mimeType", "application/pdf")
    _element(document_object, "opprettetDato", _stamp(entry.created_at))
    _element(document_object, "filnavn", document.file_name)
    _element(document_object, "referanseDokumentfil", document.path)
    _element(document_object, "sjekksum", document.sha256)
    _element(document_object, "sjekksumAlgoritme", "SHA256")
    _element(document_object, "filstoerrelse", len(document.payload))

    _element(post, "registreringsID", f"{concern.reference}/{entry.document_number}")
    _element(post, "tittel", archive_title(entry, name))
    _element(post, "offentligTittel", public_title(entry))
    party = KORRESPONDANSEPARTTYPE.get(entry.direction)
    if party and entry.correspondent:
        correspondent = _element(post, "korrespondansepart")
        _code(correspondent, "korrespondanseparttype", *party)
        _element(correspondent, "korrespondansepartNavn", entry.correspondent)
    _external_key(post, f"{concern.public_id}/{entry.document_number}")

    _element(post, "journalaar", entry.journal_date.year)
    _element(post, "journalpostnummer", entry.document_number)
    _code(post, "journalposttype", entry.direction, JOURNALPOSTTYPE[entry.direction])
    _code(post, "journalstatus", "J", "Journalført")
    _element(post, "journaldato", entry.journal_date.isoformat())
    _element(post, "dokumentetsDato", entry.document_date.isoformat())
    if entry.direction == JournalEntry.Direction.INCOMING:
        _element(post, "mottattDato", _stamp(entry.created_at))
    elif entry.direction == JournalEntry.Direction.OUTGOING:
        _element(post, "sendtDato", _stamp(entry.created_at))


def arkivmelding_xml(concern: Concern, documents: list[ArchiveDocument]) -> bytes:
    """The arkivmelding for a closed case: one saksmappe, a journalpost per document."""
    municipality = concern.municipality
    name = person_name(concern)
    root = ElementTree.Element(f"{{{ARKIVMELDING_NS}}}arkivmelding")
    _element(root, "system", FAGSYSTEM)
    message_id = uuid.uuid5(
        uuid.NAMESPACE_URL, f"{FAGSYSTEM}:{concern.public_id}:{concern.closed_at}"
    )
    _element(root, "meldingId", message_id)
    _element(root, "tidspunkt", _stamp(concern.closed_at))
    _element(root, "antallFiler", len(documents))

    folder = _element(root, "mappe")
    folder.set(f"{{{XSI_NS}}}type", "saksmappe")
    kind = JournalEntry.DocumentKind.CONCERN.label
    _element(folder, "tittel", f"{kind} – {name}" if name else str(kind))
    _element(folder, "offentligTittel", kind)
    _element(folder, "opprettetDato", _stamp(concern.submitted_at))
    _element(folder, "avsluttetDato", _stamp(concern.closed_at))
    _screening(folder, ACCESS_CODE_EXEMPT, screening_basis_for(municipality))
    # The KLE number the case's first document was journaled with (Denmark).
    kle = next((doc.entry.kle_code for doc in documents if doc.entry.kle_code), "")
    if kle:
        classification = _element(folder, "klassifikasjon")
        _element(classification, "klassifikasjonssystem", "KLE")
        _element(classification, "klasseID", kle)
    _external_key(folder, str(concern.public_id))
    for document in documents:
        _journal_post(folder, concern, document, name)
    year, number = _case_number(concern.reference)
    _element(folder, "saksaar", year)
    _element(folder, "sakssekvensnummer", number)
    _element(folder, "saksdato", timezone.localdate(concern.submitted_at).isoformat())
    _element(folder, "administrativEnhet", municipality.name)
    _code(folder, "saksstatus", "A", "Avsluttet")
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _zip(files: list[tuple[str, bytes]], when: datetime.datetime) -> bytes:
    # Every member dated by the case's closing, so the zip's bytes depend on the case alone.
    date_time = timezone.localtime(when).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, payload in files:
            info = zipfile.ZipInfo(path, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o640 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def package_name(concern: Concern) -> str:
    closed = concern.closed_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{concern.municipality.code}-{concern.reference}-{closed}.zip"


def archive_package(concern: Concern) -> ArchivePackage:
    """Build the closed case's package, in the municipality's language."""
    if concern.status != Concern.Status.CLOSED or concern.closed_at is None:
        raise ValueError("Only a closed case goes to the archive.")
    with translation.override(municipality_language(concern.municipality)):
        documents = _documents(concern, _entries(concern))
        xml = arkivmelding_xml(concern, documents)
    files = [("arkivmelding.xml", xml), *((doc.path, doc.payload) for doc in documents)]
    return ArchivePackage(
        name=package_name(concern),
        xml=xml,
        documents=documents,
        payload=_zip(files, concern.closed_at),
    )


# --- the export's life -------------------------------------------------------------------


@on_close
def archive_export_queue(*, concern: Concern, actor: User) -> ArchiveExport:
    """Inside the closing transaction: the case waits for its (fresh) package to be delivered."""
    export = ArchiveExport.objects.select_for_update().filter(concern=concern).first()
    if export is None:
        export = ArchiveExport(concern=concern)
    export.status = ArchiveExport.Status.PENDING
    export.attempts = 0
    export.error = ""
    export._history_user = actor
    export.save()
    return export


def _failed(export: ArchiveExport, error: Exception) -> None:
    export.attempts += 1
    # A sink's message says where and why; a failure while building says only
    # what kind it was, as its message might quote the case.
    if isinstance(error, ArchiveSinkError):
        export.error = str(error)[:500]
    else:
        export.error = f"The package could not be built ({type(error).__name__})."
    if export.attempts >= MAX_ATTEMPTS:
        export.status = ArchiveExport.Status.FAILED
        outbox_add(
            kind=NotificationKind.ARCHIVE_FAILED,
            concern=export.concern,
            recipients=coordinators_of(export.concern.municipality_id),
            actor=None,
        )
    log.warning("Archive export %s failed (attempt %s).", export.pk, export.attempts)


def _delivered(export: ArchiveExport, package: ArchivePackage, sink: ArchiveSink, location: str):
    export.status = ArchiveExport.Status.DELIVERED
    export.attempts += 1
    export.error = ""
    export.sink = sink.name
    export.location = location[:500]
    export.sha256 = package.sha256
    export.delivered_at = timezone.now()


def archive_export_deliver(*, export_id: int, sink: ArchiveSink | None = None):
    """Build and deliver one pending export; the export as it now stands, or None.

    The package is built and handed over outside any transaction, so the
    embedded database's write lock is held for the bookkeeping alone. Two
    sweeps at once would deliver the same bytes under the same name, which a
    sink takes twice without harm; the row then records the delivery once.
    """
    export = (
        ArchiveExport.objects.select_related("concern__municipality", "concern__subject")
        .filter(
            pk=export_id,
            status=ArchiveExport.Status.PENDING,
            concern__status=Concern.Status.CLOSED,
        )
        .first()
    )
    if export is None:
        return None
    closed_at = export.concern.closed_at
    sink = sink or configured_sink()
    failure = package = location = None
    try:
        package = archive_package(export.concern)
        location = sink.deliver(package.name, package.payload)
    except Exception as error:  # noqa: BLE001 - every failure counts as an attempt
        failure = error
    with transaction.atomic():
        export = (
            ArchiveExport.objects.select_for_update(of=("self",))
            .select_related("concern")
            .get(pk=export_id)
        )
        # Reopened, closed again or delivered by another sweep meanwhile: the
        # next sweep builds the package that is due now.
        if export.status != ArchiveExport.Status.PENDING or export.concern.closed_at != closed_at:
            return export
        if failure is None:
            _delivered(export, package, sink, location)
        else:
            _failed(export, failure)
        export._history_user = system_user()
        export.save()
    return export


def archive_exports_retry_failed(*, actor: User) -> int:
    """Send failed exports round again, from the first attempt, once the sink is fixed.

    Run by an operator on the server (`manage.py archive_exports --retry-failed`),
    the only caller: it touches no case, only the delivery's own bookkeeping.
    """
    failed = list(
        ArchiveExport.objects.select_for_update().filter(status=ArchiveExport.Status.FAILED)
    )
    for export in failed:
        export.status = ArchiveExport.Status.PENDING
        export.attempts = 0
        export.error = ""
        export._history_user = actor
        export.save(update_fields=["status", "attempts", "error"])
    return len(failed)


def archive_sweep(*, limit: int = 20, sink: ArchiveSink | None = None) -> int:
    """Deliver pending exports of closed cases, oldest first; returns how many were delivered."""
    pending = list(
        ArchiveExport.objects.filter(
            status=ArchiveExport.Status.PENDING, concern__status=Concern.Status.CLOSED
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = 0
    for export_id in pending:
        export = archive_export_deliver(export_id=export_id, sink=sink)
        delivered += export is not None and export.status == ArchiveExport.Status.DELIVERED
    return delivered
