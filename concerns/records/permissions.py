"""Who reads a case's journal and a municipality's public journal.

- A case's journal is part of the case: its handlers read it (the case
  page's rule, `concerns.permissions.is_handler`); a reporter does not.
- The public journal holds no name and no free text, but it is the
  municipality's register of every case: its registry admins (who keep the
  municipality's records) and its coordinators read it, for their own
  municipalities only. Everyone else gets 404.
"""

from django.db.models import QuerySet

from concerns.models import Concern
from concerns.permissions import coordinated_municipality_ids, is_handler
from partners.models import Municipality, Role, User
from partners.permissions import registry_municipality_ids

# Plain strings, so the menu can test them against the codes it read once.
PUBLIC_JOURNAL_ROLES = frozenset({Role.Code.COORDINATOR.value, Role.Code.REGISTRY_ADMIN.value})


def may_read_case_journal(user: User, concern: Concern) -> bool:
    return is_handler(user, concern)


def public_journal_municipalities(user: User) -> QuerySet[Municipality]:
    """The municipalities whose public journal the user reads."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    ids = set(registry_municipality_ids(user)) | set(coordinated_municipality_ids(user))
    return Municipality.objects.filter(pk__in=ids).order_by("name")


def may_read_public_journal(user: User) -> bool:
    """For the menu; the page itself asks `public_journal_municipalities`."""
    return user.is_authenticated and any(user.has_role(code) for code in PUBLIC_JOURNAL_ROLES)
