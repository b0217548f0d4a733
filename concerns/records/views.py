"""The case's journal, and the municipality's public journal: page, CSV and printable view."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render

from concerns.case_access import open_case
from concerns.models import ArchiveExport
from concerns.permissions import deny, get_concern_for_user_or_404
from concerns.records.permissions import may_read_case_journal, public_journal_municipalities
from concerns.records.public import PublicJournal, csv_bytes, period_form, public_journal
from concerns.records.titles import document_title
from partners.models import Municipality


def case_journal(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not may_read_case_journal(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    blocked = open_case(request, concern, view="journal")
    if blocked is not None:
        return blocked
    entries = list(concern.journal_entries.order_by("document_number"))
    return render(
        request,
        "concerns/records/case_journal.html",
        {
            "concern": concern,
            "entries": [(entry, document_title(entry)) for entry in entries],
            "danish": concern.municipality.country == Municipality.Country.DENMARK,
            "export": ArchiveExport.objects.filter(concern=concern).first(),
        },
    )


def _journal(request):
    """The form as the user sent it, and the journal when the choice is valid.

    Users who may not read the public journal get 404, as for any page that is not theirs.
    """
    municipalities = list(public_journal_municipalities(request.user))
    asked = request.GET.get("municipality")
    # Another municipality's journal is not there for this reader, as for any outsider.
    if not municipalities or (asked and asked not in {m.code for m in municipalities}):
        raise deny(request.user, "public journal")
    form = period_form(request.GET, municipalities)
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data
    return form, public_journal(chosen["municipality"], chosen["from"], chosen["to"])


def _query(journal: PublicJournal) -> str:
    """The checked choice, for the print and CSV links: never what was typed."""
    return urlencode(
        {
            "municipality": journal.municipality.code,
            "from": journal.start.isoformat(),
            "to": journal.end.isoformat(),
        }
    )


def _page(request, form, journal: PublicJournal | None):
    """The page; with a refused choice, the form's message and no entries."""
    return render(
        request,
        "concerns/records/public_journal.html",
        {"form": form, "journal": journal, "query": _query(journal) if journal else ""},
        status=200 if journal else 400,
    )


def public_journal_page(request):
    return _page(request, *_journal(request))


def public_journal_print(request):
    form, journal = _journal(request)
    if journal is None:
        return _page(request, form, journal)
    return render(
        request,
        "concerns/records/public_journal_print.html",
        {"journal": journal, "query": _query(journal)},
    )


def public_journal_csv(request):
    form, journal = _journal(request)
    if journal is None:
        return _page(request, form, journal)
    name = f"public-journal-{journal.municipality.code}-{journal.start}-{journal.end}.csv"
    response = HttpResponse(csv_bytes(journal), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
