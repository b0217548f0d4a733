from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.env import env_secret
from partners.admin_tenancy import TenantAdmin, register_tenant_model
from partners.identity.models import (
    ExternalIdentity,
    GroupMapping,
    IdentityProvider,
    ProviderSession,
    SecurityEvent,
)
from partners.identity.sso_services import ROLES_KEPT_OUTSIDE_PROVIDERS
from partners.models import Role
from partners.permissions import (
    CASE_HANDLER_ROLE_CODES,
    is_platform_admin,
    organisations_touching,
)

# A group mapped to one of these decides who sees cases, or who keeps the
# registry: only a platform admin gives such roles.
PLATFORM_ONLY_MAPPING_ROLES = CASE_HANDLER_ROLE_CODES | {Role.Code.REGISTRY_ADMIN.value}


class PlatformLogAdmin(admin.ModelAdmin):
    """A log the application writes: read by platform admins, changed by nobody."""

    def has_module_permission(self, request):
        return is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(PlatformLogAdmin):
    """The security log."""

    list_display = ["at", "kind", "username", "ip_address", "actor"]
    list_filter = ["kind"]
    search_fields = ["username"]


# --- single sign-on --------------------------------------------------------------------------


@admin.register(IdentityProvider)
class IdentityProviderAdmin(SimpleHistoryAdmin):
    """Providers span municipalities and decide who may sign in: platform admins keep them."""

    list_display = ["name", "slug", "issuer", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "issuer"]
    readonly_fields = ["secret_env_name", "secret_configured"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    fieldsets = (
        (None, {"fields": ["name", "slug", "is_active", "organisations"]}),
        (
            _("Provider"),
            {
                "fields": [
                    "issuer",
                    "client_id",
                    "secret_env_name",
                    "secret_configured",
                    "scopes",
                    "groups_claim",
                ]
            },
        ),
        (_("Second factor"), {"fields": ["mfa_amr_values", "mfa_acr_values"]}),
        (_("Accounts"), {"fields": ["email_domains", "deactivate_after_days"]}),
    )

    @admin.display(description=_("client secret is read from"))
    def secret_env_name(self, obj):
        return obj.secret_env_name if obj.slug else "—"

    @admin.display(description=_("client secret set"), boolean=True)
    def secret_configured(self, obj):
        # Whether it is there, never what it is.
        return bool(obj.slug) and bool(env_secret(obj.secret_env_name))

    def has_module_permission(self, request):
        return is_platform_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_platform_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_platform_admin(request.user) and super().has_delete_permission(request, obj)


register_tenant_model(GroupMapping, "organisation__municipalities")


def _platform_only(role_code: str) -> bool:
    return role_code in PLATFORM_ONLY_MAPPING_ROLES


@admin.register(GroupMapping)
class GroupMappingAdmin(TenantAdmin):
    """Which provider group gives which role in which organisation.

    A registry admin keeps the mappings of their own municipality's
    organisations. A mapping to a case-handler role decides who sees cases,
    and one to registry admin makes registry admins; today only a platform
    admin gives such roles (UserAdmin), so only a platform admin adds,
    changes or deletes such a mapping. The role list leaves them out for
    everyone else, and the form and the permissions refuse them, so a
    hand-made POST gets no further than the list does.
    """

    list_display = ["group", "role", "organisation", "provider"]
    list_filter = ["provider", "role", "organisation__municipalities"]
    search_fields = ["group", "organisation__name"]
    list_select_related = ["provider", "role", "organisation"]

    def _may_keep_role(self, request, obj) -> bool:
        if obj is None or is_platform_admin(request.user) or obj.role_id is None:
            return True
        return not _platform_only(obj.role.code)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._may_keep_role(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._may_keep_role(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.name == "role":
            field.queryset = field.queryset.exclude(code__in=ROLES_KEPT_OUTSIDE_PROVIDERS)
            if not is_platform_admin(request.user):
                field.queryset = field.queryset.exclude(code__in=PLATFORM_ONLY_MAPPING_ROLES)
        elif db_field.name == "provider" and not is_platform_admin(request.user):
            field.queryset = field.queryset.filter(
                pk__in=IdentityProvider.objects.filter(
                    organisations__in=organisations_touching(request.user)
                ).values("pk")
            )
        return field

    def tenancy_problem(self, request, obj, cleaned_data):
        problem = super().tenancy_problem(request, obj, cleaned_data)
        if problem or is_platform_admin(request.user):
            return problem
        before = GroupMapping.objects.filter(pk=obj.pk).select_related("role").first()
        if (obj.role_id and _platform_only(obj.role.code)) or (
            before is not None and _platform_only(before.role.code)
        ):
            return _(
                "Only a platform admin can map a group to this role: it decides who sees "
                "cases or keeps the registry."
            )
        return None


class _ProviderRecordAdmin(PlatformLogAdmin):
    list_select_related = ["provider", "user"]
    list_filter = ["provider"]
    search_fields = ["subject", "user__username"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(_ProviderRecordAdmin):
    """Who each provider's subject is here. Read only; the refresh token is never shown."""

    list_display = ["subject", "user", "provider", "last_sign_in_at"]
    fields = ["user", "provider", "subject", "created_at", "last_sign_in_at"]


@admin.register(ProviderSession)
class ProviderSessionAdmin(_ProviderRecordAdmin):
    """Sessions a provider may end. Read only; the session key is a credential, never shown."""

    list_display = ["subject", "user", "provider", "sid", "created_at"]
    fields = ["user", "provider", "subject", "sid", "created_at"]
