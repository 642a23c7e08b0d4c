from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.passport.models import TemplateItem


@admin.register(TemplateItem)
class TemplateItemAdmin(SimpleHistoryAdmin):
    """The template's history (who changed which item, and how) is read here; edits go through the agency's
    pages, which also order the items."""

    list_display = ["name", "name_pl", "section", "phase", "ticker", "position", "active"]
    list_filter = ["active", "phase", "section"]
