"""What in a text could point to a person, and a case presented without it.

Three things a meeting never reads about an anonymous case: the person's
name, their national identity number and a reference number
(`identifiers_in`, which the services refuse). Much else only *may* identify
someone in a small municipality: a name from the contact registry, a run of
digits (a phone number, a date, an identity number), an address, a school's
or workplace's name. `warnings_in` points these out before an agenda is
sent; the coordinator decides. `draft_presentation` writes the starting
point of a presentation from the case, with an age band for the age, a kind
of school or workplace for its name and months for dates, and the free text
scrubbed of all of the above (`scrub`).
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from concerns.models import AgeGroup, Concern, age_group_for
from partners.models import Contact, Organisation

# Reference numbers of any case (BEK-2026-000012), not only this one.
REFERENCE = re.compile(r"\b[A-Za-z]{2,5}-\d{4}-\d{3,8}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Dates: 12.11.2026, 12.11., 2026-11-12, 12/11/26, "12. november".
_MONTH_WORDS = (
    "januar|january|februar|february|mars|marts|march|april|mai|maj|may|juni|june|juli|july|"
    "august|september|oktober|october|november|desember|december"
)
DATE_NUMERIC = re.compile(
    r"(?<!\d)(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2,4})|\.)?)(?![\d/])"
)
DATE_WORDS = re.compile(rf"(?<!\d)\d{{1,2}}\.?\s+(?P<month>{_MONTH_WORDS})\b", re.IGNORECASE)
# Phone numbers as Norwegians and Danes write them (952 63 621, 99 31 31 31, +45 …).
PHONE = re.compile(r"(?<![\d+])(?:\+\d{2}\s?)?\d{2,4}(?:[ .-]\d{2,4}){1,3}(?![\d])")
DIGIT_RUN = re.compile(r"\d{5,}")
_STREET_ENDINGS = (
    "veien|vegen|veg|vei|vn\\.|gata|gaten|gate|gt\\.|vejen|vej|gaden|gade|allé|alle|plassen|"
    "plass|pladsen|plads|torvet|torv|stræde|stien|sti|bakken|ringen|løkka|haugen"
)
ADDRESS = re.compile(
    rf"\b[A-ZÆØÅ][\wæøåÆØÅé.-]*(?:{_STREET_ENDINGS})\s+\d{{1,4}}\s?[A-Za-z]?\b"
    r"|(?<!\d)\d{4}\s+[A-ZÆØÅ][a-zæøå]{2,}"
)
_SCHOOL_WORDS = (
    "videregående skole|videregående|ungdomsskole|ungdomsskule|barneskole|barneskule|skole|skule|"
    "skolen|skulen|gymnasium|gymnasiet|gymnasie|vgs|efterskole|friskole|privatskole|folkeskole"
)
SCHOOL = re.compile(
    rf"\b[A-ZÆØÅ][\wæøåÆØÅ-]*(?:skole|skolen|skule|skulen|gymnas|gymnasium|gymnasiet)\b"
    rf"|\b[A-ZÆØÅ][\wæøåÆØÅ-]+\s+(?:{_SCHOOL_WORDS})\b"
)


class Kind:
    """What a warning found, as a code; `WARNING_LABELS` gives words for the coordinator."""

    PERSON_NAME = "person_name"
    NATIONAL_ID = "national_id"
    REFERENCE = "reference"
    CONTACT_NAME = "contact_name"
    DIGITS = "digits"
    ADDRESS = "address"
    SCHOOL = "school"
    ORGANISATION = "organisation"
    EMAIL = "email"


def warning_label(kind: str) -> str:
    return {
        Kind.PERSON_NAME: _("the person's name"),
        Kind.NATIONAL_ID: _("a national identity number"),
        Kind.REFERENCE: _("a reference number"),
        Kind.CONTACT_NAME: _("a name from the contact registry"),
        Kind.DIGITS: _("a phone number, date or run of digits"),
        Kind.ADDRESS: _("an address"),
        Kind.SCHOOL: _("the name of a school or workplace"),
        Kind.ORGANISATION: _("the name of the organisation that raised the concern"),
        Kind.EMAIL: _("an e-mail address"),
    }.get(kind, kind)


@dataclass(frozen=True)
class Hit:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return warning_label(self.kind)


def _name_parts(name: str) -> list[str]:
    return [part for part in re.findall(r"[^\W\d_]+", name or "") if len(part) >= 2]


def _word(text: str, *, ignore_case: bool) -> re.Pattern:
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w]){re.escape(text)}(?![\w])", flags)


def _name_patterns(names: Iterable[str]) -> list[re.Pattern]:
    """Each part of each name as a whole word.

    Parts of four letters or more match in any case; shorter ones (Bo, Ida,
    Ali) only capitalised, so "bo" (to live) in a Norwegian sentence is not a name.
    """
    patterns, seen = [], set()
    for name in names:
        for part in _name_parts(name):
            key = part.lower() if len(part) >= 4 else part
            if key in seen:
                continue
            seen.add(key)
            if len(part) >= 4:
                patterns.append(_word(part, ignore_case=True))
            else:
                patterns.append(_word(part[0].upper() + part[1:], ignore_case=False))
    return patterns


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _digit_groups(text: str) -> list[str]:
    """Runs of digits, with the spaces, dots and dashes people put inside them taken out."""
    return [_digits(run) for run in re.findall(r"\d[\d .\-]*\d|\d", text)]


def _contains_number(text: str, number: str) -> bool:
    return bool(number) and any(number in run for run in _digit_groups(text))


def identifiers_in(text: str, concern: Concern) -> list[Hit]:
    """The person's names, national ID or any reference number in the text: never allowed."""
    hits = []
    subject = concern.subject
    for pattern in _name_patterns([subject.name]):
        for match in pattern.finditer(text):
            hits.append(Hit(Kind.PERSON_NAME, match.group(0)))
    national_id = _digits(subject.national_id)
    if _contains_number(text, national_id):
        hits.append(Hit(Kind.NATIONAL_ID, subject.national_id_masked))
    for match in REFERENCE.finditer(text):
        hits.append(Hit(Kind.REFERENCE, match.group(0)))
    if concern.reference and concern.reference.lower() in text.lower():
        hits.append(Hit(Kind.REFERENCE, concern.reference))
    return _unique(hits)


def _unique(hits: list[Hit]) -> list[Hit]:
    return list(dict.fromkeys(hits))


@dataclass
class Context:
    """Everything that may identify someone in a meeting's texts, read once for the meeting."""

    person_names: list[str] = field(default_factory=list)
    national_ids: list[str] = field(default_factory=list)
    contact_names: list[str] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    @classmethod
    def for_concerns(cls, concerns: Iterable[Concern], municipality_id: int) -> "Context":
        concerns = list(concerns)
        contacts = Contact.objects.filter(
            is_active=True, organisation__municipalities=municipality_id
        ).values_list("name", flat=True)
        schools = Organisation.objects.filter(
            kind=Organisation.Kind.SCHOOL, municipalities=municipality_id
        ).values_list("name", flat=True)
        return cls(
            person_names=[concern.subject.name for concern in concerns if concern.subject.name],
            national_ids=[
                _digits(c.subject.national_id) for c in concerns if c.subject.national_id
            ],
            contact_names=sorted(set(contacts), key=len, reverse=True),
            schools=[
                *schools,
                *(c.subject.school_or_workplace for c in concerns if c.subject.school_or_workplace),
            ],
            organisations=[c.reporter_organisation.name for c in concerns],
        )


def warnings_in(text: str, context: Context) -> list[Hit]:
    """What in the text looks identifying: for the coordinator to look at before sending."""
    if not text:
        return []
    hits = []
    for pattern in _name_patterns(context.person_names):
        hits += [Hit(Kind.PERSON_NAME, match.group(0)) for match in pattern.finditer(text)]
    for number in context.national_ids:
        if _contains_number(text, number):
            hits.append(Hit(Kind.NATIONAL_ID, "*" * 6))
    hits += [Hit(Kind.REFERENCE, match.group(0)) for match in REFERENCE.finditer(text)]
    hits += [Hit(Kind.EMAIL, match.group(0)) for match in EMAIL.finditer(text)]
    for name in context.contact_names:
        # Names as written in the registry, capitals included: "Radikaliseringskontakt"
        # is a line; "radikaliseringskontakt" in a sentence is a word.
        if len(name) >= 3:
            hits += [
                Hit(Kind.CONTACT_NAME, match.group(0))
                for match in _word(name, ignore_case=False).finditer(text)
            ]
    for pattern in (DATE_NUMERIC, DATE_WORDS, PHONE, DIGIT_RUN):
        for match in pattern.finditer(text):
            if pattern is PHONE and len(_digits(match.group(0))) < 8:
                continue
            hits.append(Hit(Kind.DIGITS, match.group(0).strip()))
    hits += [Hit(Kind.ADDRESS, match.group(0)) for match in ADDRESS.finditer(text)]
    hits += [Hit(Kind.SCHOOL, match.group(0)) for match in SCHOOL.finditer(text)]
    for name in context.schools:
        if len(name) >= 3:
            hits += [
                Hit(Kind.SCHOOL, match.group(0))
                for match in _word(name, ignore_case=True).finditer(text)
            ]
    for name in context.organisations:
        if len(name) >= 4:
            hits += [
                Hit(Kind.ORGANISATION, match.group(0))
                for match in _word(name, ignore_case=False).finditer(text)
            ]
    return _unique(hits)


# --- the derived draft --------------------------------------------------------------------


def _month_name(month: int) -> str:
    return str(MONTHS.get(month, "")).lower() if 1 <= month <= 12 else ""


def month_of(day: datetime.date | None) -> str:
    """ "November 2026": a month instead of a date."""
    if day is None:
        return _("not stated")
    return formats.date_format(day, "F Y")


def _date_to_month(match: re.Match) -> str:
    groups = match.groupdict()
    try:
        if groups.get("iso_y"):
            return f"{_month_name(int(groups['iso_m']))} {groups['iso_y']}".strip()
        month = int(groups["m"])
        year = groups.get("y")
        if year and len(year) == 2:
            year = f"20{year}"
        name = _month_name(month)
        if not name:
            return _("[date]")
        return f"{name} {year}" if year else name
    except (TypeError, ValueError):
        return _("[date]")


def scrub(text: str, concern: Concern, context: Context | None = None) -> str:
    """The text with everything identifying replaced by a placeholder, dates by their month."""
    if not text:
        return ""
    context = context or Context.for_concerns([concern], concern.municipality_id)
    text = REFERENCE.sub(_("[reference]"), text)
    text = EMAIL.sub(_("[e-mail]"), text)
    text = ADDRESS.sub(_("[address]"), text)
    text = DATE_WORDS.sub(lambda match: match.group("month").lower(), text)
    text = DATE_NUMERIC.sub(_date_to_month, text)
    text = PHONE.sub(
        lambda match: _("[number]") if len(_digits(match.group(0))) >= 8 else match.group(0),
        text,
    )
    text = DIGIT_RUN.sub(_("[number]"), text)
    for name in sorted(context.schools, key=len, reverse=True):
        if len(name) >= 3:
            text = _word(name, ignore_case=True).sub(_("[school]"), text)
    text = SCHOOL.sub(_("[school]"), text)
    for name in context.organisations:
        if len(name) >= 4:
            text = _word(name, ignore_case=False).sub(_("[organisation]"), text)
    for name in context.contact_names:
        if len(name) >= 3:
            text = _word(name, ignore_case=False).sub(_("[name]"), text)
    for pattern in _name_patterns([concern.subject.name, *context.person_names]):
        text = pattern.sub(_("[name]"), text)
    return text


_PLACE_KINDS = (
    (("ungdomsskole", "ungdomsskule", "udskoling"), "lower_secondary"),
    (("barneskole", "barneskule", "indskoling"), "primary"),
    (
        ("videregående", "vgs", "gymnas", "hhx", "htx", "stx", "erhvervsskole", "handelsskole"),
        "upper_secondary",
    ),
    (("efterskole",), "boarding_school"),
    (("barnehage", "børnehave", "vuggestue"), "kindergarten"),
    (("universitet", "høgskole", "høyskole", "ntnu", "professionshøjskole"), "university"),
    (("nav", "jobcenter"), "employment_service"),
    (("fengsel", "kriminalomsorg", "kriminalforsorg", "arrest"), "prison_probation"),
    (("klubb", "klub", "ungecenter", "ungdomshus", "fritid"), "youth_club"),
    (("skole", "skule", "school"), "school"),
)


def place_kind(school_or_workplace: str) -> str:
    """A kind of school or workplace, as a code, from what the reporter wrote."""
    value = (school_or_workplace or "").lower()
    if not value.strip():
        return ""
    for words, kind in _PLACE_KINDS:
        for word in words:
            # Short words (NAV, vgs) only on their own; longer ones inside compounds too
            # ("Ungdomsskolen", "Heimdal videregående skole").
            pattern = rf"(?<![\w]){re.escape(word)}(?![\w])" if len(word) <= 4 else re.escape(word)
            if re.search(pattern, value):
                return kind
    return "workplace"


def place_kind_label(code: str) -> str:
    return {
        "lower_secondary": _("a lower secondary school"),
        "primary": _("a primary school"),
        "upper_secondary": _("an upper secondary school"),
        "boarding_school": _("a boarding school"),
        "kindergarten": _("a kindergarten"),
        "university": _("a university or college"),
        "employment_service": _("the employment and welfare service"),
        "prison_probation": _("the prison and probation service"),
        "youth_club": _("a youth club"),
        "school": _("a school"),
        "workplace": _("a workplace"),
        "": _("not stated"),
    }.get(code, _("a workplace"))


def age_group_label(concern: Concern, on: datetime.date) -> str:
    subject = concern.subject
    group = age_group_for(birth_date=subject.birth_date, birth_year=subject.birth_year, on=on)
    return str(AgeGroup(group).label)


def draft_presentation(concern: Concern, *, on: datetime.date, context: Context | None = None):
    """A presentation to start from: the case in bands, kinds and months, its text scrubbed."""
    subject = concern.subject
    signs = ", ".join(str(sign) for sign in concern.signs.all())
    lines = [
        _("Age: %(band)s.") % {"band": age_group_label(concern, on)},
        _("School or workplace: %(kind)s.")
        % {"kind": place_kind_label(place_kind(subject.school_or_workplace))},
        _("Raised in %(month)s by %(kind)s.")
        % {
            "month": month_of(concern.submitted_at_date() or concern.observed_on),
            "kind": concern.reporter_organisation.get_kind_display().lower(),
        },
    ]
    if concern.phenomenon_id:
        lines.append(_("Phenomenon: %(phenomenon)s.") % {"phenomenon": concern.phenomenon})
    if signs:
        lines.append(_("Signs of concern: %(signs)s.") % {"signs": signs})
    lines.append(_("Urgency: %(urgency)s.") % {"urgency": concern.get_urgency_display().lower()})
    observed = scrub(concern.observations, concern, context)
    if observed:
        lines += ["", _("What was observed (identifying details removed):"), observed]
    return "\n".join(lines)
