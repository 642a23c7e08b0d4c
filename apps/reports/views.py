from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role
from apps.mobility.selectors import with_visible_grant
from apps.reports import selectors
from apps.reports.filters import MobilityFilter, ProjectFilter

PAGE_SIZE = 50


@agency_required()
def project_list(request):
    filterset = ProjectFilter(request.GET, queryset=selectors.projects_for_agency(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/projects.html", {"filter": filterset, "page": page})


@agency_required()
def mobility_list(request):
    filterset = MobilityFilter(
        request.GET, queryset=selectors.mobilities_for_agency(user=request.user), user=request.user
    )
    # Finance may not know who has fewer opportunities: their totals leave out inclusion support.
    rows = with_visible_grant(
        selectors.mobility_list_rows(filterset.qs),
        hide_inclusion_support=not has_agency_role(request.user, AgencyRole.OFFICER),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/mobilities.html", {"filter": filterset, "page": page})


@agency_required()
def progress(request):
    return render(request, "reports/progress.html", {"programmes": selectors.programme_progress(user=request.user)})


@agency_required()
def mobility_export(request, fmt: str):
    """The agency's mobility list, with the list's filters, as CSV or XLSX (docs/mobility-columns.md).

    The fewer-opportunities column is filled only for administrators and officers, and logged."""
    from apps.mobility import transfer
    from apps.mobility.views import export_response
    from apps.reports.selectors import may_filter_by_fewer_opportunities

    filterset = MobilityFilter(
        request.GET, queryset=selectors.mobilities_for_agency(user=request.user), user=request.user
    )
    mobilities = list(transfer.export_queryset(filterset.qs))
    allowed = may_filter_by_fewer_opportunities(request.user)
    if allowed:
        transfer.log_special_category_export(mobilities, by=request.user, context="agency mobility export")
    return export_response(transfer.export_rows(mobilities, special_category=allowed), fmt=fmt, filename="mobilities")
