"""Triage: routing on submit, the status machine, assignment, notes and grants.

Every function takes the acting user, checks the rule through
concerns.permissions, writes the change with that user in history, and adds
an entry to the case timeline.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns import routing
from concerns.concurrency import ensure_current
from concerns.hooks import run_close_hooks
from concerns.models import (
    AccessLog,
    CaseEvent,
    Concern,
    IllegalTransition,
    JournalEntry,
    NotificationKind,
    RoutingDecision,
    Subject,
)
from concerns.permissions import (
    Action,
    GrantReason,
    coordinators_of,
    ensure_can,
    grant_case_access,
    grants_follow_status,
    handlers_to_notify,
    is_case_handler,
    is_handler,
    revoke_case_access,
)
from concerns.records.journal import journal_record
from concerns.reminders import outbox_add
from concerns.reviews import support_still_open
from concerns.services.attachments import attachments_add
from concerns.services.deadlines import follow_up_from_rule
from concerns.services.decisions import Decision, decision_event_record, decision_reason
from concerns.services.work import Evaluation, case_evaluation_record, checklist_create
from concerns.timeline import contact_ref, event_record
from partners.calendars import deadline_for
from partners.models import Contact, DeadlineRule, User

TEXT_MAX_LENGTH = 5000


def _locked(concern: Concern, expected_version: int | None = None) -> Concern:
    """The concern's row, locked and read afresh, or StaleChange if it moved on.

    Nothing is joined in the locking query: PostgreSQL re-checks only the
    locked row after waiting, so a joined assignee would be read as it was
    before the change we waited for. Related rows load afterwards, fresh.
    """
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    ensure_current(locked, expected_version)
    return locked


def _required_text(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="required")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("The text is too long."), code="max_length")
    return text


def _save(concern: Concern, actor: User | None, *fields: str) -> None:
    concern.version += 1
    concern._history_user = actor
    concern.save(update_fields=[*fields, "version", "updated_at"])


def _change_status(
    concern: Concern, actor: User | None, to: str, text: str = "", data=None
) -> None:
    previous = concern.transition_to(to)
    grants_follow_status(concern)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        from_status=previous,
        to_status=to,
        text=text,
        data=data,
    )


# --- routing ------------------------------------------------------------------------


def concern_route(*, concern: Concern, actor: User | None) -> list[RoutingDecision]:
    """Route a just-submitted concern. Runs inside the submit's transaction."""
    inputs, routes = routing.decide(concern)
    decisions = []
    for route in routes:
        decision = RoutingDecision(
            concern=concern,
            rule=route.rule,
            rule_name=route.rule.name if route.rule else "",
            is_primary=route.is_primary,
            contact=route.contact,
            consider_pst=route.consider_pst,
            action_card=route.action_card,
            inputs=inputs.as_record(),
        )
        decision._history_user = actor
        decision.save()
        decisions.append(decision)
        event_record(
            concern=concern,
            actor=actor,
            kind=CaseEvent.Kind.ROUTED,
            data={
                "contact": contact_ref(route.contact),
                "rule": decision.rule_name,
                "primary": route.is_primary,
                "consider_pst": route.consider_pst,
            },
        )
        if route.contact is not None and route.contact.user_id:
            grant_case_access(
                concern=concern, user=route.contact.user, actor=actor, reason=GrantReason.ROUTED
            )
    primary = routes[0]
    concern.assignee = primary.contact
    concern.consider_pst = any(route.consider_pst for route in routes)
    # One procedure per case: an "also" rule's card (a specific situation,
    # e.g. travel to armed conflict) before the primary rule's general one.
    also_cards = [route.action_card for route in routes[1:] if route.action_card]
    concern.action_card = also_cards[0] if also_cards else primary.action_card
    _save(concern, actor, "assignee", "consider_pst", "action_card")
    if concern.action_card is not None:
        checklist_create(
            concern=concern, card=concern.action_card, actor=actor, start=concern.submitted_at
        )
    # Notifying is only written down here; the sweeper delivers after commit,
    # so the broker can never make a submit fail or wait.
    recipients = [
        route.contact.user
        for route in routes
        if route.contact and route.contact.user_id and is_case_handler(route.contact.user)
    ]
    if concern.is_acute:
        # Everyone who may act on it now: the routed handlers and every coordinator.
        outbox_add(
            kind=NotificationKind.ACUTE_CONCERN,
            concern=concern,
            recipients=[*recipients, *coordinators_of(concern.municipality_id)],
            actor=actor,
        )
    else:
        outbox_add(
            kind=NotificationKind.CONCERN_ROUTED,
            concern=concern,
            recipients=recipients,
            actor=actor,
        )
    return decisions


def _routing_recipient_user_ids(concern: Concern) -> set[int]:
    return set(
        RoutingDecision.objects.filter(
            concern=concern, contact__user__isnull=False, withdrawn_at__isnull=True
        ).values_list("contact__user_id", flat=True)
    )


# --- the status machine ---------------------------------------------------------------


@transaction.atomic
def concern_accept(
    *, concern: Concern, actor: User, comment: str = "", expected_version: int | None = None
) -> Concern:
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.ACCEPT, concern)
    # closed → in triage is the reopen edge, with its own rules; accept is only for new cases.
    if concern.status != Concern.Status.SUBMITTED:
        raise IllegalTransition(f"accept in {concern.status}")
    _change_status(concern, actor, Concern.Status.IN_TRIAGE, text=comment.strip())
    _save(concern, actor, "status")
    return concern


@transaction.atomic
def concern_assign(
    *,
    concern: Concern,
    assignee: Contact,
    actor: User,
    reason: str,
    expected_version: int | None = None,
) -> Concern:
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.ASSIGN, concern)
    reason = _required_text(reason, _("Give a reason for the assignment."))
    if (
        not assignee.is_active
        or not assignee.organisation.municipalities.filter(pk=concern.municipality_id).exists()
    ):
        raise ValidationError(_("Pick an active contact who works in the concern's municipality."))
    if assignee.pk == concern.assignee_id:
        raise ValidationError(_("The concern is already assigned to this contact."))
    previous = concern.assignee
    if concern.status in (Concern.Status.SUBMITTED, Concern.Status.IN_TRIAGE):
        _change_status(concern, actor, Concern.Status.ASSIGNED)
    elif concern.status not in (Concern.Status.ASSIGNED, Concern.Status.IN_FOLLOW_UP):
        raise IllegalTransition(f"assign in {concern.status}")
    concern.assignee = assignee
    if concern.first_assigned_at is None:
        concern.first_assigned_at = timezone.now()
    _save(concern, actor, "status", "assignee", "first_assigned_at")
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        text=reason,
        data={"from": contact_ref(previous), "to": contact_ref(assignee)},
    )
    if assignee.user_id:
        grant_case_access(
            concern=concern, user=assignee.user, actor=actor, reason=GrantReason.ASSIGNED
        )
        outbox_add(
            kind=NotificationKind.CONCERN_ASSIGNED,
            concern=concern,
            recipients=[assignee.user],
            actor=actor,
        )
    # The previous assignee keeps access only if routing named them.
    if (
        previous is not None
        and previous.user_id
        and previous.user_id != assignee.user_id
        and previous.user_id not in _routing_recipient_user_ids(concern)
    ):
        revoke_case_access(
            concern=concern, user=previous.user, actor=actor, reason=GrantReason.REASSIGNED
        )
    return concern


@transaction.atomic
def concern_start_follow_up(
    *, concern: Concern, actor: User, comment: str = "", expected_version: int | None = None
) -> Concern:
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.FOLLOW_UP, concern)
    _change_status(concern, actor, Concern.Status.IN_FOLLOW_UP, text=comment.strip())
    _save(concern, actor, "status")
    return concern


@transaction.atomic
def concern_close(
    *,
    concern: Concern,
    actor: User,
    outcome: str,
    comment: str = "",
    reporter_message: str = "",
    evaluation: Evaluation | None = None,
    reason: str = "",
    support_ended: bool = False,
    expected_version: int | None = None,
) -> Concern:
    """Close the case with an outcome chosen on purpose.

    `comment` is internal. `reporter_message` is the short, need-to-know text
    the reporter reads, and the only one she is told about. `evaluation` is
    the handler's answer to the course-of-work evaluation; the case page asks
    for it on every close, and the statistics count it. "No further action"
    needs a written `reason`, kept internal (concerns.services.decisions).
    `support_ended` says support was given and has ended: the case is then
    reviewed after the municipality's review periods (concerns.reviews).
    """
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.CLOSE, concern)
    if outcome not in Concern.Outcome.values:
        raise ValidationError(_("Choose an outcome."), code="outcome")
    reporter_message = (reporter_message or "").strip()
    if len(reporter_message) > TEXT_MAX_LENGTH:
        raise ValidationError(_("The text is too long."), code="max_length")
    if outcome == Concern.Outcome.NO_FURTHER_ACTION:
        reason = decision_reason(reason, _("Write why no further action is needed."))
    elif (reason or "").strip():
        # Never dropped silently: the caller decides where the text belongs.
        raise ValidationError(_("A reason is kept only for “No further action”."), code="reason")
    if support_ended and support_still_open(concern):
        raise ValidationError(
            _("A mentorship on the case is still open: end it before closing as support ended."),
            code="support_ended",
        )
    _change_status(
        concern, actor, Concern.Status.CLOSED, text=comment.strip(), data={"outcome": outcome}
    )
    concern.outcome = outcome
    concern.closed_at = timezone.now()
    concern.review_from = timezone.localdate() if support_ended else None
    _save(concern, actor, "status", "outcome", "closed_at", "review_from")
    decision = None
    if outcome == Concern.Outcome.NO_FURTHER_ACTION:
        decision = decision_event_record(
            concern=concern, actor=actor, decision=Decision.NO_FURTHER_ACTION, reason=reason
        )
    # One journal post for the closing decision; with "no further action" it
    # is the decision with reasons, and points to the timeline entry holding them.
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.CLOSING_DECISION,
        direction=JournalEntry.Direction.INTERNAL,
        actor=actor,
        data={"outcome": outcome}
        | (
            {"decision": decision.data["decision"], "decision_event": decision.pk}
            if decision
            else {}
        ),
    )
    if evaluation is not None:
        case_evaluation_record(concern=concern, evaluation=evaluation, actor=actor)
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.REPORTER_INFORMED,
        text=reporter_message,
        data={"closed": True},
    )
    outbox_add(
        kind=NotificationKind.CONCERN_CLOSED,
        concern=concern,
        recipients=[concern.reporter],
        actor=actor,
    )
    # Referrals end with the case (referrals registers this hook).
    run_close_hooks(concern=concern, actor=actor)
    return concern


@transaction.atomic
def concern_acknowledge(
    *, concern: Concern, actor: User, expected_version: int | None = None
) -> Concern:
    """A handler has seen the acute concern: it is no longer pinned to the top of the inboxes."""
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.HANDLE, concern)
    if not concern.needs_acknowledgement:
        raise ValidationError(_("This concern needs no acknowledgement."))
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = actor
    _save(concern, actor, "acknowledged_at", "acknowledged_by")
    event_record(concern=concern, actor=actor, kind=CaseEvent.Kind.ACKNOWLEDGED)
    return concern


@transaction.atomic
def concern_reopen(
    *, concern: Concern, actor: User, reason: str, expected_version: int | None = None
) -> Concern:
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.REOPEN, concern)
    if concern.outcome == Concern.Outcome.TRANSFERRED:
        # The case lives on where it was accepted: reopening here would make two.
        raise ValidationError(
            _("A transferred case is not reopened: it goes on in the municipality that took it.")
        )
    reason = _required_text(reason, _("Give a reason for reopening."))
    _change_status(concern, actor, Concern.Status.IN_TRIAGE, text=reason)
    concern.outcome = ""
    concern.closed_at = None
    concern.review_from = None  # an open case is not waiting for a review
    follow_up_from_rule(concern)
    _save(
        concern,
        actor,
        "status",
        "outcome",
        "closed_at",
        "review_from",
        "follow_up_on",
        "follow_up_basis",
    )
    return concern


# --- notes, questions and links -------------------------------------------------------


@transaction.atomic
def concern_add_note(*, concern: Concern, actor: User, text: str, files=()) -> CaseEvent:
    """An internal note, with any checked files (concerns.uploads) attached to it."""
    ensure_can(actor, Action.HANDLE, concern)
    text = _required_text(text, _("Write the note."))
    event = event_record(concern=concern, actor=actor, kind=CaseEvent.Kind.NOTE, text=text)
    attachments_add(concern=concern, actor=actor, files=list(files), event=event)
    return event


@transaction.atomic
def concern_request_info(*, concern: Concern, actor: User, message: str) -> CaseEvent:
    """Ask the reporter for more. The reporter sees this question on their concern."""
    ensure_can(actor, Action.HANDLE, concern)
    message = _required_text(message, _("Write what you need to know."))
    if not concern.is_open:
        raise ValidationError(_("A closed concern cannot be asked about."))
    # When her answer is due, by the municipality's rule; she is reminded then.
    due = deadline_for(concern.municipality, DeadlineRule.Kind.REPORTER_REPLY)
    event = event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.INFO_REQUESTED,
        text=message,
        data={"due_basis": due.basis},
        due_at=due.due,
    )
    outbox_add(
        kind=NotificationKind.INFO_REQUESTED,
        concern=concern,
        recipients=[concern.reporter],
        actor=actor,
    )
    return event


@transaction.atomic
def concern_reporter_reply(*, concern: Concern, actor: User, text: str) -> CaseEvent:
    if concern.reporter_id != actor.pk or concern.is_draft:
        raise PermissionDenied(_("Only the reporter can answer."))
    if not concern.events.filter(kind=CaseEvent.Kind.INFO_REQUESTED).exists():
        raise ValidationError(_("Nobody has asked for more information."))
    text = _required_text(text, _("Write your answer."))
    event = event_record(
        concern=concern, actor=actor, kind=CaseEvent.Kind.REPORTER_REPLIED, text=text
    )
    asked = (
        concern.events.filter(kind=CaseEvent.Kind.INFO_REQUESTED, actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    # The handler who asked, if they still hold the case; else whoever acts on it now.
    asker = asked.actor if asked and is_handler(asked.actor, concern) else None
    outbox_add(
        kind=NotificationKind.REPORTER_REPLIED,
        concern=concern,
        recipients=[asker] if asker else handlers_to_notify(concern),
        actor=actor,
    )
    return event


@transaction.atomic
def subject_link(*, concern: Concern, same_as: Subject, actor: User) -> Subject:
    """Record that the concern's person is the same as a person described before."""
    ensure_can(actor, Action.LINK_SUBJECT, concern)
    subject = Subject.objects.select_for_update().get(pk=concern.subject_id)
    if same_as.pk == subject.pk or same_as.municipality_id != concern.municipality_id:
        raise ValidationError(_("Pick another person in the same municipality."))
    subject.same_person_as = same_as
    subject._history_user = actor
    subject.save(update_fields=["same_person_as", "updated_at"])
    event_record(
        concern=concern,
        actor=actor,
        kind=CaseEvent.Kind.SUBJECT_LINKED,
        data={"same_as": str(same_as), "same_as_id": same_as.pk},
    )
    return subject


def access_log_record(
    *,
    concern: Concern,
    user: User,
    view: str,
    purpose: str,
    reason: str = "",
    ip_address: str | None = None,
) -> AccessLog:
    entry = AccessLog(
        concern=concern,
        user=user,
        organisation_id=user.organisation_id,
        view=view,
        purpose=purpose,
        reason=reason[:500],
        ip_address=ip_address,
    )
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def concern_set_follow_up(
    *,
    concern: Concern,
    actor: User,
    follow_up_on: datetime.date,
    expected_version: int | None = None,
) -> Concern:
    """A handler moves the next follow-up; the reminder follows the new date."""
    concern = _locked(concern, expected_version)
    ensure_can(actor, Action.HANDLE, concern)
    if not concern.is_open:
        raise ValidationError(_("A closed concern has no follow-up."))
    if follow_up_on < timezone.localdate():
        raise ValidationError(_("The follow-up date cannot be in the past."))
    concern.follow_up_on = follow_up_on
    concern.follow_up_basis = {}  # a date picked by hand needs no explaining
    _save(concern, actor, "follow_up_on", "follow_up_basis")
    return concern
