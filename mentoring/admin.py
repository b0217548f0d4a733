from django.contrib import admin

from mentoring.models import CorpsMember
from partners.admin_tenancy import TenantAdmin, register_tenant_model

register_tenant_model(CorpsMember, "municipality")


@admin.register(CorpsMember)
class CorpsMemberAdmin(TenantAdmin):
    """The corps: kept by the registry admin of the municipality.

    Mentorships themselves are case work and are not in the admin.
    """

    list_display = ["name", "corps", "municipality", "capacity", "is_active"]
    list_filter = ["municipality", "corps", "is_active"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        # A member's account sees their mentorships: once there are any, changing the
        # account would hand them to someone else, so a new member is made instead.
        if obj is not None and obj.mentorships.exists():
            return ["user", "municipality"]
        return []
