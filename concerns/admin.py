from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from concerns.models import AccessLog, CaseEvent, Concern, RoutingDecision, RoutingRule, Subject


class BreakGlassOnlyAdmin(SimpleHistoryAdmin):
    """Case content in the admin is for the superuser's break-glass use only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class ReadOnlyBreakGlassAdmin(BreakGlassOnlyAdmin):
    """Records of what happened: shown, never edited from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyBreakGlassAdmin):
    list_display = ["at", "concern", "user", "organisation", "view", "purpose"]
    list_filter = ["purpose", "view"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyBreakGlassAdmin):
    list_display = ["at", "concern", "kind", "actor"]
    list_filter = ["kind"]


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyBreakGlassAdmin):
    list_display = ["decided_at", "concern", "contact", "rule_name", "is_primary", "consider_pst"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    """Routing rules hold no case content: registry admins keep them."""

    list_display = [
        "order",
        "name",
        "mode",
        "municipality",
        "target",
        "target_role",
        "action_card",
        "is_active",
    ]
    list_display_links = ["name"]
    list_filter = ["municipality", "mode", "target", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["reporter_organisation", "target_contact"]
    fieldsets = [
        (None, {"fields": ["name", "order", "mode", "is_active"]}),
        (
            _("Conditions"),
            {
                "fields": [
                    "municipality",
                    "reporter_organisation",
                    "organisation_kind",
                    "age_band",
                    "district",
                    "phenomenon",
                    "involves_conflict_travel",
                    "urgency",
                ]
            },
        ),
        (
            "Target",
            {"fields": ["target", "target_role", "target_contact", "action_card", "consider_pst"]},
        ),
    ]
