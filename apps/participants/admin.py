from django.contrib import admin

from apps.participants.models import Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "category", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["last_name", "email"]
    autocomplete_fields = ["user"]
