"""Transfer and handover documents for the archive: what was sent, and the answers to it.

Registered with concerns.records.documents, which never imports referrals.
The archive keeps the record in full, staff named, as the case itself does;
a handover is printed as it was handed over (its names hidden if they were).
"""

from django.utils.translation import gettext as _

from concerns.models import JournalEntry
from concerns.records.documents import Sections, day, document_renderer, moment
from referrals.models import Handover, Transfer
from referrals.transfers.pdf import Writer, content_sections, legal_basis_text
from referrals.transfers.snapshot import read


def _transfer_sections(entry: JournalEntry, transfer: Transfer) -> Sections:
    answer = (entry.data or {}).get("answer", "")
    sections = [
        (_("From"), f"{transfer.sending_municipality}, {transfer.created_by.get_full_name()}"),
        (_("To"), str(transfer.receiving_municipality)),
        (
            _("Legal basis for sharing"),
            legal_basis_text(
                transfer.sending_municipality.country,
                transfer.legal_basis,
                transfer.legal_basis_other,
            ),
        ),
        (_("Sent"), moment(transfer.created_at)),
    ]
    if answer:
        answered_by = transfer.answered_by.get_full_name() if transfer.answered_by else "—"
        sections += [
            (_("Answer"), f"{Transfer.Status(answer).label}, {answered_by}"),
            (_("Answered"), moment(transfer.answered_at)),
        ]
        if transfer.reason:
            sections.append((_("Reason"), transfer.reason))
        return sections
    if not transfer.snapshot:
        return sections  # anonymised with its case
    sections.append((_("Note to the receiving coordinator"), transfer.note))
    return sections + content_sections(read(transfer.snapshot), Writer(transfer.snapshot, False))


def _handover_sections(handover: Handover) -> Sections:
    sections = [
        (_("Handed over to"), handover.recipient),
        (_("How"), handover.get_channel_display()),
        (_("Handed over"), moment(handover.created_at)),
        (
            _("Legal basis for sharing"),
            legal_basis_text(
                handover.concern.municipality.country,
                handover.legal_basis,
                handover.legal_basis_other,
            ),
        ),
    ]
    if handover.received_on:
        sections.append(
            (
                _("Receipt"),
                _("Received by %(who)s on %(day)s")
                % {
                    "who": handover.received_by,
                    "day": day(handover.received_on),
                },
            )
        )
    if not handover.snapshot:
        return sections
    writer = Writer(handover.snapshot, handover.hide_staff_names)
    return sections + content_sections(read(handover.snapshot), writer)


@document_renderer(JournalEntry.DocumentKind.TRANSFER)
def transfer_document(entry: JournalEntry) -> Sections:
    data = entry.data or {}
    if data.get("handover"):
        handover = (
            Handover.objects.filter(concern=entry.concern_id, public_id=data["handover"])
            .select_related("concern__municipality")
            .first()
        )
        return _handover_sections(handover) if handover else []
    transfer = (
        Transfer.objects.filter(public_id=data.get("transfer", ""))
        .select_related(
            "sending_municipality", "receiving_municipality", "created_by", "answered_by"
        )
        .first()
    )
    # The entry is the sending case's or the case the transfer created, nobody else's.
    if transfer is None or entry.concern_id not in (
        transfer.source_concern_id,
        transfer.created_concern_id,
    ):
        return []
    return _transfer_sections(entry, transfer)
