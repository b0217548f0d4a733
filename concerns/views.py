from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns import selectors
from concerns.case_access import PURPOSES_SESSION_KEY, open_case
from concerns.concurrency import StaleChange
from concerns.forms import ACTION_SUBMIT, ConcernForm
from concerns.models import Concern, IllegalTransition
from concerns.permissions import (
    Action,
    can,
    can_edit_draft,
    capabilities,
    deny,
    get_concern_for_user_or_404,
    is_handler,
)
from concerns.services import (
    concern_accept,
    concern_add_note,
    concern_assign,
    concern_close,
    concern_create_draft,
    concern_reopen,
    concern_reporter_reply,
    concern_request_info,
    concern_set_follow_up,
    concern_start_follow_up,
    concern_submit,
    concern_update_draft,
    subject_create,
    subject_link,
)
from concerns.services.filing import subject_save_for_draft
from concerns.services.work import case_activity_record, checklist_apply, checklist_task_complete
from concerns.triage_forms import (
    ActivityForm,
    ApplyCardForm,
    AssignForm,
    CloseForm,
    CommentForm,
    FollowUpDateForm,
    InboxFilterForm,
    LinkSubjectForm,
    NoteForm,
    PurposeForm,
    ReasonForm,
    ReplyForm,
    RequestInfoForm,
    TaskDoneForm,
)

# --- filing -------------------------------------------------------------------------


def home(request):
    return render(
        request,
        "concerns/home.html",
        {"recent_concerns": selectors.my_concerns(request.user)[:5]},
    )


def _save(request, form: ConcernForm, concern: Concern | None) -> Concern:
    """Save the form as a draft, and submit it if the user pressed Submit. All or nothing."""
    data = form.cleaned_data
    user = request.user
    with transaction.atomic():
        subject = data["existing_subject"]
        if subject is None and concern is None:
            subject = subject_create(
                actor=user, municipality=data["municipality"], details=form.subject_details()
            )
        elif subject is None:
            subject = subject_save_for_draft(
                concern=concern,
                actor=user,
                municipality=data["municipality"],
                details=form.subject_details(),
            )
        if concern is None:
            concern = concern_create_draft(
                actor=user,
                municipality=data["municipality"],
                subject=subject,
                details=form.concern_details(),
            )
        else:
            concern = concern_update_draft(
                concern=concern,
                actor=user,
                municipality=data["municipality"],
                subject=subject,
                details=form.concern_details(),
                expected_version=_shown_version(request),
            )
        if request.POST.get("action") == ACTION_SUBMIT:
            concern = concern_submit(concern=concern, actor=user)
    return concern


def _form_page(request, concern: Concern | None):
    if request.user.organisation_id is None:
        raise Http404
    if request.method == "POST":
        form = ConcernForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                concern = _save(request, form, concern)
            except StaleChange as stale:
                form.add_error(None, stale.message())
            except (ValidationError, PermissionDenied) as error:
                if (
                    concern is not None
                    and not Concern.objects.filter(
                        pk=concern.pk, status=Concern.Status.DRAFT
                    ).exists()
                ):
                    # Submitted meanwhile, e.g. from another window: show what is there now.
                    messages.info(
                        request, _("This concern was already submitted; nothing more was saved.")
                    )
                    return redirect("concerns:detail", public_id=concern.public_id)
                if isinstance(error, PermissionDenied):
                    raise Http404 from error
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
        raise deny(request.user, f"concern {concern.public_id}")
    primary = next((d for d in selectors.routing_decisions_for(concern) if d.is_primary), None)
    return render(
        request,
        "concerns/receipt.html",
        {"concern": concern, "first_contact": primary.contact if primary else None},
    )


def concern_mine(request):
    return render(
        request, "concerns/my_concerns.html", {"concerns": selectors.my_concerns(request.user)}
    )


# --- the inbox ----------------------------------------------------------------------


def inbox(request):
    user = request.user
    municipality_ids = (
        list(user.organisation.municipalities.values_list("pk", flat=True))
        if user.organisation_id
        else []
    )
    form = InboxFilterForm(request.GET or None, municipality_ids=municipality_ids)
    filters = form.filters()  # an unbound form gives the defaults
    page = Paginator(selectors.inbox_for(user, filters), selectors.INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "concerns/inbox.html",
        {
            "form": form,
            "page": page,
            "sort": filters.sort,
            "counts": selectors.status_counts_for(user),
            "status_labels": dict(Concern.Status.choices),
            "today": timezone.localdate(),
        },
    )


# --- the case page ------------------------------------------------------------------


@require_POST
def concern_purpose(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    form = PurposeForm(request.POST)
    if not form.is_valid():
        return render(request, "concerns/purpose.html", {"concern": concern, "form": form})
    purposes = request.session.get(PURPOSES_SESSION_KEY, {})
    purposes[str(concern.pk)] = form.cleaned_data["reason"].strip()
    request.session[PURPOSES_SESSION_KEY] = purposes
    return redirect("concerns:detail", public_id=concern.public_id)


def concern_detail(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if concern.is_draft:
        return redirect("concerns:edit", public_id=concern.public_id)
    blocked = open_case(request, concern, view="detail")
    if blocked is not None:
        return blocked
    if not is_handler(request.user, concern):
        return render(
            request,
            "concerns/detail.html",
            {
                "concern": concern,
                "timeline": selectors.timeline_for(concern, internal=False),
                "reply_form": ReplyForm(),
            },
        )
    user = request.user
    return render(
        request,
        "concerns/case.html",
        {
            "concern": concern,
            "decisions": selectors.routing_decisions_for(concern),
            "timeline": selectors.timeline_for(concern, internal=True),
            "today": timezone.localdate(),
            "can": {
                action.value: allowed for action, allowed in capabilities(user, concern).items()
            },
            "accept_form": CommentForm(),
            "assign_form": AssignForm(contacts=selectors.contacts_for_assignment(concern)),
            "close_form": CloseForm(),
            "reopen_form": ReasonForm(),
            "note_form": NoteForm(),
            "request_info_form": RequestInfoForm(),
            "link_form": LinkSubjectForm(
                candidates=selectors.same_person_candidates(concern, request.user)
            ),
            "follow_up_form": CommentForm(),
            "follow_up_date_form": FollowUpDateForm(initial={"follow_up_on": concern.follow_up_on}),
            "checklist": selectors.checklist_for(concern),
            "now": timezone.now(),
            "apply_card_form": ApplyCardForm(concern=concern),
            "task_done_form": TaskDoneForm(),
            "activities": selectors.activities_for(concern),
            "activity_form": ActivityForm(concern=concern, initial={"date": timezone.localdate()}),
            "referrals": selectors.referrals_for(concern),
        },
    )


def concern_history(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    blocked = open_case(request, concern, view="history")
    if blocked is not None:
        return blocked
    return render(
        request,
        "concerns/history.html",
        {"concern": concern, "changes": selectors.history_changes(concern)},
    )


def concern_access_log(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not can(request.user, Action.VIEW_ACCESS_LOG, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    blocked = open_case(request, concern, view="access_log")
    if blocked is not None:
        return blocked
    return render(
        request,
        "concerns/access_log.html",
        {"concern": concern, "entries": selectors.access_log_for(concern)},
    )


# Each case-page action: the form that validates it and the service that does it.
# `v` is the case version the page showed; a service that changes the case
# refuses to act on a newer one (concerns.concurrency).
CASE_ACTIONS = {
    "accept": (
        CommentForm,
        lambda c, u, d, v: concern_accept(
            concern=c, actor=u, comment=d["comment"], expected_version=v
        ),
    ),
    "assign": (
        AssignForm,
        lambda c, u, d, v: concern_assign(
            concern=c, actor=u, assignee=d["assignee"], reason=d["reason"], expected_version=v
        ),
    ),
    "follow-up": (
        CommentForm,
        lambda c, u, d, v: concern_start_follow_up(
            concern=c, actor=u, comment=d["comment"], expected_version=v
        ),
    ),
    "close": (
        CloseForm,
        lambda c, u, d, v: concern_close(
            concern=c, actor=u, outcome=d["outcome"], comment=d["comment"], expected_version=v
        ),
    ),
    "reopen": (
        ReasonForm,
        lambda c, u, d, v: concern_reopen(
            concern=c, actor=u, reason=d["reason"], expected_version=v
        ),
    ),
    "note": (NoteForm, lambda c, u, d, v: concern_add_note(concern=c, actor=u, text=d["text"])),
    "request-info": (
        RequestInfoForm,
        lambda c, u, d, v: concern_request_info(concern=c, actor=u, message=d["message"]),
    ),
    "link-subject": (
        LinkSubjectForm,
        lambda c, u, d, v: subject_link(concern=c, actor=u, same_as=d["same_as"]),
    ),
    "follow-up-date": (
        FollowUpDateForm,
        lambda c, u, d, v: concern_set_follow_up(
            concern=c, actor=u, follow_up_on=d["follow_up_on"], expected_version=v
        ),
    ),
    "apply-card": (
        ApplyCardForm,
        lambda c, u, d, v: checklist_apply(concern=c, actor=u, card=d["card"]),
    ),
    "activity": (
        ActivityForm,
        lambda c, u, d, v: case_activity_record(
            concern=c,
            actor=u,
            kind=d["kind"],
            date=d["date"],
            organisations=d["organisations"],
            notes=d["notes"],
            measures=d["measures"],
        ),
    ),
}


def _shown_version(request) -> int | None:
    """The case version the page showed, or None if the form did not say."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _form_for(action: str, concern: Concern, data, user):
    form_class, _service = CASE_ACTIONS[action]
    if form_class is AssignForm:
        return form_class(data, contacts=selectors.contacts_for_assignment(concern))
    if form_class is LinkSubjectForm:
        return form_class(data, candidates=selectors.same_person_candidates(concern, user))
    if form_class in (ActivityForm, ApplyCardForm):
        return form_class(data, concern=concern)
    return form_class(data)


@require_POST
def concern_action(request, public_id, action):
    if action not in CASE_ACTIONS:
        raise Http404
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    form = _form_for(action, concern, request.POST, request.user)
    if not form.is_valid():
        errors = "; ".join(
            str(error) for field_errors in form.errors.values() for error in field_errors
        )
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": errors})
        return redirect("concerns:detail", public_id=concern.public_id)
    try:
        CASE_ACTIONS[action][1](concern, request.user, form.cleaned_data, _shown_version(request))
    except StaleChange as stale:
        messages.warning(request, stale.message())
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    except IllegalTransition:
        messages.error(
            request,
            _("Nothing was changed: that step is not possible in the case's current status."),
        )
    except PermissionDenied:
        messages.error(request, _("Nothing was changed: you may not do this with this concern."))
    else:
        messages.success(request, _("Saved."))
    return redirect("concerns:detail", public_id=concern.public_id)


@require_POST
def concern_reply(request, public_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("text", [])))
        concern_reporter_reply(concern=concern, actor=request.user, text=form.cleaned_data["text"])
    except PermissionDenied as denied:
        raise deny(request.user, f"concern {concern.public_id}") from denied
    except ValidationError as error:
        messages.error(
            request, _("Nothing was sent: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    else:
        messages.success(request, _("Your answer is sent."))
    return redirect("concerns:detail", public_id=concern.public_id)


@require_POST
def checklist_task_done(request, public_id, task_id):
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    task = concern.checklist.filter(pk=task_id).first()
    if task is None:
        raise deny(request.user, f"task {task_id} of concern {concern.public_id}")
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: the note is too long."))
        return redirect("concerns:detail", public_id=concern.public_id)
    try:
        checklist_task_complete(task=task, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("concerns:detail", public_id=concern.public_id)
