"""The mentor's pages: my mentees, one mentorship, proposing a mentor, group work."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.case_access import log_mentor_read
from concerns.concurrency import StaleChange
from concerns.permissions import deny, get_concern_for_user_or_404
from measures.models import Initiative, Measure
from mentoring import selectors, services
from mentoring.charts import progress_chart
from mentoring.forms import (
    EndForm,
    GroupSessionForm,
    LanguageFilterForm,
    PlanForm,
    ProposeForm,
    RatingsForm,
    SessionForm,
    StartForm,
    SupervisionForm,
)
from mentoring.models import LifeDomain, Mentorship
from mentoring.permissions import (
    corps_members_for,
    get_mentorship_for_user_or_404,
    is_mentor_of,
    may_coordinate,
    may_read_concern,
    may_work_on,
    mentorship_rule,
    supervisions_visible_to,
)
from partners.models import Contact


def home(request):
    """A mentor's mentees (a coordinator's: the municipality's), the next meeting first,
    and the supervision the mentor has had."""
    if mentorship_rule(request.user) is None:
        raise deny(request.user, "mentoring")
    mentorships = list(selectors.mentor_home(request.user))
    members = list(corps_members_for(request.user))
    form = None
    if members:
        form = SupervisionForm(
            request.POST or None,
            initial={"date": timezone.localdate()},
            members=members,
            supervisors=Contact.objects.filter(
                is_active=True,
                organisation__municipalities__in=[m.municipality_id for m in members],
            )
            .exclude(user=request.user)
            .select_related("organisation")
            .distinct()
            .order_by("name"),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.supervision_record(
                mentor=data["mentor"],
                supervisor=data["supervisor"],
                date=data["date"],
                notes=data["notes"],
                actor=request.user,
            )
            messages.success(request, _("Saved."))
            return redirect("mentoring:home")
    return render(
        request,
        "mentoring/home.html",
        {
            "mentorships": mentorships,
            "overdue": selectors.overdue(mentorships, timezone.localdate()),
            "may_record_groups": bool(members),
            "supervisions": supervisions_visible_to(request.user)
            .select_related("mentor", "supervisor")
            .order_by("-date", "-pk")[:20],
            "supervision_form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


# What each form on the mentorship page does, and the service behind it.
def _start(mentorship, user, data, version):
    return services.mentorship_start(
        mentorship=mentorship,
        actor=user,
        starts_on=data["starts_on"],
        mentee_consent=data["mentee_consent"],
        guardian_consent=data["guardian_consent"],
        expected_version=version,
    )


def _end(mentorship, user, data, version):
    return services.mentorship_end(
        mentorship=mentorship,
        actor=user,
        outcome=data["outcome"],
        ends_on=data["ends_on"],
        expected_version=version,
    )


def _session(mentorship, user, data, version):
    return services.mentor_session_record(
        mentorship=mentorship,
        actor=user,
        date=data["date"],
        duration_minutes=data["duration_minutes"],
        domains=data["domains"],
        note=data["note"],
        next_meeting_on=data["next_meeting_on"],
    )


FORMS = {
    "start": (StartForm, _start),
    "end": (EndForm, _end),
    "session": (SessionForm, _session),
    "ratings": (
        RatingsForm,
        lambda m, u, form, v: services.ratings_record(
            mentorship=m, actor=u, rated_on=form["rated_on"], ratings=form["_ratings"]
        ),
    ),
    "plan": (
        PlanForm,
        lambda m, u, form, v: services.plan_set(mentorship=m, actor=u, goals=form["_goals"]),
    ),
    "pause": (
        None,
        lambda m, u, form, v: services.mentorship_pause(mentorship=m, actor=u, expected_version=v),
    ),
    "resume": (
        None,
        lambda m, u, form, v: services.mentorship_resume(mentorship=m, actor=u, expected_version=v),
    ),
    "share": (
        None,
        lambda m, u, form, v: services.mentorship_share_concern(
            mentorship=m, actor=u, share=not m.shares_concern
        ),
    ),
}


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def mentorship_detail(request, public_id):
    mentorship = get_mentorship_for_user_or_404(request.user, public_id)
    may_work = may_work_on(request.user, mentorship)
    today = timezone.localdate()
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FORMS or not may_work:
            raise Http404
        form_class, run = FORMS[action]
        form = form_class(request.POST) if form_class else None
        if form is None or form.is_valid():
            data = dict(form.cleaned_data) if form else {}
            if isinstance(form, RatingsForm):
                data["_ratings"] = form.ratings()
            if isinstance(form, PlanForm):
                data["_goals"] = form.goals()
            try:
                run(mentorship, request.user, data, _version(request))
            except StaleChange as stale:
                messages.error(request, stale.message())
                return redirect("mentoring:detail", public_id=mentorship.public_id)
            except PermissionDenied as refused:
                raise Http404 from refused
            except ValidationError as error:
                if form is None:
                    messages.error(request, " ".join(error.messages))
                    return redirect("mentoring:detail", public_id=mentorship.public_id)
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("mentoring:detail", public_id=mentorship.public_id)
        bound[action] = form
    mentorship = selectors.mentorship_page(mentorship)
    goals = {goal.domain: goal for goal in mentorship.goals.all()}
    plan_initial = {}
    for code, goal in goals.items():
        plan_initial[f"{code}_baseline"] = goal.baseline
        plan_initial[f"{code}_goal"] = goal.goal
    forms = {
        "start": bound.get("start") or StartForm(initial={"starts_on": today}),
        "end": bound.get("end") or EndForm(initial={"ends_on": today}),
        "session": bound.get("session") or SessionForm(initial={"date": today}),
        "ratings": bound.get("ratings") or RatingsForm(initial={"rated_on": today}),
        "plan": bound.get("plan") or PlanForm(initial=plan_initial),
    }
    series = selectors.progress(mentorship)
    coordinates = may_coordinate(request.user, mentorship.concern)
    # The coordinator and the police contact open the case itself (its own access
    # rules and log); a mentor reads the concern here, only when it is shared.
    as_mentor = is_mentor_of(request.user, mentorship) and not coordinates
    shows_concern = as_mentor and may_read_concern(request.user, mentorship)
    if shows_concern:
        log_mentor_read(request, mentorship.concern, view="mentorship")
    return render(
        request,
        "mentoring/mentorship.html",
        {
            "mentorship": mentorship,
            "subject": mentorship.concern.subject,
            "age_band": mentorship.concern.age_band(),
            "goals": [(label, goals.get(code)) for code, label in LifeDomain.choices],
            "series": series,
            "chart": progress_chart(series),
            "sessions": list(mentorship.sessions.all()),
            "may_work": may_work,
            "may_coordinate": coordinates,
            "shows_concern": shows_concern,
            "links_case": not as_mentor,
            "forms": forms,
            "errors": bound,
        },
        status=400 if bound else 200,
    )


def propose(request, concern_id):
    """The coordinator picks a mentor for the person a case is about."""
    concern = get_concern_for_user_or_404(request.user, concern_id)
    if not may_coordinate(request.user, concern):
        raise deny(request.user, "propose mentor")
    language_form = LanguageFilterForm(request.GET or None)
    language = language_form.cleaned_data["language"] if language_form.is_valid() else ""
    candidates = services.mentor_candidates(concern, language=language)
    form = ProposeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            mentorship = services.mentorship_propose(
                concern=concern, mentor=form.cleaned_data["mentor"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The mentor is proposed."))
            return redirect("mentoring:detail", public_id=mentorship.public_id)
    return render(
        request,
        "mentoring/propose.html",
        {
            "concern": concern,
            "form": form,
            "language_form": language_form,
            "candidates": candidates,
            "open_mentorship": concern.mentorships.filter(
                status__in=Mentorship.OPEN_STATUSES
            ).first(),
        },
        status=400 if form.errors else 200,
    )


def group_session(request):
    """Group work by a corps member: a topic and a count, never a name."""
    memberships = list(corps_members_for(request.user).select_related("municipality"))
    if not memberships:
        raise deny(request.user, "group session")
    municipalities = {m.municipality_id for m in memberships}
    form = GroupSessionForm(
        request.POST or None,
        initial={"date": timezone.localdate()},
        plan_items=[
            *Measure.objects.filter(municipality__in=municipalities).order_by("number"),
            *Initiative.objects.filter(municipality__in=municipalities).order_by("number"),
        ],
    )
    form.fields["corps"].choices = sorted({(m.corps, m.get_corps_display()) for m in memberships})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next(m for m in memberships if m.corps == data["corps"])
        try:
            services.group_session_record(
                actor=request.user,
                municipality=member.municipality,
                corps=data["corps"],
                date=data["date"],
                participants=data["participants"],
                topic=data["topic"],
                measure=data["plan_item"] if isinstance(data["plan_item"], Measure) else None,
                initiative=data["plan_item"] if isinstance(data["plan_item"], Initiative) else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The group session is recorded."))
            return redirect("mentoring:home")
    return render(
        request, "mentoring/group_session.html", {"form": form}, status=400 if form.errors else 200
    )
