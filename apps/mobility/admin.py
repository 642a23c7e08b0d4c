from django.contrib import admin

from apps.mobility.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["agreement_number", "application", "signed_on", "start_date", "end_date", "awarded_grant", "status"]
    list_select_related = ["application"]
    list_filter = ["status"]
    search_fields = ["agreement_number", "application__number"]
