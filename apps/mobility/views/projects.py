"""Projects: recording the grant agreement, the project page, withdrawal and the project's export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role
from apps.mobility import mobilities, selectors, services, visit_selectors, visits
from apps.mobility.eligibility import MAX_PARTICIPANTS_PER_PROJECT
from apps.mobility.forms import AgreementForm, WithdrawForm
from apps.mobility.models import ProjectStatus
from apps.mobility.views.access import _can_manage, _can_record, _may_see_fewer_opportunities, _require_member_or_agency
from apps.reserve_list.selectors import get_offer_for_user
from apps.reserve_list.services import ReserveListError


@agency_required(AgencyRole.FINANCE)
@require_http_methods(["GET", "POST"])
def agreement(request, pk: int):
    offer = get_offer_for_user(user=request.user, pk=pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create_from_agreement(offer=offer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Grant agreement recorded: the project is contracted."))
            return redirect("mobility:project", pk=project.pk)
    return render(request, "mobility/agreement.html", {"offer": offer, "form": form})


@login_required
def project_detail(request, pk: int):
    _require_member_or_agency(request.user)
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    can_withdraw = project.status != ProjectStatus.WITHDRAWN and has_agency_role(
        request.user, AgencyRole.OFFICER, AgencyRole.FINANCE
    )
    context = {
        "project": project,
        "can_withdraw": can_withdraw,
        "participant_count": selectors.project_participant_count(project=project),
        "participant_cap": MAX_PARTICIPANTS_PER_PROJECT,
        "budget": selectors.project_budget(project=project),
        "mobilities": selectors.with_visible_grant(
            selectors.mobilities_for_user(user=request.user).filter(project=project),
            hide_inclusion_support=not _may_see_fewer_opportunities(request.user, project),
        ),
        "fewer_opportunities_hidden": not _may_see_fewer_opportunities(request.user, project),
        "can_add_mobility": project.status in mobilities.ACTIVE_PROJECT and _can_record(request.user, project),
        "can_manage": project.status in mobilities.ACTIVE_PROJECT and _can_manage(request.user, project),
        "visits": [
            (visit, visits.preparatory_visit_explanation(visit))
            for visit in visit_selectors.preparatory_visits_of(project=project)
        ],
    }
    return render(request, "mobility/project.html", context)


@agency_required(AgencyRole.OFFICER, AgencyRole.FINANCE)
@require_http_methods(["GET", "POST"])
def project_withdraw(request, pk: int):
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_withdraw(project=project, by=request.user, **form.cleaned_data)
        except ReserveListError as exc:
            form.add_error("retained_amount", str(exc))
        else:
            messages.success(request, _("The project is withdrawn and its unspent money is back in the call."))
            return redirect("mobility:project", pk=project.pk)
    return render(request, "mobility/withdraw.html", {"project": project, "form": form})


# --- Export (docs/mobility-columns.md) ------------------------------------------------------------------------------


def export_response(rows: list[dict], *, fmt: str, filename: str):
    """The rows as a CSV or XLSX download (``transfer.EXPORT_COLUMNS``)."""
    from django.http import HttpResponse

    from apps.mobility import transfer

    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = transfer.write_xlsx(rows)
    else:
        content_type, body = "text/csv; charset=utf-8", transfer.write_csv(rows)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET"])
def project_export(request, pk: int, fmt: str):
    """The project's participants and mobilities (column set version 1): its organisation's members and the agency.

    The fewer-opportunities column is filled only for those who may see special-category data, and logged."""
    from apps.mobility import transfer
    from apps.participants.selectors import can_see_special_category

    _require_member_or_agency(request.user)
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    mobilities = list(transfer.project_export_queryset(project))
    allowed, _reason = can_see_special_category(user=request.user, organisation=project.application.organisation)
    if allowed:
        transfer.log_special_category_export(mobilities, by=request.user, context=f"project export {project}")
    rows = transfer.export_rows(mobilities, special_category=allowed)
    return export_response(rows, fmt=fmt, filename=f"mobilities-{project.agreement_number}")
