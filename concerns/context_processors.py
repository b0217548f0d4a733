from concerns.models import Notification
from concerns.records.permissions import PUBLIC_JOURNAL_ROLES
from measures.permissions import STATISTICS_ROLES
from mentoring.permissions import MENTORING_MENU_ROLES
from partners.identity.middleware import sign_in_complete
from partners.models import Role
from partners.permissions import CASE_HANDLER_ROLE_CODES

# Plain strings: an enum member hashes by its name, so it would never be found
# in a set of the codes read from the database.
HANDLER_ROLES = CASE_HANDLER_ROLE_CODES


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not sign_in_complete(request):
        return {"signed_in": False}
    roles = {role.code for role in user.roles.all()}
    if not roles and not user.is_superuser:
        # Waiting for a role (partners.identity.middleware.RoleRequiredMiddleware):
        # every menu entry would lead back to the waiting page.
        return {"signed_in": False}
    return {
        "signed_in": True,
        "show_inbox": bool(roles & HANDLER_ROLES),
        "show_statistics": bool(roles & STATISTICS_ROLES),
        "show_public_journal": bool(roles & PUBLIC_JOURNAL_ROLES),
        "show_retention": Role.Code.COORDINATOR.value in roles,
        # Cases other municipalities transfer here are answered by coordinators alone.
        "show_transfers": Role.Code.COORDINATOR.value in roles,
        "show_mentoring": bool(roles & MENTORING_MENU_ROLES),
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True, shown=True
        ).count(),
    }
