from django.contrib import admin

from apps.participants.models import Participant, PersonalDataAccess

# SpecialCategoryData is deliberately not registered: the admin would show it without logging the
# view. It is read and written only through the participants' pages and services.


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "category", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["last_name", "email"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        # Mobilities and statistics keep the row: personal data is erased (anonymised) from the participant's page.
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log, read-only: an audit trail nobody may edit."""

    list_display = ["at", "user", "action", "participant", "context"]
    list_filter = ["action"]
    list_select_related = ["user", "participant"]
    search_fields = ["user__email", "participant__last_name", "context"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
