from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from measures.models import Phenomenon, Sign, SignCategory


@admin.register(Phenomenon)
class PhenomenonAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]


@admin.register(SignCategory)
class SignCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nb", "name_da", "order"]


@admin.register(Sign)
class SignAdmin(SimpleHistoryAdmin):
    list_display = ["code", "category", "text_nb", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "text_nb", "text_da", "text_en"]
