from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.decorators import agency_required
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
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/mobilities.html", {"filter": filterset, "page": page})


@agency_required()
def progress(request):
    return render(request, "reports/progress.html", {"programmes": selectors.programme_progress(user=request.user)})
