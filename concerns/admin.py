from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from concerns.models import (
    AccessLog,
    CaseEvent,
    Concern,
    RetentionRule,
    RetentionRun,
    RoutingRule,
)
from concerns.permissions import BREAK_GLASS_PERMISSION
from concerns.services import access_log_record, routing_rule_delete, routing_rule_save
from concerns.triage_forms import PurposeForm
from config.request import client_ip
from partners.admin_tenancy import TenantAdmin, register_tenant_model
from partners.identity.admin import PlatformLogAdmin

register_tenant_model(RoutingRule, "municipality")
register_tenant_model(RetentionRule, "municipality")

_BREAK_GLASS_PURPOSES = "break_glass_purposes"


class BreakGlassAdmin(admin.ModelAdmin):
    """Case content in the admin: only with the explicit break-glass permission, read-only.

    Model-wide view or change permissions open nothing here. Opening a case
    asks for a purpose and writes it to the access log. Nothing can be
    changed: every change to a case goes through the case page's services.
    """

    def _may_break_glass(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(BREAK_GLASS_PERMISSION)

    def has_module_permission(self, request):
        return self._may_break_glass(request)

    def has_view_permission(self, request, obj=None):
        return self._may_break_glass(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "actor", "text", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(BreakGlassAdmin):
    # The list names no one: reference, status and dates only.
    list_display = ["reference", "status", "urgency", "municipality", "submitted_at"]
    list_filter = ["status", "urgency", "municipality"]
    search_fields = ["reference"]
    inlines = [CaseEventInline]

    def get_queryset(self, request):
        # Drafts are the reporter's alone, even here.
        return super().get_queryset(request).exclude(status=Concern.Status.DRAFT)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        concern = self.get_object(request, object_id)
        if concern is None or not self._may_break_glass(request):
            raise PermissionDenied
        purposes = request.session.get(_BREAK_GLASS_PURPOSES, {})
        if request.method == "POST":
            form = PurposeForm(request.POST)
            if not form.is_valid():
                return self._purpose_page(request, concern, form)
            purposes[str(concern.pk)] = form.cleaned_data["reason"].strip()
            request.session[_BREAK_GLASS_PURPOSES] = purposes
            return redirect(request.path)
        reason = purposes.get(str(concern.pk))
        if reason is None:
            return self._purpose_page(request, concern, PurposeForm())
        access_log_record(
            concern=concern,
            user=request.user,
            view="admin",
            purpose=AccessLog.Purpose.BREAK_GLASS,
            reason=reason,
            ip_address=client_ip(request),
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _purpose_page(self, request, concern, form):
        return render(
            request,
            "admin/concerns/break_glass_purpose.html",
            {**self.admin_site.each_context(request), "concern": concern, "form": form},
        )


@admin.register(AccessLog)
class AccessLogAdmin(BreakGlassAdmin):
    list_display = ["at", "concern", "user", "organisation", "view", "purpose"]
    list_filter = ["purpose", "view"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(TenantAdmin):
    """Routing rules hold no case content: registry admins keep their own municipality's."""

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
            _("Target"),
            {"fields": ["target", "target_role", "target_contact", "action_card", "consider_pst"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        # Through the service: a changed rule takes back the grants it gave
        # to cases that no longer match it.
        routing_rule_save(rule=obj, actor=request.user)

    def delete_model(self, request, obj):
        routing_rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            routing_rule_delete(rule=rule, actor=request.user)


@admin.register(RetentionRule)
class RetentionRuleAdmin(TenantAdmin):
    """How long each outcome keeps identity and text (concerns.retention). Holds no case content."""

    list_display = ["municipality", "outcome", "months"]
    list_filter = ["municipality", "outcome"]


@admin.register(RetentionRun)
class RetentionRunAdmin(PlatformLogAdmin):
    """The retention task's own log: counts only."""

    list_display = [
        "started_at",
        "finished_at",
        "cases_anonymised",
        "drafts_deleted",
        "files_deleted",
        "history_rows_purged",
        "grants_deleted",
    ]
