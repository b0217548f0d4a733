from django.contrib import admin

from partners.identity.models import SecurityEvent
from partners.permissions import is_platform_admin


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
