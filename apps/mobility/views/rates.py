"""The public grant calculator, and the rate changes agency administrators confirm."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.mobility import quote
from apps.mobility import rate_changes as rate_changes_service
from apps.mobility.forms import GrantCalculatorForm

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
