"""The case's journal: one entry per document that comes in or goes out.

Each submitted concern is a case folder (saksmappe), keyed by its reference
number; its documents are numbered 1, 2, 3 … in the order they are journaled
(the journalpost number after the case number, "BEK-2026-000012/3").

Services call `journal_record` inside their own transaction, so a document is
journaled exactly when the act that produced it is saved, and never when it
rolls back. An entry holds codes and references only (`data`); its title is
written in the reader's language when it is read (see `titles.py`), and the
public journal blanks every screened field (see `public.py`).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from concerns.models import Concern, JournalEntry
from concerns.models.records import DEFAULT_SCREENING_BASIS_DK, DEFAULT_SCREENING_BASIS_NO
from partners.models import Municipality, User

# Noark 5 tilgangskode for a document exempt from public access.
ACCESS_CODE_EXEMPT = "U"

# Every document in these cases is about one person's private circumstances,
# and in a small municipality the sender (a school, a youth club) or the
# recipient points to that person as well as a name would. The title is
# screened too: the public journal shows the kind of document, nothing more.
SCREENED_ALWAYS = [
    JournalEntry.Screened.PERSON_NAME.value,
    JournalEntry.Screened.CORRESPONDENT.value,
    JournalEntry.Screened.TITLE.value,
]

# Offentlighedsloven § 15: "en kort tematisk angivelse af dokumentets
# indhold". Written from the document's kind alone, never from what anyone
# typed, in Danish because it is part of a Danish municipality's journal.
# The phenomenon is left out on purpose: in a small municipality it narrows
# down who the case is about, and the theme is public.
_THEME_SUFFIX_DK = " – forebyggelse af radikalisering"
THEME_DK = {
    JournalEntry.DocumentKind.CONCERN: "Bekymring" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.REFERRAL: "Henvisning" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.REFERRAL_ANSWER: "Svar på henvisning" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.CLOSING_DECISION: "Afslutning af sag" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.DECISION: "Beslutning med begrundelse" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.TRANSFER: "Overdragelse af sag" + _THEME_SUFFIX_DK,
    JournalEntry.DocumentKind.RECEIPT: "Kvittering til underretter" + _THEME_SUFFIX_DK,
}


def kle_code_dk() -> str:
    """The KLE subject number (Kommunernes Landsforenings Emnesystematik) for these cases.

    Set by the Danish deployment (JOURNAL_KLE_CODE_DK), from the municipality's
    own use of KLE; empty until then, as KLE is optional in the journal. See
    docs/archive.md.
    """
    return settings.JOURNAL_KLE_CODE_DK


def screening_basis_for(municipality: Municipality) -> str:
    if municipality.country == Municipality.Country.DENMARK:
        return DEFAULT_SCREENING_BASIS_DK
    return DEFAULT_SCREENING_BASIS_NO


def _next_document_number(concern: Concern) -> int:
    # The concern's row is the case folder's lock: two documents journaled at
    # once queue on it, and the unique constraint on (concern, number) backs
    # it up should anyone write around this function.
    list(Concern.objects.select_for_update().filter(pk=concern.pk).values_list("pk", flat=True))
    last = JournalEntry.objects.filter(concern=concern).aggregate(last=Max("document_number"))
    return (last["last"] or 0) + 1


@transaction.atomic
def journal_record(
    *,
    concern: Concern,
    document_kind: str,
    direction: str,
    actor: User,
    correspondent: str = "",
    document_date: datetime.date | None = None,
    data: dict | None = None,
) -> JournalEntry:
    """Journal one document in the concern's case folder.

    `correspondent` is an organisation's name (sender of an incoming document,
    recipient of an outgoing one), never a person's. `data` holds codes and ids
    only (an outcome, a referral's id, an answer), never free text: the title
    is written from it in the reader's language.
    """
    if concern.reference is None:
        raise ValueError("Only a submitted concern has a case folder to journal in.")
    document_kind = JournalEntry.DocumentKind(document_kind).value
    direction = JournalEntry.Direction(direction).value
    municipality = concern.municipality
    today = timezone.localdate()
    danish = municipality.country == Municipality.Country.DENMARK
    entry = JournalEntry(
        concern=concern,
        municipality=municipality,
        document_number=_next_document_number(concern),
        journal_date=today,
        document_date=document_date or today,
        direction=direction,
        document_kind=document_kind,
        correspondent=correspondent[:200],
        access_code=ACCESS_CODE_EXEMPT,
        screening_basis=screening_basis_for(municipality),
        screened_fields=list(SCREENED_ALWAYS),
        theme=THEME_DK[document_kind] if danish else "",
        kle_code=kle_code_dk() if danish else "",
        data=dict(data or {}),
        created_by=actor,
    )
    entry._history_user = actor
    entry.save()
    return entry
