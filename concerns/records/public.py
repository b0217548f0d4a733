"""The public journal (offentlig journal): a municipality's journal over a period, screened.

Every screened field is blanked. A row holds the case number, the document
number, the dates, the direction, the kind of document, the access code and
the legal basis for screening, and in Denmark the thematic description and
the KLE code, which are written from codes. Nothing here ever reads a
person, a free text or anything a user typed, so there is nothing to leak.

Rows come in journal order (journal date, then the order they were written),
so two runs over the same period give the same page and byte-identical CSV.
"""

import calendar
import csv
import datetime
import io
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerns.models import JournalEntry
from concerns.records.titles import public_title
from partners.models import Municipality

# A page of a year at most: the journal is read a month at a time.
LONGEST_PERIOD = datetime.timedelta(days=366)
FIRST_DAY = datetime.date(2000, 1, 1)

Screened = JournalEntry.Screened


def this_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


class PublicJournalForm(forms.Form):
    """Which municipality and period; read from the query string and checked on the server."""

    # Checked against the reader's own municipalities in Python, so no typed
    # value (a NUL byte included) ever reaches the database.
    municipality = forms.ChoiceField(label=gettext_lazy("Municipality"))

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self._municipalities = {municipality.code: municipality for municipality in municipalities}
        self.fields["municipality"].choices = [
            (code, municipality.name) for code, municipality in self._municipalities.items()
        ]
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = forms.DateField(
            label=gettext_lazy("From"), input_formats=["%Y-%m-%d"]
        )
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), input_formats=["%Y-%m-%d"])
        for name in ("from", "to"):
            self.fields[name].error_messages["invalid"] = _("Enter a date as YYYY-MM-DD.")

    def clean_municipality(self):
        return self._municipalities[self.cleaned_data["municipality"]]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is None or end is None:
            return cleaned
        if start < FIRST_DAY or end < FIRST_DAY:
            raise forms.ValidationError(_("The journal starts in 2000."), code="too_early")
        if end < start:
            raise forms.ValidationError(
                _("The end of the period comes before its start."), code="order"
            )
        if end - start >= LONGEST_PERIOD:
            raise forms.ValidationError(_("Choose a period of a year or less."), code="too_long")
        return cleaned


def period_form(data, municipalities: list[Municipality]) -> PublicJournalForm:
    """The form for a query string, this month and the first municipality filled in."""
    data = data.copy()
    start, end = this_month()
    if municipalities:
        data.setdefault("municipality", municipalities[0].code)
    data.setdefault("from", start.isoformat())
    data.setdefault("to", end.isoformat())
    return PublicJournalForm(data, municipalities=municipalities)


@dataclass(frozen=True)
class PublicEntry:
    case_number: str
    document_number: int
    journal_date: datetime.date
    document_date: datetime.date
    direction: str
    title: str
    # None when screened: the template and the CSV blank it.
    correspondent: str | None
    access_code: str
    screening_basis: str
    theme: str
    kle_code: str


@dataclass(frozen=True)
class PublicJournal:
    municipality: Municipality
    start: datetime.date
    end: datetime.date
    entries: list[PublicEntry]

    @property
    def danish(self) -> bool:
        return self.municipality.country == Municipality.Country.DENMARK


_FIELDS = (
    "concern__reference",
    "document_number",
    "journal_date",
    "document_date",
    "direction",
    "document_kind",
    "correspondent",
    "access_code",
    "screening_basis",
    "screened_fields",
    "theme",
    "kle_code",
)


def _screened(row: dict) -> PublicEntry:
    screened = set(row["screened_fields"] or [])
    # The title is always the kind of document here: it is what the entry is,
    # and it holds nothing typed and no name, whatever else is screened.
    entry = JournalEntry(document_kind=row["document_kind"], direction=row["direction"])
    return PublicEntry(
        case_number=row["concern__reference"],
        document_number=row["document_number"],
        journal_date=row["journal_date"],
        document_date=row["document_date"],
        direction=str(JournalEntry.Direction(row["direction"]).label),
        title=public_title(entry),
        correspondent=None if Screened.CORRESPONDENT in screened else row["correspondent"],
        access_code=row["access_code"],
        screening_basis=row["screening_basis"],
        theme=row["theme"],
        kle_code=row["kle_code"],
    )


def public_journal(
    municipality: Municipality, start: datetime.date, end: datetime.date
) -> PublicJournal:
    """The municipality's journal from `start` to `end`, both days included, in one query."""
    rows = (
        JournalEntry.objects.filter(municipality=municipality, journal_date__range=(start, end))
        .order_by("journal_date", "id")
        .values(*_FIELDS)
    )
    return PublicJournal(municipality, start, end, [_screened(row) for row in rows])


def _cell(value) -> str:
    # A registry name starting with "=" must stay text in a spreadsheet, never a formula.
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_bytes(journal: PublicJournal) -> bytes:
    """The public journal as CSV: the same period, the same bytes; screened cells are empty."""
    buffer = io.StringIO()
    # A byte-order mark, so Excel (what a registry clerk opens it with) reads æ, ø and å.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = [
        _("Case number"),
        _("Document number"),
        _("Journal date"),
        _("Document date"),
        _("Type"),
        _("Title"),
        _("Sender or recipient"),
        _("Access code"),
        _("Legal basis for screening"),
    ]
    if journal.danish:
        header += [_("Thematic description"), _("KLE code")]
    writer.writerow(header)
    for entry in journal.entries:
        row = [
            entry.case_number,
            entry.document_number,
            entry.journal_date.isoformat(),
            entry.document_date.isoformat(),
            entry.direction,
            entry.title,
            entry.correspondent or "",
            entry.access_code,
            entry.screening_basis,
        ]
        if journal.danish:
            row += [entry.theme, entry.kle_code]
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")
