from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import (
    Contact,
    District,
    KontaktforumMembership,
    Municipality,
    Organisation,
    User,
)
from partners.resources import ContactResource, OrganisationResource


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "country"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "municipalities", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]


@admin.register(Contact)
class ContactAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ContactResource]
    list_display = ["name", "role", "organisation", "phone", "is_active"]
    list_filter = ["role", "organisation__municipalities", "is_active"]
    search_fields = ["name", "organisation__name", "email", "phone"]
    filter_horizontal = ["districts"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Accounts: registry admins may look users up (to link a contact), never change them."""

    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["roles", "organisation__municipalities", "is_active", "is_staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation and roles"), {"fields": ["organisation", "roles"]}),
    )
    filter_horizontal = ["roles", "groups", "user_permissions"]
    autocomplete_fields = ["organisation"]


@admin.register(KontaktforumMembership)
class KontaktforumMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "contact", "municipality", "joined_on", "is_active"]
    list_filter = ["municipality", "is_active"]
    search_fields = ["organisation__name", "contact__name"]
    autocomplete_fields = ["organisation", "contact"]
