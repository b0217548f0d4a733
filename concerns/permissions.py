"""Who may see which concern. Lists and detail pages both use concerns_visible_to().

Anyone without access gets 404, exactly as for a concern that does not exist,
so nobody learns that a case exists. The triage issue widens the rule to
handlers per agency; it stays in this one place.
"""

from django.db.models import QuerySet
from django.http import Http404

from concerns.models import Concern
from partners.models import User


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(reporter=user)


def get_concern_for_user_or_404(user: User, public_id) -> Concern:
    try:
        return concerns_visible_to(user).get(public_id=public_id)
    except (Concern.DoesNotExist, ValueError) as missing:
        raise Http404 from missing


def can_edit_draft(user: User, concern: Concern) -> bool:
    return concern.is_draft and concern.reporter_id == user.pk
