"""What each journaled document says, as sections of heading and text for its PDF.

The journal keeps codes; the archive needs the documents themselves. Each
kind of document has a renderer that reads the case's records and returns
the document's sections in the active language (the archive export renders
in the municipality's language). Apps register renderers for the documents
they produce (`referrals.records` for referrals and their answers), so this
package never imports them; a kind with no renderer gets the journal's own
fields and the timeline entry that recorded it.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concerns.models import CaseEvent, Concern, JournalEntry

Sections = list[tuple[str, str]]
Renderer = Callable[[JournalEntry], Sections]

_RENDERERS: dict[str, Renderer] = {}

# A timeline entry is written in the same transaction as its journal entry,
# before or just after it.
_SAME_ACT = datetime.timedelta(seconds=5)

# Which timeline entry records a document of each kind, for the fallback.
_EVENT_KINDS = {
    JournalEntry.DocumentKind.DECISION: CaseEvent.Kind.DECISION,
    JournalEntry.DocumentKind.TRANSFER: CaseEvent.Kind.TRANSFER,
    JournalEntry.DocumentKind.RECEIPT: CaseEvent.Kind.RECEIPT_SENT,
}


def document_renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register `function(entry) -> [(heading, text), ...]` for one kind of document."""

    def register(function: Renderer) -> Renderer:
        _RENDERERS[JournalEntry.DocumentKind(kind).value] = function
        return function

    return register


def day(value: datetime.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def moment(value: datetime.datetime | None) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "—"


def person_name(concern: Concern) -> str:
    return concern.subject.name if concern.subject_id else ""


def journal_section(entry: JournalEntry) -> tuple[str, str]:
    """The entry's place in the journal, printed at the top of every document."""
    lines = [
        f"{entry.concern.reference}/{entry.document_number}",
        f"{_('Journal date')}: {day(entry.journal_date)}",
        f"{_('Document date')}: {day(entry.document_date)}",
        f"{_('Type')}: {JournalEntry.Direction(entry.direction).label}",
    ]
    if entry.correspondent:
        lines.append(f"{_('Sender or recipient')}: {entry.correspondent}")
    lines.append(f"{_('Access code')}: {entry.access_code} ({entry.screening_basis})")
    if entry.theme:
        lines.append(f"{_('Thematic description')}: {entry.theme}")
    return _("Journal entry"), "\n".join(lines)


def document_sections(entry: JournalEntry) -> Sections:
    renderer = _RENDERERS.get(entry.document_kind, _fallback)
    return [journal_section(entry), *renderer(entry)]


def recorded_by_event(entry: JournalEntry, kind: str, **match) -> CaseEvent | None:
    """The timeline entry the same act wrote: named in the entry's data, or the nearest before."""
    events = CaseEvent.objects.filter(concern=entry.concern_id)
    if isinstance((entry.data or {}).get("event"), int):
        return events.filter(pk=entry.data["event"]).first()
    return (
        events.filter(kind=kind, at__lte=entry.created_at + _SAME_ACT, **match)
        .order_by("-at", "-pk")
        .first()
    )


def _language_text(texts: dict, fallback: str = "") -> str:
    language = (get_language() or "nb")[:2]
    return texts.get(language) or texts.get("nb") or fallback


def _fallback(entry: JournalEntry) -> Sections:
    event_kind = _EVENT_KINDS.get(entry.document_kind)
    event = recorded_by_event(entry, event_kind) if event_kind else None
    if event is None:
        return []
    if entry.document_kind == JournalEntry.DocumentKind.RECEIPT:
        text = _language_text((event.data or {}).get("receipt") or {}, event.text)
        return [(_("Receipt to the reporter"), text)]
    if entry.document_kind == JournalEntry.DocumentKind.DECISION:
        return [(_("Reason"), event.text)]
    return [(_("Note"), event.text)] if event.text else []


@document_renderer(JournalEntry.DocumentKind.CONCERN)
def concern_report(entry: JournalEntry) -> Sections:
    concern = entry.concern
    subject = concern.subject
    reporter = concern.reporter
    born = day(subject.birth_date) if subject.birth_date else str(subject.birth_year or "—")
    yes_no = _("Yes") if concern.involves_conflict_travel else _("No")
    return [
        (_("Submitted"), moment(concern.submitted_at)),
        (
            _("Filed by"),
            f"{reporter.get_full_name() or reporter.username}, {concern.reporter_organisation}",
        ),
        (_("Person"), subject.name or "—"),
        (_("Born"), born),
        (_("District"), str(subject.district or "—")),
        (_("School or workplace"), subject.school_or_workplace or "—"),
        (
            _("Phenomenon"),
            str(concern.phenomenon) if concern.phenomenon_id else "—",
        ),
        (
            _("Signs of concern"),
            ", ".join(map(str, concern.signs.all())) or "—",
        ),
        (_("Urgency"), concern.get_urgency_display() if concern.urgency else "—"),
        (_("Travel to or from armed conflict"), yes_no),
        (
            _("Prevention level"),
            concern.get_prevention_level_display() if concern.prevention_level else "—",
        ),
        (
            _("Parents or guardians informed"),
            concern.get_guardians_informed_display() if concern.guardians_informed else "—",
        ),
        (_("Observed on"), day(concern.observed_on)),
        (_("Observations"), concern.observations),
    ]


@document_renderer(JournalEntry.DocumentKind.CLOSING_DECISION)
def closing_decision(entry: JournalEntry) -> Sections:
    outcome = (entry.data or {}).get("outcome", "")
    closing = recorded_by_event(
        entry, CaseEvent.Kind.STATUS_CHANGED, to_status=Concern.Status.CLOSED
    )
    sections = [
        (
            _("Outcome"),
            str(Concern.Outcome(outcome).label) if outcome in Concern.Outcome.values else "—",
        ),
        (_("Closed"), moment(closing.at if closing else entry.created_at)),
    ]
    if closing is not None and closing.text:
        sections.append((_("Internal comment"), closing.text))
    told = (
        CaseEvent.objects.filter(
            concern=entry.concern_id,
            kind=CaseEvent.Kind.REPORTER_INFORMED,
            at__lte=entry.created_at + _SAME_ACT,
            at__gte=entry.created_at - _SAME_ACT,
        )
        .order_by("-at", "-pk")
        .first()
    )
    if told is not None and told.text:
        sections.append((_("Message to the reporter"), told.text))
    # "No further action" is a decision with its reason (concerns.services.decisions).
    reasoned = (entry.data or {}).get("decision_event")
    decision = (
        CaseEvent.objects.filter(concern=entry.concern_id, pk=reasoned).first()
        if isinstance(reasoned, int)
        else None
    )
    if decision is not None:
        sections.append((_("Reason for no further action"), decision.text))
    return sections
