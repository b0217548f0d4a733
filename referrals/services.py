"""Referrals: create, send, answer, follow up and end. Every step is on the case timeline."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.hooks import on_close
from concerns.models import Attachment, CaseEvent, Concern, JournalEntry, NotificationKind
from concerns.permissions import (
    Action,
    can,
    ensure_can,
    grant_group_access,
    revoke_group_access,
)
from concerns.records.journal import journal_record
from concerns.reminders import outbox_add
from concerns.timeline import event_record
from measures.models import Initiative, Measure, PreventionCorps
from partners.calendars import deadline_for
from partners.models import Contact, DeadlineRule, Organisation, User
from partners.services import organisation_group
from referrals.models import LegalBasis, Referral, ReferralNote
from referrals.permissions import ensure_receiver, receivers_to_notify

TEXT_MAX_LENGTH = 5000
# A timeline code beside the referral's statuses (concern_tags.referral_event_label).
FILES_SHARED = "files_shared"


@dataclass(frozen=True)
class ReferralDetails:
    receiving_organisation: Organisation
    receiving_contact: Contact | None
    reason: str
    shared_information: str
    legal_basis: str
    legal_basis_other: str
    response_due: datetime.date
    requested_measures: Iterable[Measure] = field(default_factory=list)
    requested_initiatives: Iterable[Initiative] = field(default_factory=list)
    requested_corps: Iterable[PreventionCorps] = field(default_factory=list)
    shared_attachments: Iterable[Attachment] = field(default_factory=list)


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("concern", "receiving_organisation")
        .get(pk=referral.pk)
    )


def _save(referral: Referral, actor: User, *fields: str) -> None:
    referral._history_user = actor
    referral.save(update_fields=[*fields, "updated_at"])


def _tell(referral: Referral, actor: User, kind: str, recipients) -> None:
    """Notify about the referral; the link leads to the referral, which both sides may open."""
    outbox_add(
        kind=kind,
        concern=referral.concern,
        recipients=recipients,
        actor=actor,
        link=reverse("referrals:detail", args=[referral.public_id]),
    )


def _timeline(referral: Referral, actor: User, what: str, text: str = "") -> None:
    event_record(
        concern=referral.concern,
        actor=actor,
        kind=CaseEvent.Kind.REFERRAL,
        text=text,
        data={
            "what": what,
            "to": referral.receiving_organisation.name,
            "referral": str(referral.public_id),
        },
    )


def _journal(referral: Referral, actor: User, answer: str = "") -> None:
    """Journal the referral sent (outgoing) or the agency's answer to it (incoming)."""
    kind, direction = JournalEntry.DocumentKind, JournalEntry.Direction
    journal_record(
        concern=referral.concern,
        document_kind=kind.REFERRAL_ANSWER if answer else kind.REFERRAL,
        direction=direction.INCOMING if answer else direction.OUTGOING,
        actor=actor,
        correspondent=referral.receiving_organisation.name,
        data={"referral": str(referral.public_id), **({"answer": answer} if answer else {})},
    )


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("The text is too long."), code="max_length")
    return text


@transaction.atomic
def referral_create(*, concern: Concern, actor: User, details: ReferralDetails) -> Referral:
    ensure_can(actor, Action.REFER, concern)
    if not concern.is_open:
        raise ValidationError(_("Only an open concern can be referred."))
    country = concern.municipality.country
    if not LegalBasis.for_country(country).filter(code=details.legal_basis).exists():
        raise ValidationError(_("Choose a legal basis that holds in this country."))
    if details.legal_basis == LegalBasis.OTHER and not details.legal_basis_other.strip():
        raise ValidationError(_("Describe the other legal basis."), code="legal_basis_other")
    if (
        details.receiving_contact
        and details.receiving_contact.organisation_id != details.receiving_organisation.pk
    ):
        raise ValidationError(_("The contact must work in the receiving organisation."))
    if details.response_due < timezone.localdate():
        raise ValidationError(_("The response date cannot be in the past."))
    referral = Referral(
        concern=concern,
        created_by=actor,
        receiving_organisation=details.receiving_organisation,
        receiving_contact=details.receiving_contact,
        reason=_required(details.reason, _("Give the reason for the referral.")),
        shared_information=_required(details.shared_information, _("Write what is shared.")),
        legal_basis=details.legal_basis,
        legal_basis_other=details.legal_basis_other.strip(),
        response_due=details.response_due,
        response_due_basis=_response_due_basis(concern, details.response_due),
    )
    referral.full_clean()
    referral._history_user = actor
    referral.save()
    referral.requested_measures.set(details.requested_measures)
    referral.requested_initiatives.set(details.requested_initiatives)
    referral.requested_corps.set(details.requested_corps)
    _share(referral, list(details.shared_attachments))
    return referral


def _response_due_basis(concern: Concern, response_due) -> dict:
    """The rule's basis when the sender kept the date it proposed; none for a date of her own."""
    due = deadline_for(concern.municipality, DeadlineRule.Kind.REFERRAL_RESPONSE)
    return due.basis if due.due_date == response_due else {}


def _share(referral: Referral, attachments: list[Attachment]) -> None:
    if any(attachment.concern_id != referral.concern_id for attachment in attachments):
        raise ValidationError(_("Only the case's own files can be shared."))
    referral.shared_attachments.set(attachments)


@transaction.atomic
def referral_share_attachments(
    *, referral: Referral, actor: User, attachments: Iterable[Attachment]
) -> Referral:
    """Choose which of the case's files the receiving organisation may open."""
    referral = _locked(referral)
    ensure_can(actor, Action.REFER, referral.concern)
    if referral.status not in Referral.OPEN_STATUSES:
        raise ValidationError(_("Files can be shared only while the referral is open."))
    attachments = list(attachments)
    before = set(referral.shared_attachments.values_list("pk", flat=True))
    referral._history_user = actor
    _share(referral, attachments)
    if before != {attachment.pk for attachment in attachments}:
        _timeline(referral, actor, FILES_SHARED, text=", ".join(a.name for a in attachments))
    return referral


@transaction.atomic
def referral_send(*, referral: Referral, actor: User) -> Referral:
    referral = _locked(referral)
    ensure_can(actor, Action.REFER, referral.concern)
    referral.transition_to(Referral.Status.SENT)
    referral.sent_at = timezone.now()
    _save(referral, actor, "status", "sent_at")
    _timeline(referral, actor, "sent", referral.reason)
    _journal(referral, actor)
    _tell(referral, actor, NotificationKind.REFERRAL_RECEIVED, receivers_to_notify(referral))
    grant_group_access(
        concern=referral.concern,
        group=organisation_group(referral.receiving_organisation),
        actor=actor,
        label=referral.receiving_organisation.name,
    )
    return referral


def _revoke_if_no_live_referral(referral: Referral, actor: User) -> None:
    """Take the organisation's access back unless another referral still needs it."""
    # A completed referral keeps its agency reading the case until the case closes.
    needing = list(Referral.LIVE_STATUSES)
    if referral.concern.is_open:
        needing.append(Referral.Status.COMPLETED)
    still_needed = (
        Referral.objects.filter(
            concern=referral.concern, receiving_organisation=referral.receiving_organisation
        )
        .exclude(pk=referral.pk)
        .filter(status__in=needing)
        .exists()
    )
    if not still_needed:
        revoke_group_access(
            concern=referral.concern,
            group=organisation_group(referral.receiving_organisation),
            actor=actor,
            label=referral.receiving_organisation.name,
        )


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User, reason: str = "") -> Referral:
    ensure_receiver(actor, referral)
    referral = _locked(referral)
    referral.transition_to(Referral.Status.ACCEPTED)
    referral.response_reason = reason.strip()
    referral.responded_at = timezone.now()
    _save(referral, actor, "status", "response_reason", "responded_at")
    _timeline(referral, actor, "accepted", referral.response_reason)
    _journal(referral, actor, Referral.Status.ACCEPTED)
    _tell(referral, actor, NotificationKind.REFERRAL_ACCEPTED, [referral.created_by])
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, actor: User, reason: str) -> Referral:
    ensure_receiver(actor, referral)
    referral = _locked(referral)
    reason = _required(reason, _("Give a reason for declining."))
    referral.transition_to(Referral.Status.DECLINED)
    referral.response_reason = reason
    referral.responded_at = timezone.now()
    _save(referral, actor, "status", "response_reason", "responded_at")
    _timeline(referral, actor, "declined", reason)
    _journal(referral, actor, Referral.Status.DECLINED)
    _tell(referral, actor, NotificationKind.REFERRAL_DECLINED, [referral.created_by])
    _revoke_if_no_live_referral(referral, actor)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: User, reason: str) -> Referral:
    referral = _locked(referral)
    ensure_can(actor, Action.REFER, referral.concern)
    reason = _required(reason, _("Give a reason for withdrawing."))
    was_sent = referral.status != Referral.Status.DRAFT
    referral.transition_to(Referral.Status.WITHDRAWN)
    _save(referral, actor, "status")
    _timeline(referral, actor, "withdrawn", reason)
    if was_sent:
        _revoke_if_no_live_referral(referral, actor)
    return referral


@transaction.atomic
def referral_complete(*, referral: Referral, actor: User, outcome: str) -> Referral:
    ensure_receiver(actor, referral)
    referral = _locked(referral)
    outcome = _required(outcome, _("Describe the outcome."))
    referral.transition_to(Referral.Status.COMPLETED)
    referral.outcome = outcome
    referral.completed_at = timezone.now()
    _save(referral, actor, "status", "outcome", "completed_at")
    _timeline(referral, actor, "completed", outcome)
    _journal(referral, actor, Referral.Status.COMPLETED)
    _tell(referral, actor, NotificationKind.REFERRAL_COMPLETED, [referral.created_by])
    if not referral.concern.is_open:
        _revoke_if_no_live_referral(referral, actor)
    return referral


@on_close
def referrals_end_on_close(*, concern: Concern, actor: User) -> None:
    """When a case closes, every open referral on it ends and no agency keeps seeing it."""
    referrals = concern.referrals.select_for_update(of=("self",)).select_related(
        "receiving_organisation", "concern"
    )
    for referral in referrals.filter(status__in=Referral.OPEN_STATUSES):
        was_sent = referral.status != Referral.Status.DRAFT
        referral.transition_to(Referral.Status.ENDED)
        _save(referral, actor, "status")
        _timeline(referral, actor, Referral.Status.ENDED)
        if was_sent:
            _revoke_if_no_live_referral(referral, actor)
    for referral in referrals.filter(status=Referral.Status.COMPLETED):
        _revoke_if_no_live_referral(referral, actor)


@transaction.atomic
def referral_add_note(*, referral: Referral, actor: User, text: str) -> ReferralNote:
    referral = _locked(referral)
    is_handler_side = can(actor, Action.HANDLE, referral.concern)
    if not is_handler_side:
        ensure_receiver(actor, referral)
    if referral.status not in (Referral.Status.SENT, Referral.Status.ACCEPTED):
        raise PermissionDenied(_("Notes can be added while the referral is live."))
    note = ReferralNote(referral=referral, author=actor, text=_required(text, _("Write the note.")))
    note._history_user = actor
    note.save()
    return note
