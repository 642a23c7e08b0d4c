from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.passport.models import ChecklistItem, ProjectItem, TemplateItem


@admin.register(TemplateItem)
class TemplateItemAdmin(SimpleHistoryAdmin):
    """The template's history (who changed which item, and how) is read here; edits go through the agency's
    pages, which also order the items."""

    list_display = ["name", "name_pl", "section", "phase", "ticker", "position", "active"]
    list_filter = ["active", "phase", "section"]


class ItemHistoryAdmin(admin.ModelAdmin):
    """Who added, ticked and deleted the items organisations add (and their copies), and when: read only."""

    list_display = ["history_date", "history_type", "history_user", "name"]
    list_filter = ["history_type"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChecklistItem.history.model)
class ChecklistItemHistoryAdmin(ItemHistoryAdmin):
    list_display = [*ItemHistoryAdmin.list_display, "checklist", "from_organisation", "done"]
    search_fields = ["name", "checklist__mobility__id"]


@admin.register(ProjectItem.history.model)
class ProjectItemHistoryAdmin(ItemHistoryAdmin):
    list_display = [*ItemHistoryAdmin.list_display, "project"]
    search_fields = ["name", "project__agreement_number"]
