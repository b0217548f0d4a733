from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from partners.admin_tenancy import TenantAdmin, register_tenant_model, visible_to
from partners.identity.admin import SecurityEventAdmin  # noqa: F401 (registers it)
from partners.models import (
    ClosureDay,
    Contact,
    DeadlineRule,
    District,
    KontaktforumMembership,
    Municipality,
    Organisation,
    Role,
    User,
)
from partners.permissions import contact_link_problem, is_platform_admin
from partners.resources import CappedImportForm, ContactResource, OrganisationResource

register_tenant_model(District, "municipality")
register_tenant_model(Organisation, "municipalities")
register_tenant_model(Contact, "organisation__municipalities")
register_tenant_model(KontaktforumMembership, "municipality")
register_tenant_model(ClosureDay, "municipality")
register_tenant_model(DeadlineRule, "municipality")
register_tenant_model(User, "organisation__municipalities")


class ScopedImportExportMixin(ImportExportMixin):
    """CSV import and export under the admin's own scope, with capped uploads."""

    import_form_class = CappedImportForm

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}


@admin.register(Municipality)
class MunicipalityAdmin(TenantAdmin):
    list_display = ["name", "code", "country"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # A registry admin sets their municipality's deadlines, not its identity.
        if is_platform_admin(request.user):
            return []
        return ["code", "name", "country"]


@admin.register(ClosureDay)
class ClosureDayAdmin(TenantAdmin):
    """Days the offices are closed besides public holidays; working-day deadlines skip them."""

    list_display = ["name", "day", "month", "year", "municipality"]
    list_filter = ["municipality"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(TenantAdmin):
    """A change applies to deadlines set from now on; those already given keep their date."""

    list_display = ["kind", "length", "unit", "municipality"]
    list_filter = ["municipality", "unit"]


@admin.register(District)
class DistrictAdmin(TenantAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedImportExportMixin, TenantAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "municipalities", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Contact)
class ContactAdmin(ScopedImportExportMixin, TenantAdmin):
    resource_classes = [ContactResource]
    list_display = ["name", "role", "organisation", "phone", "is_active"]
    list_filter = ["role", "organisation__municipalities", "is_active"]
    search_fields = ["name", "organisation__name", "email", "phone"]
    list_select_related = ["organisation"]

    def tenancy_problem(self, request, obj, cleaned_data):
        problem = super().tenancy_problem(request, obj, cleaned_data)
        if problem:
            return problem
        served = set(obj.organisation.municipalities.values_list("pk", flat=True))
        districts = cleaned_data.get("districts") or []
        if any(district.municipality_id not in served for district in districts):
            return _("A district must lie in a municipality the organisation serves.")
        return contact_link_problem(contact=obj, account=obj.user, actor=request.user)


@admin.register(KontaktforumMembership)
class KontaktforumMembershipAdmin(TenantAdmin):
    list_display = ["organisation", "contact", "municipality", "joined_on", "is_active"]
    list_filter = ["municipality", "is_active"]
    search_fields = ["organisation__name", "contact__name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, TenantAdmin):
    """Accounts. A registry admin finds their municipality's accounts and may switch one off.

    Giving an account an organisation or a role decides what it sees, so only
    a platform admin does that, and nobody changes their own account here.
    """

    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["roles", "organisation__municipalities", "is_active", "is_staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation and roles"), {"fields": ["organisation", "roles"]}),
    )
    # Hundreds of permissions, for the platform admin only: Django's two-box widget.
    filter_horizontal = ["user_permissions"]
    list_select_related = ["organisation"]

    def get_fieldsets(self, request, obj=None):
        if obj is None or is_platform_admin(request.user):
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ["username"]}),
            (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Access"), {"fields": ["is_active", "organisation", "roles", "last_login"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return [field.name for field in User._meta.fields] + ["roles", "groups"]
        if is_platform_admin(request.user):
            return ["last_login", "date_joined"]
        return ["username", "organisation", "roles", "last_login"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Whoever sets a password can sign in as that person and read their cases.
        if not is_platform_admin(request.user):
            raise Http404
        return super().user_change_password(request, id, form_url)

    def tenancy_problem(self, request, obj, cleaned_data):
        problem = super().tenancy_problem(request, obj, cleaned_data)
        if problem or is_platform_admin(request.user) or not obj.pk:
            return problem
        was_active = User.objects.filter(pk=obj.pk, is_active=True).exists()
        if obj.is_active and not was_active:
            return _("Only a platform admin can switch an account back on.")
        return None

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "roles" and not request.user.is_superuser:
            # Only the break-glass superuser makes platform admins.
            field.queryset = field.queryset.exclude(code=Role.Code.PLATFORM_ADMIN)
        return field

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return visible_to(request.user, queryset), may_have_duplicates
