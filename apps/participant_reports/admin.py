from django.contrib import admin

from apps.participant_reports.models import ParticipantReport


@admin.register(ParticipantReport)
class ParticipantReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through their services."""

    list_display = ("mobility", "status", "due_date", "submitted_at", "reminders_sent")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
