from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from measures.models import (
    ActionCard,
    ActionCardStep,
    Definition,
    FollowUpItem,
    Goal,
    GoalArea,
    Initiative,
    Measure,
    Phenomenon,
    PreventionCorps,
    RiskFactor,
    Sign,
    SignCategory,
)


@admin.register(Phenomenon)
class PhenomenonAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]
    search_fields = ["code", "name_nb", "name_da", "name_en"]


@admin.register(SignCategory)
class SignCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]


@admin.register(Sign)
class SignAdmin(SimpleHistoryAdmin):
    list_display = ["code", "category", "text_nb", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "text_nb", "text_da", "text_en"]


class ActionCardStepInline(admin.TabularInline):
    model = ActionCardStep
    extra = 0
    ordering = ["order"]


@admin.register(ActionCard)
class ActionCardAdmin(SimpleHistoryAdmin):
    list_display = ["code", "situation", "age_band", "title_da"]
    list_filter = ["situation", "age_band"]
    inlines = [ActionCardStepInline]


@admin.register(ActionCardStep)
class ActionCardStepAdmin(SimpleHistoryAdmin):
    list_display = ["card", "order", "responsible", "due_within_hours"]
    list_filter = ["card", "responsible"]
    search_fields = ["text_nb", "text_da", "text_en"]


@admin.register(GoalArea)
class GoalAreaAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "municipality"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "goal_area"]
    list_filter = ["goal_area", "responsible"]
    search_fields = ["title", "description"]
    filter_horizontal = ["responsible"]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["number", "text", "municipality"]


@admin.register(Initiative)
class InitiativeAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "municipality"]
    search_fields = ["title", "details"]


@admin.register(FollowUpItem)
class FollowUpItemAdmin(SimpleHistoryAdmin):
    list_display = ["number", "text", "municipality"]


@admin.register(PreventionCorps)
class PreventionCorpsAdmin(SimpleHistoryAdmin):
    list_display = ["name", "orientation"]


@admin.register(RiskFactor)
class RiskFactorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "text_nb", "order"]


@admin.register(Definition)
class DefinitionAdmin(SimpleHistoryAdmin):
    list_display = ["term", "source"]
