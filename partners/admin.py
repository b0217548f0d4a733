from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Contact, District, Municipality, Organisation, User


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
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "municipalities", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "organisation", "phone", "is_active"]
    list_filter = ["role", "organisation__municipalities", "is_active"]
    search_fields = ["name", "organisation__name", "email", "phone"]
    filter_horizontal = ["districts"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["roles", "organisation__municipalities", "is_active", "is_staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation and roles"), {"fields": ["organisation", "roles"]}),
    )
    filter_horizontal = ["roles", "groups", "user_permissions"]
    autocomplete_fields = ["organisation"]
