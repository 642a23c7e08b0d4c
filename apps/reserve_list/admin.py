from django.contrib import admin

from apps.reserve_list.models import Call, Programme


class CallInline(admin.TabularInline):
    model = Call
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "sending_country", "target_learners", "target_staff", "starts_on", "ends_on"]
    inlines = [CallInline]
