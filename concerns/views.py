from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concerns.forms import ACTION_SUBMIT, ConcernForm
from concerns.models import Concern
from concerns.permissions import can_edit_draft, get_concern_for_user_or_404
from concerns.selectors import my_concerns
from concerns.services import (
    concern_create_draft,
    concern_submit,
    concern_update_draft,
    subject_create,
)
from partners.selectors import first_contact_for


def home(request):
    return render(
        request,
        "concerns/home.html",
        {"recent_concerns": my_concerns(request.user)[:5]},
    )


def _save(request, form: ConcernForm, concern: Concern | None) -> Concern:
    """Save the form as a draft, and submit it if the user pressed Submit. All or nothing."""
    data = form.cleaned_data
    with transaction.atomic():
        subject = data["existing_subject"] or subject_create(
            actor=request.user, municipality=data["municipality"], details=form.subject_details()
        )
        if concern is None:
            concern = concern_create_draft(
                actor=request.user,
                municipality=data["municipality"],
                subject=subject,
                details=form.concern_details(),
            )
        else:
            concern = concern_update_draft(
                concern=concern,
                actor=request.user,
                municipality=data["municipality"],
                subject=subject,
                details=form.concern_details(),
            )
        if request.POST.get("action") == ACTION_SUBMIT:
            concern = concern_submit(concern=concern, actor=request.user)
    return concern


def _form_page(request, concern: Concern | None):
    if request.user.organisation_id is None:
        raise Http404
    if request.method == "POST":
        form = ConcernForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                concern = _save(request, form, concern)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if concern.is_draft:
                    messages.success(request, _("Your draft is saved. Nobody else can see it yet."))
                    return redirect("concerns:edit", public_id=concern.public_id)
                return redirect("concerns:receipt", public_id=concern.public_id)
    else:
        form = ConcernForm(user=request.user, concern=concern)
    return render(request, "concerns/concern_form.html", {"form": form, "concern": concern})


@require_http_methods(["GET", "POST"])
def concern_new(request):
    return _form_page(request, concern=None)


@require_http_methods(["GET", "POST"])
def concern_edit(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not can_edit_draft(request.user, concern):
        return redirect("concerns:detail", public_id=concern.public_id)
    return _form_page(request, concern=concern)


def concern_receipt(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if concern.is_draft or concern.reporter_id != request.user.pk:
        raise Http404
    first_contact = first_contact_for(
        organisation=concern.reporter_organisation, municipality=concern.municipality
    )
    return render(
        request, "concerns/receipt.html", {"concern": concern, "first_contact": first_contact}
    )


def concern_detail(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    return render(request, "concerns/detail.html", {"concern": concern})


def concern_mine(request):
    return render(request, "concerns/my_concerns.html", {"concerns": my_concerns(request.user)})
