from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role, is_agency
from apps.mobility import mobilities, quote, selectors, services
from apps.mobility import rate_changes as rate_changes_service
from apps.mobility.eligibility import MAX_PARTICIPANTS_PER_PROJECT
from apps.mobility.forms import AgreementForm, GrantCalculatorForm, MobilityForm, MobilityStatusForm, WithdrawForm
from apps.mobility.models import MobilityStatus, ProjectStatus
from apps.organisations.selectors import is_member, is_organisation_member
from apps.participants.selectors import can_see_special_category
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


def _require_member_or_agency(user) -> None:
    """Projects and mobilities are the sending organisation's and the agency's (participants: 403)."""
    if not (is_agency(user) or is_organisation_member(user)):
        raise PermissionDenied


def _can_record(user, project) -> bool:
    """Members of the sending organisation (managers and contributors) record and change its mobilities."""
    return is_member(user=user, organisation=project.application.organisation)


def _can_change_status(user, project) -> bool:
    return _can_record(user, project) or has_agency_role(user, AgencyRole.OFFICER)


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
    }
    return render(request, "mobility/project.html", context)


# --- Mobilities -----------------------------------------------------------------------------------------------------


def _save_mobility(request, form: MobilityForm, *, project, mobility=None):
    """Record the form's mobility; return it and its violations, or (None, None) with the errors on the form."""
    try:
        if mobility is None:
            return mobilities.mobility_create(project=project, by=request.user, **form.service_data())
        return mobilities.mobility_update(mobility=mobility, by=request.user, **form.service_data())
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return None, None


@login_required
@require_http_methods(["GET", "POST"])
def mobility_create(request, pk: int):
    _require_member_or_agency(request.user)
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    if not _can_record(request.user, project):
        raise PermissionDenied
    return _mobility_form(request, project=project)


@login_required
@require_http_methods(["GET", "POST"])
def mobility_edit(request, pk: int):
    _require_member_or_agency(request.user)
    mobility = selectors.get_mobility_for_user(user=request.user, pk=pk)
    if not _can_record(request.user, mobility.project):
        raise PermissionDenied
    return _mobility_form(request, project=mobility.project, mobility=mobility)


def _mobility_form(request, *, project, mobility=None):
    form = MobilityForm(request.POST or None, project=project, mobility=mobility)
    saved_as_draft = False
    if request.method == "POST" and form.is_valid():
        saved, violations = _save_mobility(request, form, project=project, mobility=mobility)
        if saved is not None and not violations:
            messages.success(request, _("The mobility is saved."))
            return redirect("mobility:mobility", pk=saved.pk)
        if saved is not None:
            # Saved, but it breaks a rule: it stays in draft and the form shows why, field by field.
            mobility, saved_as_draft = saved, True
            form.add_service_errors(mobilities.as_validation_error(violations).message_dict)
    context = {"project": project, "mobility": mobility, "form": form, "saved_as_draft": saved_as_draft}
    return render(request, "mobility/mobility_form.html", context)


@login_required
def mobility_detail(request, pk: int):
    _require_member_or_agency(request.user)
    mobility = selectors.get_mobility_for_user(user=request.user, pk=pk)
    return render(request, "mobility/mobility.html", _mobility_context(request, mobility))


def _may_see_fewer_opportunities(user, project) -> bool:
    return can_see_special_category(user=user, organisation=project.application.organisation)[0]


def _mobility_context(request, mobility, **extra) -> dict:
    project = mobility.project
    can_change_status = _can_change_status(request.user, project)
    # The inclusion-support line would tell who has fewer opportunities: only those who may know see it.
    may_see = _may_see_fewer_opportunities(request.user, project)
    lines = [_labelled(line) for line in mobility.grant_lines.all()]
    hidden = [] if may_see else [line for line in lines if line.item == "inclusion_support"]
    next_statuses = sorted(mobilities.MOBILITY_TRANSITIONS[mobility.status], key=MobilityStatus.values.index)
    return {
        "mobility": mobility,
        "project": project,
        "lines": [line for line in lines if line not in hidden],
        "visible_total": mobility.grant_total - sum((line.amount for line in hidden), Decimal("0.00")),
        "fewer_opportunities_hidden": not may_see,
        "history": mobility.status_changes.select_related("changed_by"),
        "can_edit": _can_record(request.user, project)
        and project.status in mobilities.ACTIVE_PROJECT
        and mobility.status in mobilities.EDITABLE,
        "next_statuses": [(status, MobilityStatus(status).label) for status in next_statuses]
        if can_change_status
        else [],
        "violations": None,
        **extra,
    }


def _labelled(line):
    line.label = quote.ITEM_LABELS.get(line.item, line.item)
    return line


@login_required
@require_http_methods(["POST"])
def mobility_status(request, pk: int):
    _require_member_or_agency(request.user)
    mobility = selectors.get_mobility_for_user(user=request.user, pk=pk)
    if not _can_change_status(request.user, mobility.project):
        raise PermissionDenied
    form = MobilityStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status."))
        return redirect("mobility:mobility", pk=mobility.pk)
    try:
        mobilities.mobility_set_status(mobility=mobility, by=request.user, **form.cleaned_data)
    except mobilities.NotEligible as exc:
        violations = [violation for found in exc.violations.values() for violation in found]
        messages.error(request, _("The status is not changed: the mobility breaks a rule."))
        mobility.refresh_from_db()
        return render(request, "mobility/mobility.html", _mobility_context(request, mobility, violations=violations))
    except mobilities.MobilityError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The mobility is now %(status)s.") % {"status": MobilityStatus(mobility.status).label}
        )
    return redirect("mobility:mobility", pk=mobility.pk)


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


# --- The public grant calculator ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def grant_calculator(request):
    """Public: what one mobility would get (the same service as ``POST /api/v1/grant-quote``)."""
    form = GrantCalculatorForm(request.POST if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = quote.grant_quote(form.quote_data())
        except quote.QuoteInputError as exc:
            for error in exc.errors:
                form.add_quote_error(error)
        else:
            for error in result["errors"]:
                form.add_quote_error(error)
            for line in result["lines"]:
                line["label"] = quote.ITEM_LABELS[line["item"]]
    return render(request, "mobility/calculator.html", {"form": form, "quote": result})


# --- Rate changes (agency administrators confirm them) ------------------------------------------------------------


@agency_required(AgencyRole.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def rate_changes(request):
    """The mobilities whose stored grant differs from the current rates; the administrator applies the new
    rates to the ones selected (nothing changes without that confirmation)."""
    call_year = _call_year_filter(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        ids = [value for value in request.POST.getlist("mobility") if value.isdigit()]
        count = rate_changes_service.apply_rate_changes(mobility_ids=ids, by=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "The new rates are applied to %(count)d mobility.",
                    "The new rates are applied to %(count)d mobilities.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("No selected mobility differs from the current rates: nothing changed."))
        target = reverse("mobility:rate_changes")
        return redirect(f"{target}?call_year={call_year}" if call_year else target)
    rows = rate_changes_service.pending_rate_changes(call_year=call_year)
    return render(
        request,
        "mobility/rate_changes.html",
        {"rows": rows, "call_year": call_year, "call_years": rate_changes_service.grant_call_years()},
    )


def _call_year_filter(data) -> int | None:
    value = (data.get("call_year") or "").strip()
    return int(value) if value.isdigit() else None


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
    from apps.mobility.models import Mobility
    from apps.participants.selectors import can_see_special_category

    _require_member_or_agency(request.user)
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    mobilities = list(transfer.export_queryset(Mobility.objects.filter(project=project).order_by("start_date", "pk")))
    allowed, _reason = can_see_special_category(user=request.user, organisation=project.application.organisation)
    if allowed:
        transfer.log_special_category_export(mobilities, by=request.user, context=f"project export {project}")
    rows = transfer.export_rows(mobilities, special_category=allowed)
    return export_response(rows, fmt=fmt, filename=f"mobilities-{project.agreement_number}")
