from django.contrib import admin

from apps.outcomes.models import LevelDescriptor


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(admin.ModelAdmin):
    """The scale's one-line descriptors are reference data: administrators correct their wording here. Levels
    are fixed (1 to 5): they can be neither added nor removed."""

    list_display = ["level", "text", "text_pl"]
    readonly_fields = ["level"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
