from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns.case_access import log_receiver_read, open_case
from concerns.pagination import KeysFirstPaginator
from concerns.permissions import Action, can, deny, get_concern_for_user_or_404
from concerns.uploads import file_response
from referrals.forms import (
    ACTION_SEND,
    CompleteForm,
    OptionalReasonForm,
    ProgressNoteForm,
    ReferralForm,
    RequiredReasonForm,
    ShareFilesForm,
)
from referrals.models import IllegalReferralTransition, Referral
from referrals.permissions import (
    HANDLER,
    RECEIVER,
    get_referral_for_user_or_404,
    referrals_for_receiver,
)
from referrals.services import (
    referral_accept,
    referral_add_note,
    referral_complete,
    referral_create,
    referral_decline,
    referral_send,
    referral_share_attachments,
    referral_withdraw,
)

INCOMING_PAGE_SIZE = 50


def incoming(request):
    referrals = (
        referrals_for_receiver(request.user)
        .select_related("concern__subject", "receiving_contact")
        .order_by("status", "response_due", "pk")
    )
    page = KeysFirstPaginator(referrals, INCOMING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/incoming.html", {"referrals": page, "page": page})


@require_http_methods(["GET", "POST"])
def referral_new(request, concern_id):
    concern = get_concern_for_user_or_404(request.user, concern_id)
    if not can(request.user, Action.REFER, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    form = ReferralForm(request.POST or None, concern=concern)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                referral = referral_create(
                    concern=concern, actor=request.user, details=form.details()
                )
                if request.POST.get("action") == ACTION_SEND:
                    referral_send(referral=referral, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The referral is saved."))
            return redirect("referrals:detail", public_id=referral.public_id)
    return render(request, "referrals/referral_form.html", {"form": form, "concern": concern})


def referral_detail(request, public_id):
    referral, side = get_referral_for_user_or_404(request.user, public_id)
    if side == RECEIVER:
        log_receiver_read(request, referral.concern, view="referral")
    else:
        blocked = open_case(request, referral.concern, view="referral")
        if blocked is not None:
            return blocked
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "side": side,
            "notes": referral.notes.select_related("author"),
            # Accept and decline share a page: their fields need ids of their own,
            # or the second label would point at the first form's field.
            "optional_reason_form": OptionalReasonForm(auto_id="accept_%s"),
            "required_reason_form": RequiredReasonForm(auto_id="decline_%s"),
            "note_form": ProgressNoteForm(),
            "complete_form": CompleteForm(),
            "shared_files": list(referral.shared_attachments.all()),
            "share_form": ShareFilesForm(referral=referral)
            if side == HANDLER
            and referral.status in Referral.OPEN_STATUSES
            and referral.concern.attachments.exists()
            else None,
        },
    )


@require_POST
def referral_files(request, public_id):
    """The referring side chooses which of the case's files the receiver may open."""
    referral, side = get_referral_for_user_or_404(request.user, public_id)
    if side != HANDLER:
        raise deny(request.user, f"referral {referral.public_id}")
    form = ShareFilesForm(request.POST, referral=referral)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose among the case's files."))
        return redirect("referrals:detail", public_id=referral.public_id)
    try:
        referral_share_attachments(
            referral=referral,
            actor=request.user,
            attachments=form.cleaned_data["shared_attachments"],
        )
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    except PermissionDenied:
        messages.error(request, _("Nothing was changed: you may not do this with this referral."))
    else:
        messages.success(request, _("Saved."))
    return redirect("referrals:detail", public_id=referral.public_id)


def referral_attachment(request, public_id, attachment_id):
    """A file of the case: the receiver gets only the files shared with this referral."""
    referral, side = get_referral_for_user_or_404(request.user, public_id)
    files = referral.shared_attachments if side == RECEIVER else referral.concern.attachments
    attachment = files.filter(public_id=attachment_id).first()
    if attachment is None:
        raise deny(request.user, f"attachment {attachment_id} of referral {referral.public_id}")
    if side == RECEIVER:
        log_receiver_read(request, referral.concern, view="attachment")
    else:
        blocked = open_case(request, referral.concern, view="attachment")
        if blocked is not None:
            return blocked
    return file_response(attachment)


# Each action: which side may take it, the form that validates it, and the service.
ACTIONS = {
    "send": (HANDLER, None, lambda r, u, d: referral_send(referral=r, actor=u)),
    "withdraw": (
        HANDLER,
        RequiredReasonForm,
        lambda r, u, d: referral_withdraw(referral=r, actor=u, reason=d["reason"]),
    ),
    "accept": (
        RECEIVER,
        OptionalReasonForm,
        lambda r, u, d: referral_accept(referral=r, actor=u, reason=d["reason"]),
    ),
    "decline": (
        RECEIVER,
        RequiredReasonForm,
        lambda r, u, d: referral_decline(referral=r, actor=u, reason=d["reason"]),
    ),
    "complete": (
        RECEIVER,
        CompleteForm,
        lambda r, u, d: referral_complete(referral=r, actor=u, outcome=d["outcome"]),
    ),
    "note": (
        None,
        ProgressNoteForm,
        lambda r, u, d: referral_add_note(referral=r, actor=u, text=d["text"]),
    ),
}


@require_POST
def referral_action(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    referral, side = get_referral_for_user_or_404(request.user, public_id)
    allowed_side, form_class, service = ACTIONS[action]
    if allowed_side not in (None, side):
        raise deny(request.user, f"referral {referral.public_id}")
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = "; ".join(
            str(error) for field_errors in form.errors.values() for error in field_errors
        )
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
        return redirect("referrals:detail", public_id=referral.public_id)
    try:
        service(referral, request.user, form.cleaned_data if form else {})
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    except IllegalReferralTransition:
        messages.error(
            request,
            _("Nothing was changed: that step is not possible in the referral's current status."),
        )
    except PermissionDenied:
        messages.error(request, _("Nothing was changed: you may not do this with this referral."))
    else:
        messages.success(request, _("Saved."))
        if (
            side == RECEIVER
            and not referrals_for_receiver(request.user).filter(pk=referral.pk).exists()
        ):
            return redirect("referrals:incoming")  # declining or completing ended their access
    return redirect("referrals:detail", public_id=referral.public_id)
