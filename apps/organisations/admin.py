from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.organisations.models import Invitation, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["oid", "legal_name", "kind", "country", "region", "city"]
    list_filter = ["kind", "country", "region"]
    search_fields = ["oid", "legal_name", "short_name", "city"]
    list_select_related = ["region"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["organisation"]
    exclude = ["token_hash"]
