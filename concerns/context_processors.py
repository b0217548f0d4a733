from partners.models import Role

HANDLER_ROLES = {Role.Code.COORDINATOR, Role.Code.RESOURCE_PERSON, Role.Code.POLICE_CONTACT}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {role.code for role in user.roles.all()}
    return {"show_inbox": bool(roles & HANDLER_ROLES)}
