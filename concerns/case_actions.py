"""What a handler can do on a case, one focused form each, as the quick-action bar offers them.

Each action names its form, the service that does it, the permission it
needs (concerns.permissions.Action) and when in the case's life it makes
sense. The case page shows only the actions the user may take now; each opens
its own page, and a form with an error comes back with everything typed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concerns import selectors
from concerns.decision_forms import ReviewForm
from concerns.models import Concern
from concerns.permissions import Action, can
from concerns.reviews import next_review, support_has_ended
from concerns.services import (
    concern_accept,
    concern_acknowledge,
    concern_add_note,
    concern_assign,
    concern_close,
    concern_reopen,
    concern_request_info,
    concern_set_follow_up,
    concern_start_follow_up,
    subject_link,
)
from concerns.services.deadlines import concern_pause_deadlines, concern_resume_deadlines
from concerns.services.reviews import concern_review_record
from concerns.services.work import Evaluation, case_activity_record, checklist_apply
from concerns.triage_forms import (
    AcknowledgeForm,
    ActivityForm,
    ApplyCardForm,
    AssignForm,
    CloseForm,
    CommentForm,
    FollowUpDateForm,
    LinkSubjectForm,
    NoteForm,
    PauseDeadlinesForm,
    ReasonForm,
    RequestInfoForm,
)
from partners.models import User


def _open(concern: Concern) -> bool:
    return concern.is_open


@dataclass(frozen=True)
class CaseAction:
    slug: str
    label: Promise
    form_class: type[forms.Form]
    # service(concern, actor, cleaned_data, version shown on the page)
    service: Callable[[Concern, User, dict, int | None], object]
    permission: Action
    when: Callable[[Concern], bool] = _open
    intro: Promise | str = ""
    button_class: str = "btn-outline-primary"
    form_kwargs: Callable[[Concern, User], dict] = field(default=lambda concern, user: {})
    initial: Callable[[Concern], dict] = field(default=lambda concern: {})

    def form(self, concern: Concern, user: User, data=None, files=None) -> forms.Form:
        return self.form_class(
            data, files, initial=self.initial(concern), **self.form_kwargs(concern, user)
        )


ACTIONS = [
    CaseAction(
        "acknowledge",
        _("Acknowledge the acute concern"),
        AcknowledgeForm,
        lambda c, u, d, v: concern_acknowledge(concern=c, actor=u, expected_version=v),
        Action.HANDLE,
        when=lambda concern: concern.needs_acknowledgement,
        intro=_(
            "Say that you have seen it: it is then no longer pinned to the top of the inboxes."
        ),
        button_class="btn-danger",
    ),
    CaseAction(
        "accept",
        _("Accept for triage"),
        CommentForm,
        lambda c, u, d, v: concern_accept(
            concern=c, actor=u, comment=d["comment"], expected_version=v
        ),
        Action.ACCEPT,
        when=lambda concern: concern.status == Concern.Status.SUBMITTED,
        button_class="btn-primary",
    ),
    CaseAction(
        "assign",
        _("Assign"),
        AssignForm,
        lambda c, u, d, v: concern_assign(
            concern=c, actor=u, assignee=d["assignee"], reason=d["reason"], expected_version=v
        ),
        Action.ASSIGN,
        form_kwargs=lambda concern, user: {"contacts": selectors.contacts_for_assignment(concern)},
        button_class="btn-primary",
    ),
    CaseAction(
        "request-info",
        _("Ask the reporter"),
        RequestInfoForm,
        lambda c, u, d, v: concern_request_info(concern=c, actor=u, message=d["message"]),
        Action.HANDLE,
        intro=_("The reporter is told there is a question, and reads it on her concern."),
    ),
    CaseAction(
        "apply-card",
        _("Apply an action card"),
        ApplyCardForm,
        lambda c, u, d, v: checklist_apply(concern=c, actor=u, card=d["card"]),
        Action.REFER,
        form_kwargs=lambda concern, user: {"concern": concern},
    ),
    CaseAction(
        "activity",
        _("Record an activity"),
        ActivityForm,
        lambda c, u, d, v: case_activity_record(
            concern=c,
            actor=u,
            kind=d["kind"],
            date=d["date"],
            organisations=d["organisations"],
            notes=d["notes"],
            measures=d.get("measures", ()),
            initiatives=d.get("initiatives", ()),
            goals=d.get("goals", ()),
            files=d["attachments"],
        ),
        Action.HANDLE,
        when=lambda concern: True,
        form_kwargs=lambda concern, user: {"concern": concern},
        initial=lambda concern: {"date": timezone.localdate()},
    ),
    CaseAction(
        "note",
        _("Add a note"),
        NoteForm,
        lambda c, u, d, v: concern_add_note(
            concern=c, actor=u, text=d["text"], files=d["attachments"]
        ),
        Action.HANDLE,
        when=lambda concern: True,
        intro=_("Internal: never shown to the reporter."),
    ),
    CaseAction(
        "follow-up",
        _("Start follow-up"),
        CommentForm,
        lambda c, u, d, v: concern_start_follow_up(
            concern=c, actor=u, comment=d["comment"], expected_version=v
        ),
        Action.FOLLOW_UP,
        when=lambda concern: concern.status == Concern.Status.ASSIGNED,
    ),
    CaseAction(
        "follow-up-date",
        _("Set the next follow-up"),
        FollowUpDateForm,
        lambda c, u, d, v: concern_set_follow_up(
            concern=c, actor=u, follow_up_on=d["follow_up_on"], expected_version=v
        ),
        Action.HANDLE,
        initial=lambda concern: {"follow_up_on": concern.follow_up_on},
    ),
    CaseAction(
        "pause-deadlines",
        _("Pause the deadlines"),
        PauseDeadlinesForm,
        lambda c, u, d, v: concern_pause_deadlines(
            concern=c, actor=u, reason=d["reason"], note=d["note"], expected_version=v
        ),
        Action.HANDLE,
        when=lambda concern: concern.is_open and concern.deadlines_paused_at is None,
        intro=_(
            "While the case waits for someone outside it, no reminders are sent. "
            "Resuming moves each deadline by the time paused, in working days where "
            "the deadline counts working days."
        ),
    ),
    CaseAction(
        "resume-deadlines",
        _("Resume the deadlines"),
        AcknowledgeForm,
        lambda c, u, d, v: concern_resume_deadlines(concern=c, actor=u, expected_version=v),
        Action.HANDLE,
        when=lambda concern: concern.is_open and concern.deadlines_paused_at is not None,
        intro=_("Each open deadline moves by the time the case was paused."),
        button_class="btn-primary",
    ),
    CaseAction(
        "link-subject",
        _("Same person as an earlier concern?"),
        LinkSubjectForm,
        lambda c, u, d, v: subject_link(concern=c, actor=u, same_as=d["same_as"]),
        Action.LINK_SUBJECT,
        when=lambda concern: True,
        form_kwargs=lambda concern, user: {
            "candidates": selectors.same_person_candidates(concern, user),
            "digest": concern.subject.national_id_digest,
        },
    ),
    CaseAction(
        "close",
        _("Close"),
        CloseForm,
        lambda c, u, d, v: concern_close(
            concern=c,
            actor=u,
            outcome=d["outcome"],
            comment=d["comment"],
            reporter_message=d["reporter_message"],
            evaluation=Evaluation(
                help_timely=d["help_timely"],
                situation_change=d["situation_change"],
                partners=frozenset(d["partners"]),
            ),
            reason=d["reason"],
            support_ended=d["support_ended"],
            expected_version=v,
        ),
        Action.CLOSE,
        intro=_(
            "Closing ends every open referral on the case, and the agencies stop seeing it. "
            "The reporter is told, with the text you write for her."
        ),
        button_class="btn-dark",
        initial=lambda concern: {"support_ended": support_has_ended(concern)},
    ),
    CaseAction(
        "review",
        _("Record review"),
        ReviewForm,
        lambda c, u, d, v: concern_review_record(
            concern=c, actor=u, note=d["note"], reopen=d.get("reopen", False), expected_version=v
        ),
        Action.CLOSE,
        # Closed after its support ended, with a review still to record (concerns.reviews).
        when=lambda concern: (
            concern.status == Concern.Status.CLOSED
            and concern.review_from is not None
            and next_review(concern) is not None
        ),
        intro=_(
            "A look at how the person is doing now that the support has ended. "
            "Internal: never shown to the reporter."
        ),
        form_kwargs=lambda concern, user: {"may_reopen": can(user, Action.REOPEN, concern)},
    ),
    CaseAction(
        "reopen",
        _("Reopen"),
        ReasonForm,
        lambda c, u, d, v: concern_reopen(
            concern=c, actor=u, reason=d["reason"], expected_version=v
        ),
        Action.REOPEN,
        # A transferred case goes on in the municipality that accepted it.
        when=lambda concern: (
            concern.status == Concern.Status.CLOSED
            and concern.outcome != Concern.Outcome.TRANSFERRED
        ),
    ),
]
CASE_ACTIONS = {action.slug: action for action in ACTIONS}


def available_actions(concern: Concern, allowed: dict[Action, bool]) -> list[CaseAction]:
    """The actions this user may take on this case now, in the bar's order."""
    return [action for action in ACTIONS if allowed[action.permission] and action.when(concern)]
