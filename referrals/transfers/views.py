"""Pages for transfers (both sides) and for handovers outside the system."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.db.models.fields.json import KT
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns.case_access import log_transfer_read, open_case
from concerns.pagination import KeysFirstPaginator
from concerns.permissions import (
    Action,
    can,
    deny,
    get_concern_for_user_or_404,
    is_coordinator_for,
)
from referrals.forms import RequiredReasonForm
from referrals.models import IllegalTransferTransition, Transfer
from referrals.permissions import (
    HANDLER,
    RECEIVER,
    get_handover_for_user_or_404,
    get_transfer_for_user_or_404,
    transfers_for_receiver,
)
from referrals.transfers.forms import HandoverForm, ReceiptForm, TransferForm
from referrals.transfers.pdf import handover_pdf, legal_basis_text, pdf_file_name
from referrals.transfers.services import (
    handover_record,
    handover_record_receipt,
    transfer_accept,
    transfer_decline,
    transfer_mark_viewed,
    transfer_resend,
    transfer_send,
    transfer_withdraw,
)
from referrals.transfers.snapshot import read

INCOMING_PAGE_SIZE = 50


# --- transfers ----------------------------------------------------------------------


def transfer_incoming(request):
    """Transfers to the municipalities the user coordinates, those waiting for an answer first."""
    transfers = (
        transfers_for_receiver(request.user)
        .annotate(
            waiting=Case(
                When(status__in=Transfer.PENDING_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-last_sent_at", "-pk")
    )
    # The rows of a page: the person's name and birth year read out of the
    # snapshot in the query, not the whole snapshot for each row.
    rows = (
        Transfer.objects.select_related("sending_municipality")
        .defer("snapshot")
        .annotate(
            person_name=KT("snapshot__person__name"),
            person_birth_year=KT("snapshot__person__birth_year"),
        )
    )
    page = KeysFirstPaginator(transfers, INCOMING_PAGE_SIZE, fetch=rows.in_bulk).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/transfers/incoming.html", {"transfers": page, "page": page})


@require_http_methods(["GET", "POST"])
def transfer_new(request, concern_id):
    concern = get_concern_for_user_or_404(request.user, concern_id)
    if not is_coordinator_for(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    if not concern.is_open:
        messages.error(request, _("Only an open case can be transferred."))
        return redirect("concerns:detail", public_id=concern.public_id)
    form = TransferForm(request.POST or None, concern=concern)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_send(concern=concern, actor=request.user, details=form.details())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The case is sent to %(municipality)s. Its coordinators are told.")
                % {"municipality": transfer.receiving_municipality.name},
            )
            return redirect("referrals:transfer", public_id=transfer.public_id)
    return render(
        request,
        "referrals/transfers/transfer_form.html",
        {"form": form, "concern": concern},
        status=400 if request.method == "POST" else 200,
    )


def transfer_detail(request, public_id):
    """The sender's record of her transfer, or the receiving coordinator's read-only preview."""
    transfer, side = get_transfer_for_user_or_404(request.user, public_id)
    if side == RECEIVER:
        transfer = transfer_mark_viewed(transfer=transfer, actor=request.user)
        log_transfer_read(request, transfer.source_concern, view="transfer")
    else:
        blocked = open_case(request, transfer.source_concern, view="transfer")
        if blocked is not None:
            return blocked
    # Blank once its case was anonymised (referrals.transfers.retention); the
    # sending side stops reading it then even where the receiving side still may.
    shown = bool(transfer.snapshot) and not (
        side == HANDLER and transfer.source_concern.anonymised_at
    )
    return render(
        request,
        "referrals/transfers/detail.html",
        {
            "transfer": transfer,
            "side": side,
            "sent": read(transfer.snapshot) if shown else None,
            "legal_basis": legal_basis_text(
                transfer.sending_municipality.country,
                transfer.legal_basis,
                transfer.legal_basis_other,
            ),
            "may_send_again": side == HANDLER
            and transfer.is_pending
            and is_coordinator_for(request.user, transfer.source_concern),
            "may_answer": side == RECEIVER and transfer.status == Transfer.Status.VIEWED,
            "reason_form": RequiredReasonForm(auto_id="reason_%s"),
        },
    )


# Each action: the side that may take it, its form, and the service.
TRANSFER_ACTIONS = {
    "resend": (HANDLER, None, lambda t, u, d: transfer_resend(transfer=t, actor=u)),
    "withdraw": (
        HANDLER,
        RequiredReasonForm,
        lambda t, u, d: transfer_withdraw(transfer=t, actor=u, reason=d["reason"]),
    ),
    "accept": (RECEIVER, None, lambda t, u, d: transfer_accept(transfer=t, actor=u)),
    "decline": (
        RECEIVER,
        RequiredReasonForm,
        lambda t, u, d: transfer_decline(transfer=t, actor=u, reason=d["reason"]),
    ),
}


@require_POST
def transfer_action(request, public_id, action):
    if action not in TRANSFER_ACTIONS:
        raise Http404
    transfer, side = get_transfer_for_user_or_404(request.user, public_id)
    allowed_side, form_class, service = TRANSFER_ACTIONS[action]
    if side != allowed_side:
        raise deny(request.user, f"transfer {transfer.public_id}")
    back = redirect("referrals:transfer", public_id=transfer.public_id)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = "; ".join(
            str(error) for field_errors in form.errors.values() for error in field_errors
        )
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
        return back
    try:
        result = service(transfer, request.user, form.cleaned_data if form else {})
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
        return back
    except IllegalTransferTransition:
        messages.error(
            request,
            _("Nothing was changed: that step is not possible in the transfer's current status."),
        )
        return back
    except PermissionDenied:
        messages.error(request, _("Nothing was changed: you may not do this with this transfer."))
        return back
    if action == "accept":
        messages.success(
            request,
            _("Accepted. The case is filed here as %(reference)s.")
            % {"reference": result.reference},
        )
        return redirect("concerns:detail", public_id=result.public_id)
    if action == "decline":
        messages.success(request, _("Declined. The sending municipality is told why."))
        return redirect("referrals:transfer_incoming")  # a declined transfer is shut to them
    messages.success(request, _("Saved."))
    return back


# --- handovers outside the system ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def handover_new(request, concern_id):
    concern = get_concern_for_user_or_404(request.user, concern_id)
    if not can(request.user, Action.REFER, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    form = HandoverForm(request.POST or None, concern=concern)
    if request.method == "POST" and form.is_valid():
        try:
            handover = handover_record(concern=concern, actor=request.user, details=form.details())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The handover is recorded. Download the PDF and send it as chosen.")
            )
            return redirect("referrals:handover", public_id=handover.public_id)
    return render(
        request,
        "referrals/transfers/handover_form.html",
        {"form": form, "concern": concern},
        status=400 if request.method == "POST" else 200,
    )


def handover_detail(request, public_id):
    handover = get_handover_for_user_or_404(request.user, public_id)
    blocked = open_case(request, handover.concern, view="handover")
    if blocked is not None:
        return blocked
    return render(
        request,
        "referrals/transfers/handover.html",
        {
            "handover": handover,
            "sent": read(handover.snapshot) if handover.snapshot else None,
            "legal_basis": legal_basis_text(
                handover.concern.municipality.country,
                handover.legal_basis,
                handover.legal_basis_other,
            ),
            "receipt_form": ReceiptForm()
            if handover.status == handover.Status.SENT
            and can(request.user, Action.REFER, handover.concern)
            else None,
        },
    )


def handover_download(request, public_id):
    """The PDF as it was handed over; reading it is a read of the case, and logged as one."""
    handover = get_handover_for_user_or_404(request.user, public_id)
    blocked = open_case(request, handover.concern, view="handover_pdf")
    if blocked is not None:
        return blocked
    if not handover.snapshot:
        messages.error(request, _("The case is anonymised: what was handed over is not kept."))
        return redirect("referrals:handover", public_id=handover.public_id)
    response = HttpResponse(handover_pdf(handover), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_file_name(handover)}"'
    return response


@require_POST
def handover_receipt(request, public_id):
    handover = get_handover_for_user_or_404(request.user, public_id)
    back = redirect("referrals:handover", public_id=handover.public_id)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            str(error) for field_errors in form.errors.values() for error in field_errors
        )
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
        return back
    try:
        handover_record_receipt(
            handover=handover,
            actor=request.user,
            received_by=form.cleaned_data["received_by"],
            received_on=form.cleaned_data["received_on"],
        )
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    except IllegalTransferTransition:
        messages.error(request, _("Nothing was changed: the receipt is already recorded."))
    except PermissionDenied:
        messages.error(request, _("Nothing was changed: you may not do this with this case."))
    else:
        messages.success(request, _("The receipt is recorded."))
    return back
