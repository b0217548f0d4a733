"""Model permissions that follow from a user's roles, so nobody maintains groups by hand."""

from django.contrib.auth.backends import BaseBackend

from partners.models import Role

_CRUD = ("view", "add", "change", "delete")

# Registry admins keep the registries and the plans' reference data, and the
# routing rules. None of these models holds case content.
REGISTRY_MODELS = {
    "partners": ["municipality", "district", "organisation", "contact", "kontaktforummembership"],
    "measures": [
        "phenomenon",
        "signcategory",
        "sign",
        "actioncard",
        "actioncardstep",
        "goalarea",
        "measure",
        "goal",
        "initiative",
        "followupitem",
        "preventioncorps",
        "riskfactor",
        "definition",
    ],
    "concerns": ["routingrule"],
}
# To link a contact to an account they need to find it, never to change it.
REGISTRY_PERMISSIONS = frozenset(
    {
        f"{app}.{action}_{model}"
        for app, models in REGISTRY_MODELS.items()
        for model in models
        for action in _CRUD
    }
    | {"partners.view_user"}
)


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.has_role(Role.Code.REGISTRY_ADMIN):
            return set(REGISTRY_PERMISSIONS)
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
