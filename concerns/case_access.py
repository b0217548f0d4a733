"""Opening a case on any page: the purpose rule and the access log, in one place.

Every page that shows any part of a case calls open_case() (or, for a
receiving agency, log_receiver_read()) before it renders, so no page can show
a case without leaving a row in the access log.
"""

from django.shortcuts import render

from concerns.models import AccessLog, Concern
from concerns.permissions import is_handler, is_reporter_of, needs_stated_purpose
from concerns.services import access_log_record
from concerns.triage_forms import PurposeForm
from config.request import client_ip

PURPOSES_SESSION_KEY = "case_purposes"


def stated_purpose(request, concern: Concern) -> str | None:
    return request.session.get(PURPOSES_SESSION_KEY, {}).get(str(concern.pk))


def _log(request, concern: Concern, view: str, purpose: str, reason: str = "") -> None:
    access_log_record(
        concern=concern,
        user=request.user,
        view=view,
        purpose=purpose,
        reason=reason,
        ip_address=client_ip(request),
    )


def open_case(request, concern: Concern, view: str):
    """Apply the purpose rule and write the access log; a response means the case stays shut."""
    user = request.user
    if is_reporter_of(user, concern) and not is_handler(user, concern):
        _log(request, concern, view, AccessLog.Purpose.REPORTER)
        return None
    if not needs_stated_purpose(user, concern):
        _log(request, concern, view, AccessLog.Purpose.HANDLER)
        return None
    reason = stated_purpose(request, concern)
    if reason is None:
        return render(request, "concerns/purpose.html", {"concern": concern, "form": PurposeForm()})
    _log(request, concern, view, AccessLog.Purpose.STATED, reason)
    return None


def log_national_id_shown(request, concern: Concern, reason: str) -> None:
    """A handler had the full national identity number shown, for a stated reason."""
    _log(request, concern, "national_id", AccessLog.Purpose.NATIONAL_ID, reason)


def log_receiver_read(request, concern: Concern, view: str) -> None:
    """A receiving agency read what a referral shares about the case."""
    _log(request, concern, view, AccessLog.Purpose.RECEIVER)


def log_transfer_read(request, concern: Concern, view: str) -> None:
    """A receiving municipality's coordinator read what a case transfer sent."""
    _log(request, concern, view, AccessLog.Purpose.TRANSFER_RECEIVER)


def log_mentor_read(request, concern: Concern, view: str) -> None:
    """A mentor read the concern the coordinator shared with them."""
    _log(request, concern, view, AccessLog.Purpose.MENTOR)


def log_overview_reads(request, concerns: list[Concern], view: str) -> None:
    """A page listing several cases (a person's chronology) logs each of them, in one insert."""
    _log_many(request, concerns, view, AccessLog.Purpose.OVERVIEW)


def log_access_request(request, concerns: list[Concern], reason: str) -> None:
    """An export for the person's access request reads every concern in it."""
    _log_many(request, concerns, "access_request", AccessLog.Purpose.ACCESS_REQUEST, reason)


def _log_many(request, concerns, view: str, purpose: str, reason: str = "") -> None:
    user = request.user
    entries = [
        AccessLog(
            concern=concern,
            user=user,
            organisation_id=user.organisation_id,
            view=view,
            purpose=purpose,
            reason=reason[:500],
            ip_address=client_ip(request),
        )
        for concern in concerns
    ]
    # Both databases return the new ids, so the history rows follow in one insert.
    AccessLog.history.bulk_history_create(AccessLog.objects.bulk_create(entries), default_user=user)
