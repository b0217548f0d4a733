from django.contrib import admin

from partners.identity.models import SecurityEvent
from partners.permissions import is_platform_admin


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log: read by platform admins, changed by nobody."""

    list_display = ["at", "kind", "username", "ip_address", "actor"]
    list_filter = ["kind"]
    search_fields = ["username"]

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
