from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.services import user_set_agency_role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "agency_role", "is_active", "last_login"]
    list_filter = ["agency_role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Agency"), {"fields": ["agency_role", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "agency_role"]})]

    def save_model(self, request, obj, form, change):
        # Admin rights follow the agency role; the service keeps is_staff/is_superuser in step.
        super().save_model(request, obj, form, change)
        user_set_agency_role(user=obj, role=obj.agency_role)
