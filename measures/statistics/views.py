import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from concerns.permissions import deny
from measures.permissions import may_read_statistics, statistics_municipalities
from measures.statistics.forms import PeriodForm
from measures.statistics.report import Report, build_report


def _report(request) -> tuple[PeriodForm, Report | None]:
    """The form as the user sent it, and the report when the choice is valid.

    Users who may not read statistics get 404, as for any page that is not theirs.
    """
    if not may_read_statistics(request.user):
        raise deny(request.user, "statistics")
    municipalities = list(statistics_municipalities(request.user))
    if not municipalities:
        raise deny(request.user, "statistics")
    data = request.GET.copy()
    data.setdefault("municipality", municipalities[0].code)
    data.setdefault("year", str(timezone.localdate().year))
    data.setdefault("period", "year")
    form = PeriodForm(data, municipalities=municipalities)
    if not form.is_valid():
        return form, None
    choice = form.cleaned_data
    return form, build_report(choice["municipality"], choice["year"], choice["period"])


def _page(request, form: PeriodForm, report: Report | None):
    """The page; with a refused choice, the form's message and no figures."""
    return render(
        request,
        "measures/statistics/page.html",
        {"form": form, "report": report, "query": request.GET.urlencode()},
        status=200 if report else 400,
    )


def statistics_page(request):
    return _page(request, *_report(request))


def statistics_print(request):
    form, report = _report(request)
    if report is None:
        return _page(request, form, report)
    return render(
        request,
        "measures/statistics/print.html",
        {"report": report, "printed_at": timezone.localtime()},
    )


def statistics_csv(request, table):
    form, report = _report(request)
    if report is None:
        return _page(request, form, report)
    chosen = report.table(table)
    if chosen is None:
        raise Http404
    name = f"{chosen.key}-{report.municipality.code}-{report.year}-{report.period}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A byte-order mark, so Excel (what a council secretary opens it with) reads æ, ø and å.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([chosen.title, report.municipality.name, report.period_label])
    writer.writerows(chosen.csv_rows())
    return response
