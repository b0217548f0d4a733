"""A journal entry's title, written from its kind and codes in the active language.

The entry keeps codes (an outcome, an answer, a decision); the words are
chosen when someone reads it. The public journal shows the screened title:
the kind of document alone, never a name and never anything anyone typed.
"""

from django.utils.translation import gettext as _

from concerns.models import Concern, JournalEntry

Kind = JournalEntry.DocumentKind


def _answer_label(answer: str) -> str:
    return {
        "accepted": _("accepted"),
        "declined": _("declined"),
        "completed": _("completed"),
        "withdrawn": _("withdrawn"),
    }.get(answer, "")


def _decision_label(code: str) -> str:
    # Imported here: the decisions service journals through this package.
    from concerns.services.decisions import Decision

    return str(Decision(code).label) if code in Decision.values else ""


def document_title(entry: JournalEntry) -> str:
    """The title the case's own journal shows, in the reader's language. It names nobody."""
    data = entry.data or {}
    kind = entry.document_kind
    to = entry.correspondent
    if kind == Kind.REFERRAL and to:
        return _("Referral to %(organisation)s") % {"organisation": to}
    if kind == Kind.REFERRAL_ANSWER and _answer_label(data.get("answer", "")):
        return _("Referral %(answer)s by %(organisation)s") % {
            "answer": _answer_label(data["answer"]),
            "organisation": to or "—",
        }
    if kind == Kind.CLOSING_DECISION and data.get("outcome") in Concern.Outcome.values:
        return _("Closing decision: %(outcome)s") % {
            "outcome": Concern.Outcome(data["outcome"]).label
        }
    if kind == Kind.DECISION and _decision_label(data.get("decision", "")):
        return _("Decision with reasons: %(decision)s") % {
            "decision": _decision_label(data["decision"])
        }
    if kind == Kind.TRANSFER and _answer_label(data.get("answer", "")):
        return _("Case transfer %(answer)s by %(municipality)s") % {
            "answer": _answer_label(data["answer"]),
            "municipality": to or "—",
        }
    if kind == Kind.TRANSFER and entry.direction == JournalEntry.Direction.OUTGOING and to:
        return _("Case transfer to %(municipality)s") % {"municipality": to}
    return public_title(entry)


def public_title(entry: JournalEntry) -> str:
    """What the public journal shows for the title: the kind of document, nothing more."""
    return str(Kind(entry.document_kind).label)


def archive_title(entry: JournalEntry, person_name: str) -> str:
    """The archive's full title (Noark tittel): the case journal's, with the person's name.

    The archive keeps the public title beside it (offentligTittel), without the name.
    """
    title = document_title(entry)
    return f"{title} – {person_name}" if person_name else title
