from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.accounts.roles import has_agency_role, is_agency
from apps.organisations.selectors import is_manager, is_organisation_member
from apps.reserve_list import imports, selectors, services
from apps.reserve_list.forms import EnvelopeForm, ImportUploadForm, ReasonForm, RoundForm
from apps.reserve_list.models import ImportStatus, OfferStatus, ReserveListImport

RANKING_PAGE_SIZE = 100


@agency_required()
def overview(request):
    return render(request, "reserve_list/overview.html", {"overviews": selectors.calls_overview(user=request.user)})


@agency_required()
def ranking(request, year: int):
    call = selectors.get_call_for_agency(user=request.user, year=year)
    overview = selectors.call_overview(user=request.user, call=call)
    rows = selectors.ranking(call=call, free=overview.free)
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reserve_list/ranking.html", {"call": call, "overview": overview, "page": page})


@agency_required(AgencyRole.FINANCE)
@require_http_methods(["GET", "POST"])
def envelope(request, year: int):
    call = selectors.get_call_for_agency(user=request.user, year=year)
    form = EnvelopeForm(request.POST or None, initial={"new_envelope": call.envelope})
    if request.method == "POST" and form.is_valid():
        try:
            services.call_change_envelope(call=call, by=request.user, **form.cleaned_data)
        except services.ReserveListError as exc:
            form.add_error("new_envelope", str(exc))
        else:
            messages.success(
                request,
                _("The envelope of call %(year)s is now %(amount)s EUR.")
                % {"year": year, "amount": form.cleaned_data["new_envelope"]},
            )
            return redirect("reserve_list:overview")
    changes = call.envelope_changes.select_related("changed_by")
    return render(request, "reserve_list/envelope.html", {"call": call, "form": form, "changes": changes})


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def funding_round(request, year: int):
    """GET with parameters shows the what-if; POST commits the same parameters."""
    call = selectors.get_call_for_agency(user=request.user, year=year)
    overview = selectors.call_overview(user=request.user, call=call)
    data = request.POST if request.method == "POST" else (request.GET if "amount" in request.GET else None)
    form = RoundForm(data, initial={"amount": overview.free})
    plan, params = None, {}
    if form.is_valid():
        params = {k: form.cleaned_data[k] for k in ("amount", "policy", "min_share")}
        if request.method == "POST":
            try:
                funding_round = services.round_commit(
                    call=call, by=request.user, response_days=form.cleaned_data["response_days"], **params
                )
            except services.ReserveListError as exc:
                form.add_error("amount", str(exc))
            else:
                n = funding_round.offers.count()
                messages.success(
                    request,
                    ngettext("Round committed: %(n)s offer sent.", "Round committed: %(n)s offers sent.", n) % {"n": n},
                )
                return redirect("reserve_list:ranking", year=year)
        plan = services.round_simulate(call=call, **params)
    context = {
        "call": call,
        "overview": overview,
        "form": form,
        "plan": plan,
        "exceeds_free": plan is not None and params["amount"] > overview.free,
    }
    return render(request, "reserve_list/round.html", context)


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = imports.import_upload_store(fileobj=upload, filename=upload.name, by=request.user)
        return redirect("reserve_list:import_preview", pk=record.pk)
    recent = ReserveListImport.objects.select_related("uploaded_by")[:10]
    return render(request, "reserve_list/import_upload.html", {"form": form, "recent": recent})


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def import_preview(request, pk: int):
    record = get_object_or_404(ReserveListImport, pk=pk)
    if request.method == "POST" and record.status == ImportStatus.PREVIEWED:
        try:
            result = imports.import_upload_apply(record=record, by=request.user)
        except imports.ImportErrors:
            messages.error(request, _("The file has errors: nothing was saved."))
        else:
            messages.success(
                request,
                _("Import applied: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % result.counts(),
            )
            return redirect("reserve_list:overview")
    parsed, plan = imports.import_upload_preview(record=record)
    return render(request, "reserve_list/import_preview.html", {"record": record, "parsed": parsed, "plan": plan})


@login_required
def my_applications(request):
    if not (is_agency(request.user) or is_organisation_member(request.user)):
        raise PermissionDenied
    applications = (
        selectors.with_rank(selectors.applications_for_user(user=request.user))
        .prefetch_related("offers")
        .order_by("-call__year", "rank")
    )
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    return render(request, "reserve_list/my_applications.html", {"page": page})


@login_required
def application_detail(request, pk: int):
    application = selectors.get_application_for_user(user=request.user, pk=pk)
    context = {
        "application": application,
        "offers": application.offers.select_related("funding_round"),
        "history": selectors.application_history(application=application),
        "field_changes": selectors.application_field_changes(application=application),
        "can_reinstate": has_agency_role(request.user, AgencyRole.OFFICER)
        and application.status in services.APPLICATION_TRANSITIONS
        and "reserve" in services.APPLICATION_TRANSITIONS[application.status],
        "reinstate_form": ReasonForm(),
    }
    return render(request, "reserve_list/application.html", context)


@agency_required(AgencyRole.OFFICER)
@require_POST
def application_reinstate(request, pk: int):
    application = selectors.get_application_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the decision."))
    else:
        try:
            services.application_reinstate(application=application, by=request.user, **form.cleaned_data)
        except services.ReserveListError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The application is back on the reserve list."))
    return redirect("reserve_list:application", pk=pk)


def _offer_context(request, offer, decline_form=None):
    can_answer = offer.status == OfferStatus.OPEN and is_manager(
        user=request.user, organisation=offer.application.organisation
    )
    return {
        "offer": offer,
        "can_answer": can_answer,
        "decline_form": decline_form or ReasonForm(),
        "can_record_agreement": has_agency_role(request.user, AgencyRole.FINANCE)
        and offer.status == OfferStatus.ACCEPTED
        and offer.application.status == "accepted",
    }


@login_required
def offer_detail(request, pk: int):
    offer = selectors.get_offer_for_user(user=request.user, pk=pk)
    return render(request, "reserve_list/offer.html", _offer_context(request, offer))


def _answerable_offer(request, pk):
    offer = selectors.get_offer_for_user(user=request.user, pk=pk)
    if is_agency(request.user) or not is_manager(user=request.user, organisation=offer.application.organisation):
        raise PermissionDenied
    return offer


@login_required
@require_POST
def offer_accept(request, pk: int):
    offer = _answerable_offer(request, pk)
    try:
        services.offer_accept(offer=offer, by=request.user)
    except services.ReserveListError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You accepted the offer. The agency will prepare the grant agreement."))
    return redirect("reserve_list:offer", pk=pk)


@login_required
@require_POST
def offer_decline(request, pk: int):
    offer = _answerable_offer(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.offer_decline(offer=offer, by=request.user, **form.cleaned_data)
        except services.ReserveListError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("You declined the offer."))
            return redirect("reserve_list:offer", pk=pk)
    return render(request, "reserve_list/offer.html", _offer_context(request, offer, form), status=400)
