"""Retention for the coordinator: what the next runs will anonymise, legal holds, past runs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerns.models import RetentionRun
from concerns.permissions import coordinated_municipality_ids, deny, get_concern_for_user_or_404
from concerns.retention import PREVIEW_DAYS, legal_hold_lift, legal_hold_place, upcoming_for
from concerns.triage_forms import LegalHoldForm


def overview(request):
    if not coordinated_municipality_ids(request.user):
        raise deny(request.user, "retention overview")
    upcoming, held = upcoming_for(request.user)
    return render(
        request,
        "concerns/retention.html",
        {
            "upcoming": upcoming,
            "held": held,
            "days": PREVIEW_DAYS,
            "hold_form": LegalHoldForm(),
            "runs": RetentionRun.objects.filter(finished_at__isnull=False)[:10],
        },
    )


@require_POST
def legal_hold(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    try:
        if request.POST.get("lift"):
            legal_hold_lift(concern=concern, actor=request.user)
        else:
            form = LegalHoldForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say in a few words why the case must be kept."))
            legal_hold_place(
                concern=concern, actor=request.user, reason=form.cleaned_data["reason"]
            )
    except PermissionDenied as denied:
        raise deny(request.user, f"legal hold on {concern.public_id}") from denied
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("concerns:retention")
