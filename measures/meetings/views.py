"""Meeting pages. Who sees what is decided in measures.meetings.permissions; every write is a
service; anyone who may not see a meeting gets 404, and the refusal is logged."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerns.models import AccessLog, IllegalTransition
from concerns.permissions import coordinated_municipality_ids, deny, handler_concerns_for
from concerns.services import access_log_record
from config.request import client_ip
from measures.meetings import identifying, selectors, services
from measures.meetings.calendar import invitation
from measures.meetings.forms import (
    BasisForm,
    CaseItemForm,
    DecisionChoices,
    DecisionForm,
    FindingForm,
    HeldForm,
    MeetingForm,
    NotesForm,
    PresentationForm,
    PreviewForm,
    SendForm,
    TopicForm,
)
from measures.meetings.minutes import content_for
from measures.meetings.models import Meeting
from measures.meetings.permissions import (
    get_item_for_manager_or_404,
    get_meeting_for_user_or_404,
    get_summary_item_or_404,
    get_task_for_assignee_or_404,
    is_participant,
    may_approve,
    may_manage,
)
from partners.models import Contact, Municipality, Organisation

ITEM_FORMS = {"topic": TopicForm, "case": CaseItemForm, "finding": FindingForm}


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _managed_meeting_or_404(request, public_id) -> Meeting:
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    if not may_manage(request.user, meeting):
        raise deny(request.user, f"meeting {public_id} (prepare)")
    return meeting


# --- lists ------------------------------------------------------------------------------


def meeting_list(request):
    upcoming, past = selectors.meetings_for(request.user)
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": upcoming,
            "past": past[:50],
            "tasks": selectors.my_tasks(request.user, open_only=True),
            "may_create": bool(coordinated_municipality_ids(request.user)),
        },
    )


def my_tasks(request):
    return render(request, "meetings/tasks.html", {"tasks": selectors.my_tasks(request.user)})


@require_POST
def task_done(request, pk):
    task = get_task_for_assignee_or_404(request.user, pk)
    services.task_complete(task=task, actor=request.user)
    messages.success(request, _("The task is marked done."))
    return redirect("meetings:tasks")


# --- the meeting itself -------------------------------------------------------------------


def _coordinated(request):
    return list(
        Municipality.objects.filter(pk__in=coordinated_municipality_ids(request.user)).order_by(
            "name"
        )
    )


def _details(form: MeetingForm) -> services.MeetingDetails:
    data = form.cleaned_data
    return services.MeetingDetails(
        kind=data["kind"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        chair=data["chair"],
        participants=tuple(data["participants"]),
        statistics_year=data.get("statistics_year"),
        statistics_period=data.get("statistics_period") or "",
    )


def meeting_new(request):
    municipalities = _coordinated(request)
    if not municipalities:
        raise deny(request.user, "new meeting")
    contact = Contact.objects.filter(user=request.user, is_active=True).first()
    form = MeetingForm(
        request.POST or None,
        municipalities=municipalities,
        initial={
            "municipality": municipalities[0].pk,
            "chair": request.user.pk,
            "participants": [contact.pk] if contact else [],
            "starts": "13:00",
            "ends": "15:00",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                municipality=form.cleaned_data["municipality"],
                details=_details(form),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned. Now write its agenda."))
            return redirect("meetings:detail", meeting.public_id)
    return render(request, "meetings/form.html", {"form": form}, status=400 if form.errors else 200)


def meeting_edit(request, public_id):
    meeting = _managed_meeting_or_404(request, public_id)
    local_start = timezone.localtime(meeting.starts_at)
    form = MeetingForm(
        request.POST or None,
        municipalities=[meeting.municipality],
        initial={
            "municipality": meeting.municipality_id,
            "kind": meeting.kind_id,
            "date": local_start.date(),
            "starts": local_start.strftime("%H:%M"),
            "ends": timezone.localtime(meeting.ends_at).strftime("%H:%M"),
            "place": meeting.place,
            "chair": meeting.chair_id,
            "participants": list(meeting.participants.values_list("contact_id", flat=True)),
            "statistics_year": meeting.statistics_year,
            "statistics_period": meeting.statistics_period,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, details=_details(form), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect("meetings:detail", meeting.public_id)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


def _statistics(meeting: Meeting, minutes):
    """The police council's report: the snapshot once held, the live protected figures before."""
    if not (meeting.kind.carries_statistics and meeting.statistics_year):
        return None
    if minutes is not None and minutes.statistics:
        return minutes.statistics
    return services.statistics_snapshot(meeting)


def _detail_page(request, meeting: Meeting, *, status: int = 200, **bound):
    user = request.user
    manage = may_manage(user, meeting)
    participant = is_participant(user, meeting)
    participants = selectors.participants(meeting)
    agenda = selectors.agenda_for(meeting, user, participant=participant)
    minutes = selectors.minutes_of(meeting)
    context = {
        "meeting": meeting,
        "manage": manage,
        "approve": may_approve(user, meeting),
        "participants": participants,
        "agenda": agenda,
        "minutes": minutes,
        "statistics": _statistics(meeting, minutes),
        "now": timezone.now(),
    }
    if manage and meeting.is_planned:
        context["add_forms"] = {
            kind: bound.get(f"{kind}_form") or form(prefix=kind)
            for kind, form in ITEM_FORMS.items()
            if (kind != "case" or meeting.kind.allows_case_items)
            and (kind != "finding" or meeting.kind.is_safety_walk)
        }
        context["warnings"] = services.agenda_warnings(meeting)
        context["send_form"] = bound.get("send_form") or SendForm()
    if manage and meeting.takes_decisions:
        choices = DecisionChoices(meeting)
        for view in agenda:
            view.decision_form = bound.get(f"decision_{view.item.pk}") or DecisionForm(
                item=view.item, choices=choices
            )
    return render(request, "meetings/detail.html", context, status=status)


def meeting_detail(request, public_id):
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    return _detail_page(request, meeting)


@require_POST
def item_add(request, public_id, kind):
    meeting = _managed_meeting_or_404(request, public_id)
    if kind not in ITEM_FORMS:
        raise Http404
    form = ITEM_FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "topic":
                services.agenda_item_add_topic(
                    meeting=meeting, title=data["title"], text=data["text"], actor=request.user
                )
            elif kind == "finding":
                services.agenda_item_add_finding(
                    meeting=meeting,
                    place=data["place"],
                    finding=data["finding"],
                    text=data["text"],
                    department=data["department"],
                    actor=request.user,
                )
            else:
                concern = (
                    handler_concerns_for(request.user).filter(reference=data["reference"]).first()
                )
                if concern is None:
                    raise ValidationError(
                        _("No case of this municipality that you handle has that number.")
                    )
                item = services.agenda_item_add_case(
                    meeting=meeting, concern=concern, actor=request.user
                )
                messages.success(
                    request,
                    _("The case is on the agenda, anonymously. Read the drafted presentation."),
                )
                return redirect("meetings:item", meeting.public_id, item.pk)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("The item is on the agenda."))
            return redirect("meetings:detail", meeting.public_id)
    return _detail_page(request, meeting, status=400, **{f"{kind}_form": form})


def item_edit(request, public_id, item_id):
    meeting = _managed_meeting_or_404(request, public_id)
    item = get_item_for_manager_or_404(request.user, meeting, item_id)
    action = request.POST.get("action")
    text_form = PresentationForm(
        request.POST if action == "text" else None,
        initial={"title": item.title, "text": item.text},
    )
    basis_form = None
    if item.is_case:
        basis_form = BasisForm(
            request.POST if action == "basis" else None,
            meeting=meeting,
            initial={
                "named": "1" if item.named else "0",
                "legal_basis": item.legal_basis,
                "legal_basis_other": item.legal_basis_other,
                "consent_person": item.consent_person,
                "consent_guardians": item.consent_guardians,
            },
        )
    if request.method == "POST":
        form = text_form if action == "text" else basis_form
        if form is None or not meeting.is_planned:
            messages.error(request, _("The agenda is sent and can no longer be changed."))
            return redirect("meetings:detail", meeting.public_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "text":
                    services.agenda_item_update(
                        item=item, text=data["text"], title=data["title"], actor=request.user
                    )
                else:
                    services.agenda_item_set_basis(
                        item=item,
                        named=data["named"],
                        legal_basis=data["legal_basis"],
                        legal_basis_other=data["legal_basis_other"],
                        consent_person=data["consent_person"],
                        consent_guardians=data["consent_guardians"],
                        actor=request.user,
                    )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in _errors(error):
                        form.add_error(None, message)
            else:
                messages.success(request, _("The item is saved."))
                return redirect("meetings:item", meeting.public_id, item.pk)
    context = identifying.Context.for_concerns(
        [item.concern] if item.concern_id else [], meeting.municipality_id
    )
    return render(
        request,
        "meetings/item.html",
        {
            "meeting": meeting,
            "item": item,
            "text_form": text_form,
            "basis_form": basis_form,
            "warnings": [] if item.named else identifying.warnings_in(item.text, context),
        },
        status=400 if (text_form.errors or (basis_form and basis_form.errors)) else 200,
    )


@require_POST
def item_remove(request, public_id, item_id):
    meeting = _managed_meeting_or_404(request, public_id)
    item = get_item_for_manager_or_404(request.user, meeting, item_id)
    try:
        services.agenda_item_remove(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, _("The item is taken off the agenda."))
    return redirect("meetings:detail", meeting.public_id)


def item_summary(request, public_id, item_id):
    """A case's summary for a meeting: its handlers, or participants within a named item's window.

    Every opening is in the case's access log, with the meeting as its purpose.
    """
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    item, as_handler = get_summary_item_or_404(request.user, meeting, item_id)
    concern = item.concern
    access_log_record(
        concern=concern,
        user=request.user,
        view="meeting_summary",
        purpose=AccessLog.Purpose.MEETING,
        reason=f"meeting {meeting.public_id}",
        ip_address=client_ip(request),
    )
    return render(
        request,
        "meetings/summary.html",
        {
            "meeting": meeting,
            "item": item,
            "concern": concern,
            "as_handler": as_handler,
            "signs": list(concern.signs.all()),
        },
    )


@require_POST
def decision_add(request, public_id, item_id):
    meeting = _managed_meeting_or_404(request, public_id)
    item = get_item_for_manager_or_404(request.user, meeting, item_id)
    form = DecisionForm(request.POST, item=item, choices=DecisionChoices(meeting))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                item=item,
                kind=data["kind"],
                text=data["text"],
                assignee=Contact.objects.filter(pk=data.get("assignee")).first()
                if data.get("assignee")
                else None,
                due_on=data.get("due_on"),
                organisation=Organisation.objects.filter(pk=data.get("organisation")).first()
                if data.get("organisation")
                else None,
                actor=request.user,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(f"{_detail_url(meeting)}#item-{item.pk}")
    return _detail_page(request, meeting, status=400, **{f"decision_{item.pk}": form})


def _detail_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.public_id])


def preview(request, public_id):
    """What each participant will see, before the agenda goes out."""
    meeting = _managed_meeting_or_404(request, public_id)
    participants = selectors.participants(meeting)
    form = PreviewForm(request.GET or None, participants=participants)
    chosen = None
    if form.is_bound and form.is_valid():
        wanted = form.cleaned_data["participant"]
        chosen = next(p for p in participants if p.contact_id == wanted)
    elif participants and not form.is_bound:
        chosen = participants[0]
        form = PreviewForm(initial={"participant": chosen.contact_id}, participants=participants)
    agenda = []
    reader = None
    if chosen is not None:
        user = chosen.contact.user
        reader = user if user is not None and user.is_active else None
        agenda = selectors.agenda_for(meeting, reader, participant=True)
        # Before sending, a named case's window is not set yet: it opens when the agenda goes out.
        if meeting.is_planned:
            for view in agenda:
                view.summary_open = bool(reader) and (
                    view.handles_case or (view.item.named and bool(view.item.legal_basis))
                )
    return render(
        request,
        "meetings/preview.html",
        {
            "meeting": meeting,
            "form": form,
            "chosen": chosen,
            "reader": reader,
            "agenda": agenda,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def send_agenda(request, public_id):
    meeting = _managed_meeting_or_404(request, public_id)
    form = SendForm(request.POST)
    form.is_valid()
    try:
        services.meeting_send_agenda(
            meeting=meeting,
            actor=request.user,
            warnings_seen=bool(form.cleaned_data.get("warnings_seen")),
        )
    except (ValidationError, IllegalTransition) as error:
        messages.error(
            request,
            " ".join(_errors(error))
            if isinstance(error, ValidationError)
            else _("The agenda is sent already."),
        )
        return redirect("meetings:detail", meeting.public_id)
    messages.success(request, _("The agenda is sent. The participants are told."))
    return redirect("meetings:detail", meeting.public_id)


def held(request, public_id):
    meeting = _managed_meeting_or_404(request, public_id)
    participants = selectors.participants(meeting)
    form = HeldForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_hold(
                meeting=meeting,
                attended=[int(pk) for pk in form.cleaned_data["attended"]],
                actor=request.user,
            )
        except (ValidationError, IllegalTransition) as error:
            form.add_error(
                None,
                " ".join(_errors(error))
                if isinstance(error, ValidationError)
                else _("The meeting cannot be recorded as held now."),
            )
        else:
            messages.success(request, _("The meeting is recorded as held."))
            return redirect("meetings:detail", meeting.public_id)
    return render(
        request,
        "meetings/held.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def cancel(request, public_id):
    meeting = _managed_meeting_or_404(request, public_id)
    try:
        services.meeting_cancel(meeting=meeting, actor=request.user)
    except IllegalTransition:
        messages.error(request, _("A meeting that was held cannot be cancelled."))
    else:
        messages.success(request, _("The meeting is cancelled."))
    return redirect("meetings:detail", meeting.public_id)


# --- minutes ------------------------------------------------------------------------------


def minutes(request, public_id):
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    record = selectors.minutes_of(meeting)
    manage = may_manage(request.user, meeting)
    approve = may_approve(request.user, meeting)
    form = None
    if manage and meeting.status == Meeting.Status.HELD:
        form = NotesForm(
            request.POST if request.POST.get("action") == "notes" else None,
            initial={"notes": record.notes if record else ""},
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "notes" and form is not None:
                if form.is_valid():
                    services.minutes_notes_save(
                        meeting=meeting, notes=form.cleaned_data["notes"], actor=request.user
                    )
                    messages.success(request, _("The notes are saved."))
                    return redirect("meetings:minutes", meeting.public_id)
            elif action == "approve" and approve:
                services.minutes_approve(meeting=meeting, actor=request.user)
                messages.success(request, _("The minutes are approved. They can no longer change."))
                return redirect("meetings:minutes", meeting.public_id)
            else:
                raise deny(request.user, f"meeting {public_id} minutes ({action})")
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            messages.error(
                request,
                " ".join(_errors(error))
                if isinstance(error, ValidationError)
                else _("The minutes cannot be changed now."),
            )
            return redirect("meetings:minutes", meeting.public_id)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "record": record,
            "content": content_for(meeting, record),
            "statistics": _statistics(meeting, record),
            "form": form,
            "manage": manage,
            "approve": approve and meeting.status == Meeting.Status.HELD,
        },
        status=400 if form is not None and form.errors else 200,
    )


def minutes_print(request, public_id):
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    record = selectors.minutes_of(meeting)
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.APPROVED):
        raise Http404
    return render(
        request,
        "meetings/minutes_print.html",
        {
            "meeting": meeting,
            "record": record,
            "content": content_for(meeting, record),
            "statistics": _statistics(meeting, record),
            "printed_at": timezone.localtime(),
        },
    )


def invitation_ics(request, public_id):
    meeting = get_meeting_for_user_or_404(request.user, public_id)
    response = HttpResponse(invitation(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.public_id}.ics"'
    return response
