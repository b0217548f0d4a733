"""Who may read the plans' figures."""

from django.db.models import QuerySet

from concerns.permissions import user_municipality_ids
from partners.models import Municipality, Role, User
from partners.permissions import registry_municipality_ids


def statistics_municipalities(user: User) -> QuerySet[Municipality]:
    """Coordinators and registry admins read the statistics of their own municipalities.

    The figures are protected counts (measures.statistics.protection), never a
    case; still, nobody reads another municipality's figures.
    """
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    ids = set(registry_municipality_ids(user))
    if user.has_role(Role.Code.COORDINATOR):
        ids.update(user_municipality_ids(user))
    return Municipality.objects.filter(pk__in=ids).order_by("name")


# Plain strings, so the menu can test them against the codes it read once.
STATISTICS_ROLES = frozenset({Role.Code.COORDINATOR.value, Role.Code.REGISTRY_ADMIN.value})


def may_read_statistics(user: User) -> bool:
    return user.is_authenticated and any(user.has_role(code) for code in STATISTICS_ROLES)
