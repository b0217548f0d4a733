from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from concerns.models import Concern, Subject


class BreakGlassOnlyAdmin(SimpleHistoryAdmin):
    """Case content in the admin is for the superuser's break-glass use only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Concern)
class ConcernAdmin(BreakGlassOnlyAdmin):
    list_display = ["reference", "status", "urgency", "municipality", "submitted_at"]
    list_filter = ["status", "urgency", "municipality"]
    search_fields = ["reference"]
    readonly_fields = ["public_id", "reference", "submitted_at"]


@admin.register(Subject)
class SubjectAdmin(BreakGlassOnlyAdmin):
    list_display = ["name", "municipality", "created_at"]
    search_fields = ["name"]
