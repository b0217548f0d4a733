"""The referral documents for the archive: a referral sent, and the agency's answers to it.

Registered with concerns.records.documents, which never imports referrals.
"""

from django.utils.translation import gettext as _

from concerns.models import JournalEntry
from concerns.records.documents import Sections, day, document_renderer, moment
from referrals.models import LegalBasis, Referral


def _referral(entry: JournalEntry) -> Referral | None:
    public_id = (entry.data or {}).get("referral", "")
    return (
        Referral.objects.filter(concern=entry.concern_id, public_id=public_id)
        .select_related("receiving_organisation", "receiving_contact")
        .first()
    )


def _legal_basis(referral: Referral) -> str:
    country = referral.concern.municipality.country
    basis = LegalBasis.objects.filter(country=country, code=referral.legal_basis).first()
    text = str(basis) if basis else referral.legal_basis
    if referral.legal_basis_other:
        text = f"{text}: {referral.legal_basis_other}"
    return text


@document_renderer(JournalEntry.DocumentKind.REFERRAL)
def referral_sent(entry: JournalEntry) -> Sections:
    referral = _referral(entry)
    if referral is None:
        return []
    requested = [
        *map(str, referral.requested_measures.all()),
        *map(str, referral.requested_initiatives.all()),
        *map(str, referral.requested_corps.all()),
    ]
    to = referral.receiving_organisation.name
    if referral.receiving_contact:
        to = f"{to}, {referral.receiving_contact.name}"
    return [
        (_("Sent"), moment(referral.sent_at)),
        (_("To"), to),
        (_("Reason for the referral"), referral.reason),
        (_("What is shared"), referral.shared_information),
        (_("Legal basis for sharing"), _legal_basis(referral)),
        (_("Requested"), ", ".join(requested) or "—"),
        (_("Answer due"), day(referral.response_due)),
    ]


@document_renderer(JournalEntry.DocumentKind.REFERRAL_ANSWER)
def referral_answered(entry: JournalEntry) -> Sections:
    referral = _referral(entry)
    if referral is None:
        return []
    answer = (entry.data or {}).get("answer", "")
    if answer == Referral.Status.COMPLETED:
        return [
            (_("Completed"), moment(referral.completed_at)),
            (_("Outcome"), referral.outcome or "—"),
        ]
    return [
        (_("Answered"), moment(referral.responded_at)),
        (
            _("Answer"),
            str(Referral.Status(answer).label) if answer in Referral.Status.values else "—",
        ),
        (_("Reason"), referral.response_reason or "—"),
    ]
