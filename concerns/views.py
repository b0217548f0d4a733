import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns import selectors
from concerns.access_request import (
    build_export,
    concerns_for_access_request,
    export_as_data,
)
from concerns.case_access import (
    PURPOSES_SESSION_KEY,
    log_access_request,
    log_national_id_shown,
    log_overview_reads,
    open_case,
)
from concerns.case_actions import CASE_ACTIONS, available_actions
from concerns.concurrency import StaleChange
from concerns.forms import ACTION_SUBMIT, ConcernForm
from concerns.models import Concern, IllegalTransition, Subject
from concerns.pagination import KeysFirstPaginator
from concerns.permissions import (
    Action,
    can,
    can_edit_draft,
    capabilities,
    coordinated_municipality_ids,
    deny,
    get_concern_for_user_or_404,
    is_case_handler,
    is_coordinator_for,
    is_handler,
    user_municipality_ids,
)
from concerns.reviews import reviews_for
from concerns.services import (
    concern_create_draft,
    concern_reporter_reply,
    concern_submit,
    concern_update_draft,
    subject_create,
)
from concerns.services.attachments import (
    attachment_remove_from_draft,
    attachments_add,
    files_kept_only_on_success,
)
from concerns.services.filing import subject_save_for_draft
from concerns.services.work import checklist_task_complete
from concerns.triage_forms import (
    AccessRequestForm,
    InboxFilterForm,
    PurposeForm,
    ReplyForm,
    RevealNationalIdForm,
    TaskDoneForm,
)
from concerns.uploads import file_response

# --- filing -------------------------------------------------------------------------


def landing(request):
    """Where a sign-in ends when nothing else was asked for: a case handler's inbox,
    everyone else's home page (filing a concern, and their own)."""
    if is_case_handler(request.user):
        return redirect("concerns:inbox")
    return redirect("home")


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
    with files_kept_only_on_success(), transaction.atomic():
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
        for attachment in concern.attachments.filter(
            public_id__in=_uuids(request.POST.getlist("remove_attachments"))
        ):
            attachment_remove_from_draft(attachment=attachment, actor=user)
        attachments_add(concern=concern, actor=user, files=data["attachments"])
        if request.POST.get("action") == ACTION_SUBMIT:
            concern = concern_submit(concern=concern, actor=user)
    return concern


def _uuids(values: list[str]) -> list[uuid.UUID]:
    """The well-formed ids among posted values; anything else is ignored."""
    valid = []
    for value in values[:50]:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return valid


def _form_page(request, concern: Concern | None):
    if request.user.organisation_id is None:
        raise Http404
    if request.method == "POST":
        form = ConcernForm(request.POST, request.FILES, user=request.user, concern=concern)
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
    page = KeysFirstPaginator(
        selectors.my_concerns(request.user), selectors.LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "concerns/my_concerns.html", {"concerns": page, "page": page})


# --- the inbox ----------------------------------------------------------------------


def inbox(request):
    user = request.user
    if not is_case_handler(user):
        # Only those who may hold a case have an inbox; to anyone else it does not exist.
        raise deny(user, "inbox")
    form = InboxFilterForm(request.GET or None, municipality_ids=user_municipality_ids(user))
    filters = form.filters()  # an unbound form gives the defaults
    counts = selectors.inbox_counts_for(user)
    paginator = KeysFirstPaginator(
        selectors.inbox_for(user, filters),
        selectors.INBOX_PAGE_SIZE,
        fetch=selectors.inbox_rows,
    )
    if filters.by_status_alone():
        paginator.count = counts.listed(filters.statuses)  # known already: no second count
    page = paginator.get_page(request.GET.get("page"))
    pinned = selectors.pinned_for(user) if counts.pinned else []
    pinned_rows = selectors.inbox_rows(pinned) if pinned else {}
    pinned_rows = [pinned_rows[key] for key in pinned if key in pinned_rows]
    return render(
        request,
        "concerns/inbox.html",
        {
            "form": form,
            "page": page,
            "sort": filters.sort,
            "counts": counts.by_status,
            "status_labels": dict(Concern.Status.choices),
            "pinned": pinned,
            "rows": [*pinned_rows, *page.object_list],
            "total": paginator.count + len(pinned),
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


# The case page shows the latest entries of its timeline, and the rest on request:
# a case followed for years has hundreds, and the page must not grow with them.
TIMELINE_LATEST = 25


def _timeline(request, concern: Concern) -> tuple[list, bool]:
    """The internal timeline, and whether earlier entries were left out."""
    if request.GET.get("timeline") == "all":
        return selectors.timeline_for(concern, internal=True), False
    entries = selectors.timeline_for(concern, internal=True, latest=TIMELINE_LATEST + 1)
    return entries[-TIMELINE_LATEST:], len(entries) > TIMELINE_LATEST


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
                "attachments": selectors.attachments_for(concern, added_by=request.user),
            },
        )
    user = request.user
    allowed = capabilities(user, concern)
    mentorship = concern.mentorships.select_related("mentor").order_by("-created_at").first()
    timeline, earlier = _timeline(request, concern)
    return render(
        request,
        "concerns/case.html",
        {
            "mentorship": mentorship,
            "may_propose_mentor": concern.is_open
            and is_coordinator_for(user, concern)
            and not (mentorship and mentorship.is_open),
            "concern": concern,
            "decisions": selectors.routing_decisions_for(concern),
            "timeline": timeline,
            "earlier_entries": earlier,
            "today": timezone.localdate(),
            "can": {action.value: permitted for action, permitted in allowed.items()},
            "quick_actions": available_actions(concern, allowed),
            "checklist": selectors.checklist_for(concern),
            # A case closed after its support ended: when it is reviewed (concerns.reviews).
            "reviews": reviews_for(concern),
            "now": timezone.now(),
            "task_done_form": TaskDoneForm(),
            "activities": selectors.activities_for(concern),
            "referrals": selectors.referrals_for(concern),
            "attachments": selectors.attachments_for(concern),
        },
    )


@require_POST
def concern_reveal_national_id(request, public_id):
    """The full national identity number, once, for a stated reason that goes to the access log."""
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern) or not concern.subject.national_id:
        raise deny(request.user, f"national id of concern {concern.public_id}")
    form = RevealNationalIdForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The number was not shown: say in a few words why you need it."),
        )
        return redirect("concerns:detail", public_id=concern.public_id)
    log_national_id_shown(request, concern, form.cleaned_data["reason"].strip())
    return render(request, "concerns/national_id.html", {"concern": concern})


def attachment_download(request, public_id, attachment_id):
    """A file of the case, for its handlers, and for the reporter the files she added herself."""
    concern = get_concern_for_user_or_404(request.user, public_id)
    attachment = concern.attachments.filter(public_id=attachment_id).first()
    user = request.user
    if attachment is None or not (
        is_handler(user, concern) or attachment.uploaded_by_id == user.pk
    ):
        raise deny(user, f"attachment {attachment_id} of concern {concern.public_id}")
    blocked = open_case(request, concern, view="attachment")
    if blocked is not None:
        return blocked
    return file_response(attachment)


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


def _shown_version(request) -> int | None:
    """The case version the page showed, or None if the form did not say."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _action_page(request, concern: Concern, action, form, status: int = 200):
    return render(
        request,
        "concerns/case_action.html",
        {"concern": concern, "action": action, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def concern_action(request, public_id, action):
    """One quick action: its focused form (GET), and doing it (POST)."""
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    case_action = CASE_ACTIONS.get(action)
    if case_action is None:
        raise Http404
    allowed = capabilities(request.user, concern)
    if not allowed[case_action.permission] or not case_action.when(concern):
        messages.error(
            request,
            _("Nothing was changed: that step is not possible in the case's current status."),
        )
        return redirect("concerns:detail", public_id=concern.public_id)
    if request.method == "GET":
        blocked = open_case(request, concern, view="action")
        if blocked is not None:
            return blocked
        return _action_page(request, concern, case_action, case_action.form(concern, request.user))

    form = case_action.form(concern, request.user, request.POST, request.FILES)
    if not form.is_valid():
        # Everything the user typed comes back, with what to fix.
        return _action_page(request, concern, case_action, form, status=400)
    try:
        with files_kept_only_on_success(), transaction.atomic():
            case_action.service(concern, request.user, form.cleaned_data, _shown_version(request))
    except StaleChange as stale:
        messages.warning(request, stale.message())
        return redirect("concerns:detail", public_id=concern.public_id)
    except ValidationError as error:
        form.add_error(None, error)
        return _action_page(request, concern, case_action, form, status=400)
    except (IllegalTransition, PermissionDenied):
        messages.error(
            request,
            _("Nothing was changed: that step is not possible in the case's current status."),
        )
        return redirect("concerns:detail", public_id=concern.public_id)
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


def handled_task_or_404(request, public_id, task_id):
    """A checklist task of a case the user handles, with its case; 404 for anyone else."""
    concern = get_concern_for_user_or_404(request.user, public_id)
    if not is_handler(request.user, concern):
        raise deny(request.user, f"concern {concern.public_id}")
    task = concern.checklist.filter(pk=task_id).first()
    if task is None:
        raise deny(request.user, f"task {task_id} of concern {concern.public_id}")
    return concern, task


@require_POST
def checklist_task_done(request, public_id, task_id):
    concern, task = handled_task_or_404(request, public_id, task_id)
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


def subject_chronology(request, public_id):
    """One person's concerns in time order, as far as the viewer may see them."""
    subject = Subject.objects.filter(public_id=public_id).first()
    if subject is None:
        raise Http404
    concerns = list(selectors.chronology_for(subject, request.user))
    if not concerns:
        raise deny(request.user, f"subject {public_id}")
    log_overview_reads(request, concerns, view="chronology")
    coordinated = coordinated_municipality_ids(request.user)
    return render(
        request,
        "concerns/chronology.html",
        {
            "subject": subject,
            "concerns": concerns,
            "may_export": any(concern.municipality_id in coordinated for concern in concerns),
        },
    )


@require_http_methods(["GET", "POST"])
def subject_access_request(request, public_id):
    """Everything held about one person, for their access request (concerns.access_request)."""
    subject = Subject.objects.filter(public_id=public_id).first()
    concerns = concerns_for_access_request(subject, request.user) if subject else []
    if not concerns:
        raise deny(request.user, f"access request for subject {public_id}")
    form = AccessRequestForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(
            request,
            "concerns/access_request_form.html",
            {"subject": subject, "form": form, "count": len(concerns)},
            status=200 if request.method == "GET" else 400,
        )
    log_access_request(request, concerns, reason=form.cleaned_data["reason"].strip())
    export = build_export(subject, concerns)
    if form.cleaned_data["format"] == "json":
        response = JsonResponse(
            export_as_data(export), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="access-request-{stamp}.json"'
        return response
    return render(request, "concerns/access_request.html", {"export": export})
