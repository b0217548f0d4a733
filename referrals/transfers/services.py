"""Handing a case on. Every step is a service that checks its rule, and is on the case timeline.

A transfer goes to another municipality's coordinators on this system: sent
(with a frozen snapshot of exactly what goes), viewed when a receiving
coordinator first opens it, then accepted or declined. Accepting files a new
case in the receiving municipality through the filing services (reference
number, routing, follow-up deadline), journals it as incoming, and closes the
sending case as "transferred" with the receipt on its timeline.

A handover goes outside the system, as a PDF; the handler records it, and
later the receipt, by hand.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerns.hooks import on_close, run_close_hooks
from concerns.models import CaseEvent, Concern, JournalEntry, NotificationKind
from concerns.permissions import (
    Action,
    coordinators_of,
    ensure_can,
    grants_follow_status,
    is_coordinator_for,
)
from concerns.records.journal import journal_record
from concerns.reminders import outbox_add
from concerns.services import ConcernDetails, SubjectDetails, concern_create_draft, concern_submit
from concerns.services.filing import subject_create
from concerns.timeline import event_record
from measures.models import Phenomenon, Sign
from partners.calendars import deadline_for
from partners.models import DeadlineRule, Municipality, Role, User
from referrals.models import Handover, LegalBasis, Transfer, TransferPart
from referrals.permissions import ensure_transfer_receiver
from referrals.transfers.snapshot import build_snapshot

TEXT_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 200


class TransferEvent:
    """What happened to a transfer or a handover: the `what` of its timeline entries."""

    SENT = "sent"
    RESENT = "resent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"
    RECEIVED = "received"  # on the new case
    HANDED_OVER = "handed_over"
    RECEIPT_RECORDED = "receipt_recorded"


@dataclass(frozen=True)
class TransferDetails:
    receiving_municipality: Municipality
    parts: Iterable[str]
    legal_basis: str
    legal_basis_other: str
    note: str


@dataclass(frozen=True)
class HandoverDetails:
    recipient: str
    channel: str
    parts: Iterable[str]
    hide_staff_names: bool
    legal_basis: str
    legal_basis_other: str
    note: str


def _required(text: str, message: str, max_length: int = TEXT_MAX_LENGTH) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    if len(text) > max_length:
        raise ValidationError(_("The text is too long."), code="max_length")
    return text


def _parts(parts: Iterable[str]) -> list[str]:
    parts = set(parts)
    if not parts <= set(TransferPart.values):
        raise ValidationError(_("Choose among the parts offered."), code="parts")
    return [part for part in TransferPart.values if part in parts]


def _legal_basis(country: str, code: str, other: str) -> tuple[str, str]:
    if not LegalBasis.for_country(country).filter(code=code).exists():
        raise ValidationError(_("Choose a legal basis that holds in this country."))
    other = (other or "").strip()
    if code == LegalBasis.OTHER and not other:
        raise ValidationError(_("Describe the other legal basis."), code="legal_basis_other")
    if len(other) > 300:
        raise ValidationError(_("The text is too long."), code="max_length")
    return code, other


def receiving_municipalities_for(concern: Concern) -> QuerySet[Municipality]:
    """Where a case may go: another municipality of the same country with a coordinator here.

    A transfer abroad answers to other law (and another language of the
    record); it goes as a handover outside the system, with its own basis.
    """
    has_coordinator = Exists(
        User.objects.filter(
            is_active=True,
            roles__code=Role.Code.COORDINATOR,
            organisation__municipalities=OuterRef("pk"),
        )
    )
    return (
        Municipality.objects.filter(country=concern.municipality.country)
        .exclude(pk=concern.municipality_id)
        .filter(has_coordinator)
        .order_by("name")
    )


def _ensure_sender(actor: User, concern: Concern) -> None:
    if not is_coordinator_for(actor, concern):
        raise PermissionDenied(_("Only a coordinator of the case's municipality can do this."))


def _timeline(transfer: Transfer, concern: Concern, actor: User, what: str, text="", **data):
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.TRANSFER,
        text=text,
        data={
            "what": what,
            "transfer": str(transfer.public_id),
            "to": transfer.receiving_municipality.name,
            **data,
        },
    )


def _link(transfer: Transfer) -> str:
    return reverse("referrals:transfer", args=[transfer.public_id])


def _tell_receivers(transfer: Transfer, actor: User) -> None:
    """The receiving coordinators hear of it: a reference number and a link, never a name."""
    outbox_add(
        kind=NotificationKind.TRANSFER_RECEIVED,
        concern=transfer.source_concern,
        recipients=coordinators_of(transfer.receiving_municipality_id),
        actor=actor,
        link=_link(transfer),
    )


def _tell_sender(transfer: Transfer, actor: User) -> None:
    """The sender hears of the answer; if she no longer coordinates the case, her colleagues do."""
    sender = transfer.created_by
    recipients = (
        [sender]
        if is_coordinator_for(sender, transfer.source_concern)
        else coordinators_of(transfer.sending_municipality_id)
    )
    outbox_add(
        kind=NotificationKind.TRANSFER_ANSWERED,
        concern=transfer.source_concern,
        recipients=recipients,
        actor=actor,
        link=_link(transfer),
    )


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related(
            "source_concern", "sending_municipality", "receiving_municipality", "created_by"
        )
        .get(pk=transfer.pk)
    )


def _save(transfer: Transfer, actor: User, *fields: str) -> None:
    transfer._history_user = actor
    transfer.save(update_fields=[*fields, "updated_at"])


def _response_due(municipality: Municipality, start: datetime.datetime):
    """When the answer is due, by the sending municipality's rule (5 working days by default)."""
    return deadline_for(municipality, DeadlineRule.Kind.TRANSFER_RESPONSE, start)


# --- a transfer, sending side ---------------------------------------------------------


@transaction.atomic
def transfer_send(*, concern: Concern, actor: User, details: TransferDetails) -> Transfer:
    """Send the case, with exactly the parts chosen, to another municipality's coordinators."""
    # The case's row is the lock: two coordinators sending at once queue here,
    # and the second finds the first transfer waiting.
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    _ensure_sender(actor, concern)
    if not concern.is_open:
        raise ValidationError(_("Only an open case can be transferred."))
    if concern.transfers_out.filter(status__in=Transfer.PENDING_STATUSES).exists():
        raise ValidationError(_("This case already waits for an answer to a transfer."))
    municipality = details.receiving_municipality
    if not receiving_municipalities_for(concern).filter(pk=municipality.pk).exists():
        raise ValidationError(
            _("Choose another municipality of the same country, with a coordinator on this system.")
        )
    parts = _parts(details.parts)
    legal_basis, legal_basis_other = _legal_basis(
        concern.municipality.country, details.legal_basis, details.legal_basis_other
    )
    note = _required(details.note, _("Write a note to the receiving coordinator."))
    now = timezone.now()
    due = _response_due(concern.municipality, now)
    transfer = Transfer(
        source_concern=concern,
        sending_municipality=concern.municipality,
        receiving_municipality=municipality,
        reference=concern.reference,
        parts=parts,
        snapshot=build_snapshot(concern=concern, actor=actor, parts=parts),
        legal_basis=legal_basis,
        legal_basis_other=legal_basis_other,
        note=note,
        response_due=due.due,
        response_due_basis=due.basis,
        created_by=actor,
        last_sent_at=now,
    )
    transfer._history_user = actor
    transfer.save()
    _timeline(transfer, concern, actor, TransferEvent.SENT, text=note, parts=parts)
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.TRANSFER,
        direction=JournalEntry.Direction.OUTGOING,
        actor=actor,
        correspondent=municipality.name,
        data={"transfer": str(transfer.public_id)},
    )
    _tell_receivers(transfer, actor)
    return transfer


@transaction.atomic
def transfer_resend(*, transfer: Transfer, actor: User) -> Transfer:
    """Tell the receiving coordinators again of a transfer still waiting; the answer is due anew."""
    transfer = _locked(transfer)
    _ensure_sender(actor, transfer.source_concern)
    if not transfer.is_pending:
        # Nothing waits for an answer: a declined case is sent as a new transfer.
        raise ValidationError(_("Only a transfer that waits for an answer can be sent again."))
    now = timezone.now()
    due = _response_due(transfer.sending_municipality, now)
    transfer.last_sent_at = now
    transfer.times_resent += 1
    transfer.response_due, transfer.response_due_basis = due.due, due.basis
    _save(transfer, actor, "last_sent_at", "times_resent", "response_due", "response_due_basis")
    _timeline(transfer, transfer.source_concern, actor, TransferEvent.RESENT)
    _tell_receivers(transfer, actor)
    return transfer


@transaction.atomic
def transfer_withdraw(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """Take a waiting transfer back; the receiving side no longer sees it."""
    transfer = _locked(transfer)
    _ensure_sender(actor, transfer.source_concern)
    reason = _required(reason, _("Give a reason for withdrawing."))
    transfer.transition_to(Transfer.Status.WITHDRAWN)
    transfer.reason = reason
    _save(transfer, actor, "status", "reason")
    _timeline(transfer, transfer.source_concern, actor, TransferEvent.WITHDRAWN, text=reason)
    return transfer


@on_close
def transfers_end_on_close(*, concern: Concern, actor: User) -> None:
    """A case closed while a transfer waits: the transfer ends, and the receiving side loses it."""
    waiting = concern.transfers_out.select_for_update(of=("self",)).select_related(
        "receiving_municipality"
    )
    for transfer in waiting.filter(status__in=Transfer.PENDING_STATUSES):
        transfer.transition_to(Transfer.Status.ENDED)
        _save(transfer, actor, "status")
        _timeline(transfer, concern, actor, TransferEvent.ENDED)


# --- a transfer, receiving side -------------------------------------------------------


@transaction.atomic
def transfer_mark_viewed(*, transfer: Transfer, actor: User) -> Transfer:
    """The first time a receiving coordinator opens the preview: who and when, on both records."""
    ensure_transfer_receiver(actor, transfer)
    transfer = _locked(transfer)
    if transfer.status != Transfer.Status.SENT:
        return transfer  # seen before: only the first opening counts
    transfer.transition_to(Transfer.Status.VIEWED)
    transfer.viewed_at, transfer.viewed_by = timezone.now(), actor
    _save(transfer, actor, "status", "viewed_at", "viewed_by")
    _timeline(
        transfer,
        transfer.source_concern,
        actor,
        TransferEvent.VIEWED,
        by=actor.get_full_name() or actor.username,
    )
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """Decline with a reason: the sending case stays open, and its sender is told."""
    ensure_transfer_receiver(actor, transfer)
    transfer = _locked(transfer)
    reason = _required(reason, _("Give a reason for declining."))
    transfer.transition_to(Transfer.Status.DECLINED)
    transfer.reason = reason
    transfer.answered_at, transfer.answered_by = timezone.now(), actor
    _save(transfer, actor, "status", "reason", "answered_at", "answered_by")
    _timeline(
        transfer,
        transfer.source_concern,
        actor,
        TransferEvent.DECLINED,
        text=reason,
        by=actor.get_full_name() or actor.username,
    )
    _journal_answer(transfer, actor, TransferEvent.DECLINED)
    _tell_sender(transfer, actor)
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: Transfer, actor: User) -> Concern:
    """Take the case on: a new case here, linked to the old one, which closes as transferred."""
    ensure_transfer_receiver(actor, transfer)
    transfer = _locked(transfer)
    source = Concern.objects.select_for_update().get(pk=transfer.source_concern_id)
    transfer.transition_to(Transfer.Status.ACCEPTED)
    if not source.is_open:
        raise ValidationError(_("The sending case is no longer open."))
    created = _file_new_case(transfer, actor)
    now = timezone.now()
    transfer.created_concern = created
    transfer.answered_at, transfer.answered_by = now, actor
    _save(transfer, actor, "status", "created_concern", "answered_at", "answered_by")
    _timeline(
        transfer,
        created,
        actor,
        TransferEvent.RECEIVED,
        **{"from": transfer.sending_municipality.name, "reference": transfer.reference},
    )
    journal_record(
        concern=created,
        document_kind=JournalEntry.DocumentKind.TRANSFER,
        direction=JournalEntry.Direction.INCOMING,
        actor=actor,
        correspondent=transfer.sending_municipality.name,
        data={"transfer": str(transfer.public_id)},
    )
    # The receipt, on the sending case: accepted by whom, when, as which case.
    _timeline(
        transfer,
        source,
        actor,
        TransferEvent.ACCEPTED,
        by=actor.get_full_name() or actor.username,
        at=now.isoformat(),
        reference=created.reference,
    )
    _journal_answer(transfer, actor, TransferEvent.ACCEPTED)
    _close_as_transferred(source, transfer, actor)
    _tell_sender(transfer, actor)
    return created


def _journal_answer(transfer: Transfer, actor: User, answer: str) -> None:
    journal_record(
        concern=transfer.source_concern,
        document_kind=JournalEntry.DocumentKind.TRANSFER,
        direction=JournalEntry.Direction.INCOMING,
        actor=actor,
        correspondent=transfer.receiving_municipality.name,
        data={"transfer": str(transfer.public_id), "answer": answer},
    )


def _municipality_language(municipality: Municipality) -> str:
    return "da" if municipality.country == Municipality.Country.DENMARK else "nb"


def _file_new_case(transfer: Transfer, actor: User) -> Concern:
    """The case as the receiving municipality files it, from the snapshot alone."""
    snapshot = transfer.snapshot
    person, case = snapshot["person"], snapshot["case"]
    sent = snapshot.get(TransferPart.CONCERN, {})
    municipality = transfer.receiving_municipality
    subject = subject_create(
        actor=actor,
        municipality=municipality,
        details=SubjectDetails(
            name=person["name"],
            birth_date=(
                datetime.date.fromisoformat(person["birth_date"]) if person["birth_date"] else None
            ),
            birth_year=person["birth_year"],
            district=None,  # the sending municipality's districts are not this one's
            school_or_workplace=person["school_or_workplace"],
            national_id="",  # never sent: the receiving side asks the population register
        ),
    )
    submitted = datetime.datetime.fromisoformat(case["submitted_at"])
    observations = sent.get("observations", "")
    if not observations:
        # The case's own text in the receiving municipality's language, as a
        # reporter there would have written it; what was sent stays on the transfer.
        with translation.override(_municipality_language(municipality)):
            observations = _(
                "Received by transfer from %(municipality)s, case %(reference)s. "
                "The observations were not sent with it."
            ) % {
                "municipality": transfer.sending_municipality.name,
                "reference": transfer.reference,
            }
    draft = concern_create_draft(
        actor=actor,
        municipality=municipality,
        subject=subject,
        details=ConcernDetails(
            observations=observations,
            observed_on=(
                datetime.date.fromisoformat(sent["observed_on"])
                if sent.get("observed_on")
                else timezone.localdate(submitted)
            ),
            phenomenon=Phenomenon.objects.filter(code=case["phenomenon"]).first(),
            signs=list(Sign.objects.filter(code__in=sent.get("signs", []))),
            urgency=case["urgency"],
            involves_conflict_travel=case["involves_conflict_travel"],
            prevention_level=case["prevention_level"],
            guardians_informed=case["guardians_informed"] or Concern.GuardiansInformed.UNKNOWN,
        ),
    )
    return concern_submit(concern=draft, actor=actor, journal=False)


def _close_as_transferred(concern: Concern, transfer: Transfer, actor: User) -> None:
    """Close the sending case as transferred, through its state machine, with its closing hooks.

    The accepting coordinator closes it (her acceptance is what closes it), so
    the case's own close service, which asks for a handler of the case, is not
    the one to call; everything else it does on close happens here too.
    """
    previous = concern.transition_to(Concern.Status.CLOSED)
    grants_follow_status(concern)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        from_status=previous,
        to_status=Concern.Status.CLOSED,
        data={"outcome": Concern.Outcome.TRANSFERRED, "transfer": str(transfer.public_id)},
    )
    concern.outcome = Concern.Outcome.TRANSFERRED
    concern.closed_at = timezone.now()
    concern.version += 1
    concern._history_user = actor
    concern.save(update_fields=["status", "outcome", "closed_at", "version", "updated_at"])
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.CLOSING_DECISION,
        direction=JournalEntry.Direction.INTERNAL,
        actor=actor,
        data={"outcome": Concern.Outcome.TRANSFERRED},
    )
    # The reporter is told her concern is closed, as on every close; nothing more.
    outbox_add(
        kind=NotificationKind.CONCERN_CLOSED,
        concern=concern,
        recipients=[concern.reporter],
        actor=actor,
    )
    # Referrals end, and with them the agencies' access (and any other hook).
    run_close_hooks(concern=concern, actor=actor)


# --- a handover outside the system ----------------------------------------------------


def _handover_timeline(handover: Handover, actor: User, what: str, text="", **data) -> None:
    event_record(
        concern=handover.concern,
        actor=actor,
        kind=CaseEvent.Kind.TRANSFER,
        text=text,
        data={
            "what": what,
            "handover": str(handover.public_id),
            "to": handover.recipient,
            **data,
        },
    )


@transaction.atomic
def handover_record(*, concern: Concern, actor: User, details: HandoverDetails) -> Handover:
    """Record that the case went to a body outside the system, and freeze what went."""
    ensure_can(actor, Action.REFER, concern)
    if concern.is_draft:
        raise ValidationError(_("Only a submitted case can be handed over."))
    recipient = _required(
        details.recipient, _("Name the body it goes to."), max_length=NAME_MAX_LENGTH
    )
    if details.channel not in Handover.Channel.values:
        raise ValidationError(_("Choose how it is handed over."), code="channel")
    parts = _parts(details.parts)
    legal_basis, legal_basis_other = _legal_basis(
        concern.municipality.country, details.legal_basis, details.legal_basis_other
    )
    note = (details.note or "").strip()
    if len(note) > TEXT_MAX_LENGTH:
        raise ValidationError(_("The text is too long."), code="max_length")
    handover = Handover(
        concern=concern,
        recipient=recipient,
        channel=details.channel,
        parts=parts,
        snapshot=build_snapshot(concern=concern, actor=actor, parts=parts),
        hide_staff_names=details.hide_staff_names,
        legal_basis=legal_basis,
        legal_basis_other=legal_basis_other,
        note=note,
        created_by=actor,
    )
    handover._history_user = actor
    handover.save()
    _handover_timeline(
        handover, actor, TransferEvent.HANDED_OVER, text=note, channel=details.channel
    )
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.TRANSFER,
        direction=JournalEntry.Direction.OUTGOING,
        actor=actor,
        correspondent=recipient,
        data={"handover": str(handover.public_id)},
    )
    return handover


@transaction.atomic
def handover_record_receipt(
    *, handover: Handover, actor: User, received_by: str, received_on: datetime.date
) -> Handover:
    """The recipient confirmed it: who there, and on which day, recorded by hand."""
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("concern")
        .get(pk=handover.pk)
    )
    ensure_can(actor, Action.REFER, handover.concern)
    received_by = _required(received_by, _("Say who received it."), max_length=NAME_MAX_LENGTH)
    if received_on > timezone.localdate():
        raise ValidationError(_("The day it was received cannot be in the future."))
    if received_on < timezone.localdate(handover.created_at):
        raise ValidationError(_("It cannot have been received before it was handed over."))
    handover.transition_to(Handover.Status.RECEIPT_RECORDED)
    handover.received_by, handover.received_on = received_by, received_on
    handover.receipt_recorded_by, handover.receipt_recorded_at = actor, timezone.now()
    handover._history_user = actor
    handover.save(
        update_fields=[
            "status",
            "received_by",
            "received_on",
            "receipt_recorded_by",
            "receipt_recorded_at",
            "updated_at",
        ]
    )
    _handover_timeline(
        handover,
        actor,
        TransferEvent.RECEIPT_RECORDED,
        received_by=received_by,
        received_on=received_on.isoformat(),
    )
    return handover
