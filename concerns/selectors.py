"""Reads of concerns for pages."""

from django.db.models import QuerySet

from concerns.models import Concern, Subject
from concerns.permissions import concerns_visible_to
from partners.models import User


def my_concerns(user: User) -> QuerySet[Concern]:
    return (
        concerns_visible_to(user)
        .filter(reporter=user)
        .select_related("subject", "phenomenon")
        .order_by("-created_at")
    )


def subjects_known_to_reporter(user: User) -> QuerySet[Subject]:
    """The people this reporter described before: the only ones they may pick again."""
    return Subject.objects.filter(created_by=user).order_by("name")
