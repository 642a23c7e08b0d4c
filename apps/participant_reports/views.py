from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.decorators import agency_required
from apps.accounts.roles import is_agency
from apps.core.pdf import render_pdf
from apps.mobility.selectors import get_project_for_user
from apps.organisations.selectors import is_organisation_member
from apps.participant_reports import rules, selectors, services
from apps.participant_reports.filters import AgencyReportFilter, ProjectReportFilter
from apps.participant_reports.forms import ReportForm

PAGE_SIZE = 50

# --- The participant's own report ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def own_report(request, pk: int):
    mobility, report = selectors.own_mobility_and_report(user=request.user, pk=pk)
    if report is None:
        # The /me/ pages link here from the start: say when the report will be asked for.
        if request.method == "POST":
            return redirect("participant_reports:own", pk=pk)
        return render(request, "participant_reports/own_pending.html", {"mobility": mobility})
    if not report.is_open:
        if request.method == "POST":
            messages.info(request, _("Your report is already submitted; it can no longer be changed."))
            return redirect("participant_reports:own", pk=pk)
        context = {"report": report, "mobility": report.mobility, "answers": selectors.answers_of(report)}
        return render(request, "participant_reports/own_submitted.html", context)
    form = ReportForm(request.POST or None, statements=services.statements_for(report))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(report=report, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except services.ReportError as exc:
            messages.error(request, str(exc))
            return redirect("participant_reports:own", pk=pk)
        else:
            messages.success(request, _("Thank you: your participant report is submitted."))
            return redirect("participant_reports:own", pk=pk)
    return render(
        request, "participant_reports/own_form.html", {"report": report, "mobility": report.mobility, "form": form}
    )


@login_required
@require_GET
def own_report_pdf(request, pk: int):
    report = selectors.get_own_report(user=request.user, pk=pk)
    if report.is_open:
        raise Http404
    context = {"report": report, "mobility": report.mobility, "answers": selectors.answers_of(report)}
    response = HttpResponse(render_pdf("participant_reports/report_pdf.html", context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="participant-report-{report.mobility_id}.pdf"'
    return response


# --- The sending organisation's and the agency's pages ------------------------------------------------------


def _require_member_or_agency(user) -> None:
    """Like the mobility pages: the organisations' members and the agency (participants: 403)."""
    if not (is_agency(user) or is_organisation_member(user)):
        raise PermissionDenied


@login_required
@require_GET
def project_reports(request, pk: int):
    _require_member_or_agency(request.user)
    project = get_project_for_user(user=request.user, pk=pk)
    filterset = ProjectReportFilter(
        request.GET, queryset=selectors.project_report_rows(user=request.user, project=project)
    )
    context = {
        "project": project,
        "filter": filterset,
        "rows": filterset.qs,
        "counts": selectors.project_report_counts(project=project),
        "due_days": rules.DUE_AFTER.days,
    }
    return render(request, "participant_reports/project.html", context)


@agency_required()
@require_GET
def agency_reports(request):
    filterset = AgencyReportFilter(request.GET, queryset=selectors.reports_for_user(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participant_reports/agency.html", {"filter": filterset, "page": page})


@login_required
@require_GET
def report_detail(request, pk: int):
    _require_member_or_agency(request.user)
    report = selectors.get_report_for_user(user=request.user, mobility_pk=pk)
    context = {
        "report": report,
        "mobility": report.mobility,
        "answers": selectors.answers_of(report) if not report.is_open else [],
        "history": selectors.history_of(report),
    }
    return render(request, "participant_reports/detail.html", context)
