"""The chronology export for a body outside the system, as a PDF, from a handover's snapshot.

Written in the language of whoever downloads it. With staff names hidden,
every member of staff the snapshot names is written as her role and
organisation: in the structured parts, and wherever her name appears in
free text (a note that mentions a colleague). The person the case is about
keeps her name: she is what the handover is about.
"""

import html
import re

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerns.models import Concern
from concerns.records.pdf import document_pdf
from concerns.templatetags.concern_tags import in_reader_language
from partners.models import Contact, Role
from referrals.models import Handover, LegalBasis, TransferPart
from referrals.transfers.snapshot import Sent, read, staff_names


def role_label(code: str) -> str:
    """A role code as kept on a snapshot: an account's role, or a registry contact's."""
    if code in Role.Code.values:
        return str(Role.Code(code).label)
    if code in Contact.Role.values:
        return str(Contact.Role(code).label)
    return ""


def _as_role(ref: dict) -> str:
    parts = [part for part in (role_label(ref.get("role", "")), ref.get("organisation")) if part]
    return ", ".join(parts) or _("a member of staff")


class Writer:
    """Staff as the handover shows them: by name, or by role and organisation."""

    def __init__(self, snapshot: dict, hide: bool):
        self.hide = hide
        names = staff_names(snapshot) if hide else {}
        # Longest first, so "Siri Koordinator" goes before a "Siri" alone.
        self.replacements = sorted(
            ((name, _as_role(ref)) for name, ref in names.items()),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )

    def staff(self, ref: dict | None) -> str:
        if not ref:
            return ""
        if self.hide:
            return _as_role(ref)
        label = _as_role(ref)
        return f"{ref['name']} ({label})" if label else ref["name"]

    def text(self, value: str) -> str:
        for name, label in self.replacements:
            value = value.replace(name, f"[{label}]")
        return value


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def _datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "–"


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _timeline_entry_text(entry: dict) -> str:
    """An entry in words, by the case page's own timeline template, as plain text."""
    rendered = render_to_string(
        "concerns/partials/timeline.html", {"timeline": [{**entry, "when": "", "who": ""}]}
    )
    text = html.unescape(strip_tags(rendered))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def legal_basis_text(country: str, code: str, other: str) -> str:
    basis = LegalBasis.objects.filter(country=country, code=code).first()
    text = str(basis) if basis else code
    return f"{text}: {other}" if other else text


def _sections(handover: Handover, sent: Sent, writer: Writer) -> list[tuple[str, str]]:
    snapshot = sent.snapshot
    basis_text = legal_basis_text(
        snapshot["from"]["country"], handover.legal_basis, handover.legal_basis_other
    )
    header = (
        "",
        _lines(
            _("From: %(municipality)s") % {"municipality": snapshot["from"]["name"]},
            _("Handed over to: %(recipient)s") % {"recipient": handover.recipient},
            _("Handed over on: %(date)s") % {"date": _date(handover.created_at)},
            _("Legal basis for sharing: %(basis)s") % {"basis": basis_text},
            writer.text(handover.note),
        ),
    )
    return [header, *content_sections(sent, writer)]


def content_sections(sent: Sent, writer: Writer) -> list[tuple[str, str]]:
    """What a snapshot holds, as sections of heading and text: for a PDF or the archive."""
    snapshot = sent.snapshot
    case, person = snapshot["case"], snapshot["person"]
    sections = [
        (
            _("The person"),
            _lines(
                person["name"],
                _("Born: %(date)s") % {"date": _date(sent.birth_date)}
                if sent.birth_date
                else _("Born: %(year)s") % {"year": person["birth_year"] or "–"},
                person["school_or_workplace"],
            ),
        ),
        (
            _("The case"),
            _lines(
                _("Reference number: %(reference)s") % {"reference": case["reference"]},
                _("Submitted: %(date)s") % {"date": _date(sent.submitted_at)},
                _("Phenomenon: %(phenomenon)s") % {"phenomenon": sent.phenomenon or "–"},
                _("Urgency: %(urgency)s") % {"urgency": Concern.Urgency(case["urgency"]).label},
                _("Prevention level: %(level)s")
                % {"level": Concern.PreventionLevel(case["prevention_level"]).label},
                _("Travel to or from armed conflict") if case["involves_conflict_travel"] else "",
            ),
        ),
    ]
    if TransferPart.CONCERN in sent.parts:
        concern = snapshot[TransferPart.CONCERN]
        sections.append(
            (
                _("What was observed"),
                _lines(
                    _("Observed: %(date)s") % {"date": _date(sent.observed_on)},
                    _("Reported by: %(who)s") % {"who": writer.staff(concern["reporter"])},
                    writer.text(concern["observations"]),
                    "\n".join(f"– {sign}" for sign in sent.signs),
                ),
            )
        )
    if TransferPart.OUTCOME in sent.parts:
        outcome = snapshot[TransferPart.OUTCOME]
        sections.append(
            (
                _("Status and outcome so far"),
                _lines(
                    _("Status: %(status)s") % {"status": Concern.Status(outcome["status"]).label},
                    _("Outcome: %(outcome)s")
                    % {"outcome": Concern.Outcome(outcome["outcome"]).label}
                    if outcome["outcome"]
                    else "",
                    _("Held by: %(who)s") % {"who": writer.staff(outcome["assignee"])}
                    if outcome["assignee"]
                    else "",
                    _("Next follow-up: %(date)s") % {"date": _date(sent.follow_up_on)}
                    if sent.follow_up_on
                    else "",
                ),
            )
        )
    if TransferPart.TASKS in sent.parts:
        sections.append(
            (
                _("Open tasks"),
                "\n".join(
                    f"– {in_reader_language(task['text'])} ({role_label(task['responsible'])}; "
                    + _("due %(date)s") % {"date": _datetime(task["due"])}
                    + ")"
                    for task in sent.task_list
                )
                or _("None."),
            )
        )
    if TransferPart.TIMELINE in sent.parts:
        count = len(sent.timeline)
        sections.append(
            (
                _("Timeline"),
                ngettext(
                    "%(count)d entry, oldest first.", "%(count)d entries, oldest first.", count
                )
                % {"count": count}
                if count
                else _("Nothing yet."),
            )
        )
        for entry in sent.timeline:
            who = writer.staff(entry["actor"])
            heading = f"{entry['when']} · {who}" if who else entry["when"]
            sections.append((heading, writer.text(_timeline_entry_text(entry))))
    if TransferPart.ATTACHMENTS in sent.parts:
        sections.append(
            (
                _("Attachments (listed, not included)"),
                "\n".join(
                    f"– {writer.text(attachment['name'])} ({_date(attachment['added'])})"
                    for attachment in sent.attachment_list
                )
                or _("None."),
            )
        )
    if TransferPart.CHRONOLOGY in sent.parts:
        sections.append(
            (
                _("The person's other concerns"),
                "\n\n".join(
                    _lines(
                        f"{other['reference']}, {other['municipality']}, "
                        f"{_date(other['submitted'])}: {Concern.Status(other['status']).label}"
                        + (
                            f" ({Concern.Outcome(other['outcome']).label})"
                            if other["outcome"]
                            else ""
                        ),
                        other["phenomenon_label"],
                        writer.text(other["observations"]),
                    )
                    for other in sent.chronology_list
                )
                or _("None."),
            )
        )
    return sections


def handover_pdf(handover: Handover) -> bytes:
    """The PDF exactly as handed over: the same snapshot, with the names hidden as chosen."""
    sent = read(handover.snapshot)
    writer = Writer(handover.snapshot, handover.hide_staff_names)
    reference = handover.snapshot["case"]["reference"]
    return document_pdf(
        title=_("Chronology of case %(reference)s") % {"reference": reference},
        sections=_sections(handover, sent, writer),
        footer=_("Confidential: subject to the duty of confidentiality. %(reference)s")
        % {"reference": reference},
        created=handover.created_at,
    )


def pdf_file_name(handover: Handover) -> str:
    reference = re.sub(r"[^A-Za-z0-9-]", "", handover.snapshot["case"]["reference"] or "")
    return f"chronology-{reference}-{timezone.localdate(handover.created_at).isoformat()}.pdf"
