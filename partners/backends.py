"""Model permissions that follow from a user's roles, so nobody maintains groups by hand.

These are model-wide rights to open admin pages. Which objects a user may
then see and change is decided per object by partners.admin_tenancy, from
partners.permissions: a registry admin only ever reaches their own
municipality's objects. None of these models holds case content, and no
permission here opens a case: that is concerns.permissions' job alone.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

from partners.models import Role, User

_CRUD = ("view", "add", "change", "delete")

# What a registry admin keeps for their own municipality.
REGISTRY_KEPT_MODELS = {
    "partners": [
        "district",
        "organisation",
        "contact",
        "kontaktforummembership",
        "closureday",
        "deadlinerule",
        # Group → role for their own organisations; a case-handler role is a
        # platform admin's to map (partners.identity.admin.GroupMappingAdmin).
        "groupmapping",
    ],
    "measures": [
        "actioncard",
        "actioncardstep",
        "goalarea",
        "measure",
        "goal",
        "initiative",
        "followupitem",
        "meetingkind",
    ],
    "concerns": ["routingrule", "retentionrule"],
}
# Shared by every municipality: a registry admin reads them, a platform admin keeps them.
SHARED_MODELS = {
    "referrals": ["legalbasis"],
    "measures": [
        "phenomenon",
        "signcategory",
        "sign",
        "preventioncorps",
        "riskfactor",
        "definition",
    ],
}


def _perms(models: dict[str, list[str]], actions) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for app, names in models.items()
        for model in names
        for action in actions
    }


REGISTRY_PERMISSIONS = frozenset(
    _perms(REGISTRY_KEPT_MODELS, _CRUD)
    | _perms(SHARED_MODELS, ["view"])
    # Their own municipality's settings (follow-up days), and the accounts of
    # its organisations: to find one for a contact, or to switch one off.
    | {"partners.view_municipality", "partners.change_municipality"}
    | {"partners.view_user", "partners.change_user"}
)
PLATFORM_PERMISSIONS = frozenset(
    REGISTRY_PERMISSIONS
    | _perms(SHARED_MODELS, _CRUD)
    | _perms({"partners": ["municipality", "user", "identityprovider"]}, _CRUD)
    | {"partners.view_role"}
)


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.has_role(Role.Code.PLATFORM_ADMIN):
            return set(PLATFORM_PERMISSIONS)
        if user_obj.has_role(Role.Code.REGISTRY_ADMIN):
            return set(REGISTRY_PERMISSIONS)
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))


class AccountBackend(ModelBackend):
    """Django's password backend, loading the signed-in user with what every page reads.

    The organisation and the roles come with the user in two queries, so role
    checks on a page never query again (User.has_role reads roles.all()).
    """

    def get_user(self, user_id):
        # Not .first(): its ORDER BY is compiled on every request, for one row by key.
        user = next(
            iter(
                User.objects.select_related("organisation")
                .prefetch_related("roles")
                .filter(pk=user_id)
            ),
            None,
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class ProviderBackend(AccountBackend):
    """The backend of sessions that single sign-on started (partners.identity.sso_views).

    The callback view verifies the provider's token and calls login() with this
    backend by name. It loads the user like AccountBackend, so a switched-off
    account is signed out on its next request; it never checks a password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None
