from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role
from apps.mobility import quote, selectors, services
from apps.mobility.forms import AgreementForm, GrantCalculatorForm, WithdrawForm
from apps.mobility.models import ProjectStatus
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
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    can_withdraw = project.status != ProjectStatus.WITHDRAWN and has_agency_role(
        request.user, AgencyRole.OFFICER, AgencyRole.FINANCE
    )
    return render(request, "mobility/project.html", {"project": project, "can_withdraw": can_withdraw})


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
