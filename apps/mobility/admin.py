from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.mobility.models import Mobility, Project

# The agency's mobility list (apps.reports.views.PAGE_SIZE): the changelist shows as many rows per page, so that
# bench/bench_mobility_list.py compares like with like.
MOBILITY_PAGE_SIZE = 50


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["agreement_number", "application", "signed_on", "start_date", "end_date", "awarded_grant", "status"]
    list_select_related = ["application"]
    list_filter = ["status"]
    search_fields = ["agreement_number", "application__number"]


@admin.register(Mobility)
class MobilityAdmin(admin.ModelAdmin):
    """Mobilities for superusers: the columns and filters of the agency's list (/agency/mobilities/), read-only.

    Every write of a mobility goes through ``apps.mobility.mobilities`` (history, eligibility, grant): the admin
    only lists and shows them.
    """

    list_display = ["participant_name", "organisation", "activity_type", "destination", "start_date", "end_date"]
    list_display += ["status", "grant_total"]
    list_select_related = ["participant", "project__application__organisation", "activity_type", "host"]
    list_filter = [
        "project__application__call",
        "project__application__organisation__region",
        "activity_type",
        "status",
    ]
    list_per_page = MOBILITY_PAGE_SIZE

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("participant"), ordering="participant__last_name")
    def participant_name(self, mobility):
        return f"{mobility.participant.first_name} {mobility.participant.last_name}"

    @admin.display(description=_("organisation"))
    def organisation(self, mobility):
        return f"{mobility.project.application.organisation.legal_name} ({mobility.project.agreement_number})"

    @admin.display(description=_("destination"))
    def destination(self, mobility):
        return f"{mobility.destination_country} · {mobility.host.legal_name}"
