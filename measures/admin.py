from django.contrib import admin

from measures.models import (
    ActionCard,
    ActionCardStep,
    Definition,
    FollowUpItem,
    Goal,
    GoalArea,
    Initiative,
    Measure,
    MeetingKind,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
    Sign,
    SignCategory,
)
from partners.admin_tenancy import TenantAdmin, TenantInline, register_tenant_model

# Each municipality keeps its own plan and action cards; the taxonomy
# (phenomena, signs, corps, risk factors, definitions) is shared and kept by
# platform admins.
for model in (ActionCard, GoalArea, Measure, Goal, Initiative, FollowUpItem):
    register_tenant_model(model, "municipality")
register_tenant_model(ActionCardStep, "card__municipality")
# Each municipality's kinds of meeting, and the plan item a held one counts under.
register_tenant_model(MeetingKind, "municipality")


@admin.register(Phenomenon)
class PhenomenonAdmin(TenantAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]
    search_fields = ["code", "name_nb", "name_da", "name_en"]


@admin.register(SignCategory)
class SignCategoryAdmin(TenantAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]


@admin.register(Sign)
class SignAdmin(TenantAdmin):
    list_display = ["code", "category", "text_nb", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "text_nb", "text_da", "text_en"]


class ActionCardStepInline(TenantInline):
    model = ActionCardStep
    extra = 0
    ordering = ["order"]


@admin.register(ActionCard)
class ActionCardAdmin(TenantAdmin):
    list_display = ["code", "municipality", "situation", "age_band", "title_nb", "title_da"]
    list_filter = ["municipality", "situation", "age_band"]
    inlines = [ActionCardStepInline]


@admin.register(ActionCardStep)
class ActionCardStepAdmin(TenantAdmin):
    list_display = ["card", "order", "responsible", "due_amount", "due_unit", "filing_code"]
    list_filter = ["card", "responsible"]
    search_fields = ["text_nb", "text_da", "text_en"]


@admin.register(GoalArea)
class GoalAreaAdmin(TenantAdmin):
    list_display = ["number", "title", "municipality"]


@admin.register(Measure)
class MeasureAdmin(TenantAdmin):
    list_display = ["number", "title", "goal_area"]
    list_filter = ["goal_area", "responsible"]
    search_fields = ["title", "description"]


@admin.register(Goal)
class GoalAdmin(TenantAdmin):
    list_display = ["number", "text", "municipality"]


@admin.register(Initiative)
class InitiativeAdmin(TenantAdmin):
    list_display = ["number", "title", "municipality"]
    search_fields = ["title", "details"]


@admin.register(FollowUpItem)
class FollowUpItemAdmin(TenantAdmin):
    list_display = ["number", "text", "municipality"]


@admin.register(PreventionCorps)
class PreventionCorpsAdmin(TenantAdmin):
    list_display = ["name", "orientation"]


@admin.register(RiskFactor)
class RiskFactorAdmin(TenantAdmin):
    list_display = ["code", "text_nb", "order"]


@admin.register(Definition)
class DefinitionAdmin(TenantAdmin):
    list_display = ["term", "source"]


@admin.register(MeetingKind)
class MeetingKindAdmin(TenantAdmin):
    list_display = ["name_nb", "name_da", "municipality", "category", "measure", "initiative"]
    list_filter = ["municipality", "category", "is_active"]
    search_fields = ["code", "name_nb", "name_da", "name_en"]
