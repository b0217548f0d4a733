"""Reads for the mentor's pages."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from mentoring.models import LifeDomain, LifeMasteryGoal, LifeMasteryRating, Mentorship
from mentoring.permissions import mentorships_visible_to
from partners.models import User


@dataclass(frozen=True)
class Series:
    domain: str
    label: str
    points: list[tuple[datetime.date, int]]


def progress(mentorship: Mentorship) -> list[Series]:
    """Each domain's rating over time: the baseline at the start, then every review in order."""
    start = mentorship.starts_on or timezone.localdate(mentorship.created_at)
    points: dict[str, list[tuple[datetime.date, int]]] = {}
    for goal in LifeMasteryGoal.objects.filter(mentorship=mentorship):
        points.setdefault(goal.domain, []).append((start, goal.baseline))
    for rating in LifeMasteryRating.objects.filter(mentorship=mentorship).order_by(
        "rated_on", "pk"
    ):
        series = points.setdefault(rating.domain, [])
        # A review on the start day replaces the baseline in the drawing, not in the record.
        if series and series[-1][0] == rating.rated_on:
            series.pop()
        series.append((rating.rated_on, rating.rating))
    return [
        Series(domain, str(label), points[domain])
        for domain, label in LifeDomain.choices
        if domain in points
    ]


def mentor_home(user: User) -> QuerySet[Mentorship]:
    """The user's open mentorships, the next meeting first, with what the list shows."""
    return (
        mentorships_visible_to(user)
        .filter(status__in=Mentorship.OPEN_STATUSES)
        .select_related("mentor", "concern__subject")
        .annotate(session_count=Count("sessions"))
        .order_by("next_meeting_on", "created_at")
    )


def mentorship_page(mentorship: Mentorship) -> Mentorship:
    """The goals and sessions the page shows, fetched onto the mentorship already in hand."""
    prefetch_related_objects(
        [mentorship],
        Prefetch("goals", queryset=LifeMasteryGoal.objects.order_by("domain")),
        "sessions",
    )
    return mentorship


def overdue(mentorships, today: datetime.date) -> set[int]:
    """Mentorships whose next meeting has passed without a session since."""
    return {m.pk for m in mentorships if m.next_meeting_on and m.next_meeting_on < today}


__all__ = ["Series", "mentor_home", "mentorship_page", "overdue", "progress"]
