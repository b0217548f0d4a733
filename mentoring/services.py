"""Writes to the exit programme. Every function takes the acting user and records it."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.concurrency import ensure_current
from concerns.models import AgeBand, CaseEvent, Concern
from concerns.permissions import user_municipality_ids
from concerns.timeline import event_record
from measures.models import Initiative, Measure
from mentoring.models import (
    NOTE_MAX_LENGTH,
    Corps,
    CorpsMember,
    GroupSession,
    LifeDomain,
    LifeMasteryGoal,
    LifeMasteryRating,
    MentorSession,
    Mentorship,
    SupervisionSession,
)
from mentoring.permissions import may_coordinate, may_work_on
from partners.models import Contact, Municipality, Role, User


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You cannot do this on this mentorship."))


def _save(mentorship: Mentorship, actor: User, *fields: str) -> None:
    mentorship.version += 1
    mentorship._history_user = actor
    mentorship.save(update_fields=[*fields, "version", "updated_at"])


def _timeline(mentorship: Mentorship, actor: User, status: str) -> None:
    """The case's timeline says what happened to the mentorship, never its notes."""
    event_record(
        concern=mentorship.concern,
        actor=actor,
        kind=CaseEvent.Kind.MENTORSHIP,
        data={"status": status, "mentor": mentorship.mentor.name, "corps": mentorship.mentor.corps},
    )


def _locked(mentorship: Mentorship, expected_version: int | None) -> Mentorship:
    """The row as it is now, locked; a page showing an older version gets a clear refusal."""
    current = Mentorship.objects.select_for_update().select_related("mentor").get(pk=mentorship.pk)
    ensure_current(current, expected_version)
    current.concern = mentorship.concern
    return current


# --- matching and proposing -------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    member: CorpsMember
    open_count: int
    speaks: bool

    @property
    def has_room(self) -> bool:
        return self.open_count < self.member.capacity


def mentor_candidates(concern: Concern, language: str = "") -> list[Candidate]:
    """Active mentors and parent coaches of the case's municipality: free ones, then
    those who speak the mentee's language, first."""
    members = (
        CorpsMember.objects.filter(
            municipality=concern.municipality_id,
            is_active=True,
            corps__in=(Corps.MENTOR, Corps.PARENT_COACH),
        )
        .annotate(
            open_count=Count(
                "mentorships", filter=Q(mentorships__status__in=Mentorship.OPEN_STATUSES)
            )
        )
        .order_by("name")
    )
    candidates = [
        Candidate(member, member.open_count, bool(language) and language in member.languages)
        for member in members
    ]
    return sorted(candidates, key=lambda c: (not c.has_room, not c.speaks, c.member.name))


@transaction.atomic
def mentorship_propose(*, concern: Concern, mentor: CorpsMember, actor: User) -> Mentorship:
    """The coordinator proposes a mentor for the person a case is about."""
    _refuse_unless(may_coordinate(actor, concern))
    if not concern.is_open:
        raise ValidationError(_("Only an open case can get a mentor."))
    # Locked, so two proposals at once cannot both take the mentor's last place.
    mentor = CorpsMember.objects.select_for_update().get(pk=mentor.pk)
    if not mentor.is_active or mentor.municipality_id != concern.municipality_id:
        raise ValidationError(_("Pick an active mentor in the case's municipality."))
    taken = mentor.mentorships.filter(status__in=Mentorship.OPEN_STATUSES).count()
    if taken >= mentor.capacity:
        raise ValidationError(_("This mentor has no free place. Pick another."), code="capacity")
    if concern.mentorships.filter(status__in=Mentorship.OPEN_STATUSES).exists():
        raise ValidationError(_("The case already has a mentorship that has not ended."))
    mentorship = Mentorship(concern=concern, mentor=mentor, proposed_by=actor)
    mentorship._history_user = actor
    mentorship.save()
    _timeline(mentorship, actor, Mentorship.Status.PROPOSED)
    return mentorship


# --- the course of a mentorship -------------------------------------------------------


@transaction.atomic
def mentorship_start(
    *,
    mentorship: Mentorship,
    actor: User,
    starts_on: datetime.date,
    mentee_consent: bool,
    guardian_consent: str,
    expected_version: int | None = None,
) -> Mentorship:
    """Start (or resume) with the mentee's consent, and the guardians' for under-18s."""
    mentorship = _locked(mentorship, expected_version)
    _refuse_unless(may_work_on(actor, mentorship))
    if not mentee_consent:
        raise ValidationError(_("The mentee must consent before the mentorship starts."))
    under_18 = mentorship.concern.age_band() == AgeBand.UNDER_18
    if under_18 and guardian_consent != Mentorship.GuardianConsent.YES:
        raise ValidationError(_("For someone under 18 the guardians must consent too."))
    if guardian_consent not in Mentorship.GuardianConsent.values:
        raise ValidationError(_("Say whether the guardians have consented."))
    mentorship.transition_to(Mentorship.Status.ACTIVE)
    mentorship.mentee_consent = True
    mentorship.guardian_consent = guardian_consent
    mentorship.starts_on = mentorship.starts_on or starts_on
    _save(mentorship, actor, "status", "mentee_consent", "guardian_consent", "starts_on")
    _timeline(mentorship, actor, Mentorship.Status.ACTIVE)
    return mentorship


@transaction.atomic
def mentorship_pause(
    *, mentorship: Mentorship, actor: User, expected_version: int | None = None
) -> Mentorship:
    mentorship = _locked(mentorship, expected_version)
    _refuse_unless(may_work_on(actor, mentorship))
    mentorship.transition_to(Mentorship.Status.PAUSED)
    _save(mentorship, actor, "status")
    _timeline(mentorship, actor, Mentorship.Status.PAUSED)
    return mentorship


@transaction.atomic
def mentorship_resume(
    *, mentorship: Mentorship, actor: User, expected_version: int | None = None
) -> Mentorship:
    mentorship = _locked(mentorship, expected_version)
    _refuse_unless(may_work_on(actor, mentorship))
    if mentorship.status != Mentorship.Status.PAUSED:
        raise ValidationError(_("Only a paused mentorship can be resumed."))
    mentorship.transition_to(Mentorship.Status.ACTIVE)
    _save(mentorship, actor, "status")
    _timeline(mentorship, actor, Mentorship.Status.ACTIVE)
    return mentorship


@transaction.atomic
def mentorship_end(
    *,
    mentorship: Mentorship,
    actor: User,
    outcome: str,
    ends_on: datetime.date,
    expected_version: int | None = None,
) -> Mentorship:
    """End with an outcome chosen on purpose; the mentor's place is free again."""
    mentorship = _locked(mentorship, expected_version)
    _refuse_unless(may_work_on(actor, mentorship))
    if outcome not in Mentorship.Outcome.values:
        raise ValidationError(_("Choose how the mentorship ended."), code="outcome")
    if mentorship.starts_on and ends_on < mentorship.starts_on:
        raise ValidationError(_("The end cannot be before the start."))
    mentorship.transition_to(Mentorship.Status.ENDED)
    mentorship.outcome, mentorship.ends_on = outcome, ends_on
    mentorship.next_meeting_on = None
    _save(mentorship, actor, "status", "outcome", "ends_on", "next_meeting_on")
    _timeline(mentorship, actor, Mentorship.Status.ENDED)
    return mentorship


@transaction.atomic
def mentorship_share_concern(*, mentorship: Mentorship, actor: User, share: bool) -> Mentorship:
    """Let the mentor read the concern and who reported it, or take that back."""
    _refuse_unless(may_coordinate(actor, mentorship.concern))
    mentorship.shares_concern = share
    _save(mentorship, actor, "shares_concern")
    return mentorship


# --- the plan and the work ------------------------------------------------------------


def _rating(value) -> int:
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError(_("A rating is a whole number from 1 to 5."))
    return value


@transaction.atomic
def plan_set(
    *, mentorship: Mentorship, actor: User, goals: dict[str, tuple[int, str]]
) -> list[LifeMasteryGoal]:
    """Set the baseline (1–5) and the goal of each domain: {domain: (baseline, goal)}."""
    _refuse_unless(may_work_on(actor, mentorship))
    saved = []
    for domain, (baseline, goal) in goals.items():
        if domain not in LifeDomain.values:
            raise ValidationError(_("Unknown domain."))
        if len(goal) > 500:
            raise ValidationError(_("The text is too long."))
        record = LifeMasteryGoal.objects.filter(mentorship=mentorship, domain=domain).first()
        record = record or LifeMasteryGoal(mentorship=mentorship, domain=domain)
        record.baseline, record.goal = _rating(baseline), goal.strip()
        record._history_user = actor
        record.save()
        saved.append(record)
    return saved


@transaction.atomic
def ratings_record(
    *, mentorship: Mentorship, actor: User, rated_on: datetime.date, ratings: dict[str, int]
) -> list[LifeMasteryRating]:
    """A review: a rating per domain on one day. Rating the same day again corrects it."""
    _refuse_unless(may_work_on(actor, mentorship))
    if mentorship.status == Mentorship.Status.PROPOSED:
        raise ValidationError(_("Ratings start when the mentorship starts."))
    if rated_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    saved = []
    for domain, rating in ratings.items():
        if domain not in LifeDomain.values:
            raise ValidationError(_("Unknown domain."))
        record = LifeMasteryRating.objects.filter(
            mentorship=mentorship, domain=domain, rated_on=rated_on
        ).first() or LifeMasteryRating(mentorship=mentorship, domain=domain, rated_on=rated_on)
        record.rating, record.recorded_by = _rating(rating), actor
        record._history_user = actor
        record.save()
        saved.append(record)
    return saved


@transaction.atomic
def mentor_session_record(
    *,
    mentorship: Mentorship,
    actor: User,
    date: datetime.date,
    duration_minutes: int,
    domains: list[str],
    note: str,
    next_meeting_on: datetime.date | None = None,
) -> MentorSession:
    _refuse_unless(may_work_on(actor, mentorship))
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise ValidationError(_("Sessions are recorded on an active mentorship."))
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if not set(domains) <= set(LifeDomain.values):
        raise ValidationError(_("Unknown domain."))
    if next_meeting_on is not None and next_meeting_on < date:
        raise ValidationError(_("The next meeting cannot be before this one."))
    session = MentorSession(
        mentorship=mentorship,
        date=date,
        duration_minutes=duration_minutes,
        domains=sorted(set(domains)),
        note=note.strip()[:NOTE_MAX_LENGTH],
        recorded_by=actor,
    )
    session.full_clean()
    session._history_user = actor
    session.save()
    if next_meeting_on is not None:
        mentorship.next_meeting_on = next_meeting_on
        _save(mentorship, actor, "next_meeting_on")
    return session


@transaction.atomic
def group_session_record(
    *,
    actor: User,
    municipality: Municipality,
    corps: str,
    date: datetime.date,
    participants: int,
    topic: str,
    measure: Measure | None = None,
    initiative: Initiative | None = None,
) -> GroupSession:
    """Group work: a topic and a count of participants, never a person."""
    if not CorpsMember.objects.filter(user=actor, municipality=municipality, corps=corps).exists():
        raise PermissionDenied(_("Only members of the corps record its group sessions."))
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    for item in (measure, initiative):
        if item is not None and item.municipality_id != municipality.pk:
            raise ValidationError(_("Pick a measure or initiative of your own plan."))
    session = GroupSession(
        municipality=municipality,
        corps=corps,
        date=date,
        participants=participants,
        topic=topic.strip(),
        measure=measure,
        initiative=initiative,
        recorded_by=actor,
    )
    session.full_clean()
    session._history_user = actor
    session.save()
    return session


@transaction.atomic
def supervision_record(
    *, mentor: CorpsMember, supervisor: Contact, date: datetime.date, notes: str, actor: User
) -> SupervisionSession:
    """A supervision session: recorded by the mentor, the supervisor or the coordinator."""
    allowed = actor.pk in (mentor.user_id, supervisor.user_id) or (
        actor.has_role(Role.Code.COORDINATOR)
        and mentor.municipality_id in user_municipality_ids(actor)
    )
    if not allowed:
        raise PermissionDenied(_("Only the mentor, the supervisor or the coordinator record this."))
    session = SupervisionSession(
        mentor=mentor, supervisor=supervisor, date=date, notes=notes.strip(), recorded_by=actor
    )
    session.full_clean()
    session._history_user = actor
    session.save()
    return session
