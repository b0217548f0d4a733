from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from measures import selectors
from measures.forms import MeasureActivityForm
from measures.models import Initiative, Measure
from measures.services import measure_activity_record
from partners.models import Role
from partners.selectors import user_municipalities


def knowledge_index(request):
    return render(request, "measures/index.html")


def plans(request):
    return render(
        request,
        "measures/plans.html",
        {"goal_areas": selectors.trondheim_plan(), **selectors.aalborg_plan()},
    )


def action_cards(request):
    municipalities = user_municipalities(request.user)
    return render(
        request,
        "measures/action_cards.html",
        {"cards": selectors.action_cards(municipalities), "municipalities": municipalities},
    )


def signs(request):
    return render(request, "measures/signs.html", selectors.signs_guide())


def phenomena(request):
    return render(request, "measures/phenomena.html", {"phenomena": selectors.phenomena()})


def _may_record(user) -> bool:
    return user.has_role(Role.Code.COORDINATOR) or user.has_role(Role.Code.RESOURCE_PERSON)


def measure_detail(request, pk):
    measure = get_object_or_404(
        Measure.objects.select_related("goal_area").prefetch_related("responsible"), pk=pk
    )
    return _plan_item_page(request, measure, "measures/measure.html")


def initiative_detail(request, pk):
    initiative = get_object_or_404(Initiative.objects.select_related("municipality"), pk=pk)
    return _plan_item_page(request, initiative, "measures/initiative.html")


def _plan_item_page(request, item: Measure | Initiative, template: str):
    """A Trondheim measure or an Aalborg initiative: its counts, and a form to record work."""
    form = None
    if _may_record(request.user):
        form = MeasureActivityForm(request.POST or None, municipality_id=item.municipality_id)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            on = {"measure": item} if isinstance(item, Measure) else {"initiative": item}
            try:
                measure_activity_record(
                    actor=request.user,
                    **on,
                    kind=data["kind"],
                    date=data["date"],
                    organisations=data["organisations"],
                    participants=data["participants"],
                    goals=data.get("goals", ()),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The activity is recorded."))
                return redirect(request.path)
    return render(
        request,
        template,
        {"item": item, "years": selectors.plan_counts_by_year(item), "form": form},
    )
