"""The passport's pages: the participant's, the sending organisation's, and the agency's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.mobility.selectors import get_project_for_user, mobilities_for_user
from apps.passport import completion, selectors, services
from apps.passport.forms import (
    ChecklistItemForm,
    CompletionFilter,
    ExtraSupportForm,
    ItemDeleteForm,
    MoveForm,
    TemplateItemForm,
    TickForm,
)
from apps.passport.models import Side

PAGE_SIZE = 50


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _passport_context(request, mobility, *, side: str, context: str) -> dict:
    checklist = services.checklist_ensure(mobility=mobility)
    return {
        "mobility": mobility,
        "has_passport": checklist is not None,
        "items": selectors.checklist_items(checklist=checklist),
        "side": side,
        "can_tick": selectors.can_tick(user=request.user, mobility=mobility, side=side)[0],
        "extra_support": selectors.extra_support_for(user=request.user, mobility=mobility, context=context),
    }


# --- The participant ------------------------------------------------------------------------------


@login_required
def participant_passport(request, pk: int):
    mobility = selectors.get_own_passport_mobility(user=request.user, pk=pk)
    context = _passport_context(request, mobility, side=Side.PARTICIPANT, context="passport (participant)")
    return render(request, "passport/participant.html", context)


@login_required
@require_POST
def participant_tick(request, pk: int, item: int):
    mobility = selectors.get_own_passport_mobility(user=request.user, pk=pk)
    return _tick(request, mobility, item, side=Side.PARTICIPANT, back="passport:participant")


def _tick(request, mobility, item_pk: int, *, side: str, back: str):
    item = selectors.get_item(mobility=mobility, pk=item_pk)
    form = TickForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    error = None
    try:
        item = services.item_tick(item=item, by=request.user, side=side, ticked=form.cleaned_data["ticked"])
    except services.PassportError as exc:
        error = str(exc)
    if request.headers.get("HX-Request"):
        item = selectors.get_item(mobility=mobility, pk=item.pk)
        can_add_items = side == Side.ORGANISATION and selectors.can_add_items(user=request.user, mobility=mobility)[0]
        context = {
            "mobility": mobility,
            "item": item,
            "side": side,
            "can_tick": True,
            "can_add_items": can_add_items,
            "error": error,
        }
        return render(request, "passport/_item.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse(back, kwargs={"pk": mobility.pk}) + f"#item-{item.pk}")


# --- The sending organisation ---------------------------------------------------------------------


@login_required
def mobility_passport(request, pk: int):
    mobility = selectors.get_mobility_for_organisation(user=request.user, pk=pk)
    context = _passport_context(request, mobility, side=Side.ORGANISATION, context="passport (organisation)")
    checklist = selectors.checklist_of(mobility=mobility) if context["has_passport"] else None
    context.update(
        can_add_items=selectors.can_add_items(user=request.user, mobility=mobility)[0],
        can_change_support=selectors.can_change_extra_support(user=request.user, mobility=mobility)[0],
        ticks=selectors.tick_history(checklist=checklist),
    )
    return render(request, "passport/mobility.html", context)


@login_required
@require_POST
def organisation_tick(request, pk: int, item: int):
    mobility = selectors.get_mobility_for_organisation(user=request.user, pk=pk)
    return _tick(request, mobility, item, side=Side.ORGANISATION, back="passport:mobility")


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, pk: int):
    mobility = selectors.get_mobility_for_organisation(user=request.user, pk=pk)
    allowed, reason = selectors.can_add_items(user=request.user, mobility=mobility)
    if not allowed:
        raise PermissionDenied(reason)
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        whole_project = data.pop("whole_project")
        try:
            services.checklist_item_add(mobility=mobility, by=request.user, whole_project=whole_project, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The item is added to the passport."))
            return redirect("passport:mobility", pk=mobility.pk)
    return render(request, "passport/item_form.html", {"mobility": mobility, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int, item: int):
    """Confirm, then delete an item the organisation added (from this mobility, or from the whole project)."""
    mobility = selectors.get_mobility_for_organisation(user=request.user, pk=pk)
    item = selectors.get_item(mobility=mobility, pk=item)
    allowed, reason = selectors.can_delete_item(user=request.user, mobility=mobility, item=item)
    if not allowed:
        raise PermissionDenied(reason)
    # A confirmation may post nothing but its token: bind the form on any POST.
    data = request.POST if request.method == "POST" else None
    form = ItemDeleteForm(data, project_item=item.project_item_id is not None)
    if request.method == "POST" and form.is_valid():
        whole_project = form.cleaned_data.get("whole_project", False)
        deleted = services.checklist_item_delete(item=item, by=request.user, whole_project=whole_project)
        if whole_project:
            messages.success(
                request,
                ngettext(
                    "The item is deleted from the project (%(count)d mobility).",
                    "The item is deleted from the project (%(count)d mobilities).",
                    deleted,
                )
                % {"count": deleted},
            )
        else:
            messages.success(request, _("The item is deleted from this passport."))
        return redirect("passport:mobility", pk=mobility.pk)
    context = {
        "mobility": mobility,
        "item": item,
        "form": form,
        "copies": selectors.project_item_copies(item=item),
    }
    return render(request, "passport/item_delete.html", context)


def _support_mobility(request, pk: int):
    mobility = selectors.get_mobility_for_organisation(user=request.user, pk=pk)
    allowed, reason = selectors.can_change_extra_support(user=request.user, mobility=mobility)
    if not allowed:
        raise PermissionDenied(reason)
    return mobility


@login_required
@require_http_methods(["GET", "POST"])
def support_add(request, pk: int):
    mobility = _support_mobility(request, pk)
    form = ExtraSupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extra_support_create(mobility=mobility, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The extra support is recorded."))
            return redirect("passport:mobility", pk=mobility.pk)
    return render(request, "passport/support_form.html", {"mobility": mobility, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def support_edit(request, pk: int, support: int):
    mobility = _support_mobility(request, pk)
    # Showing the record is a view of special-category data: logged like the passport page's.
    rows = selectors.extra_support_for(user=request.user, mobility=mobility, context="passport: extra support form")
    row = next((r for r in rows or [] if r.pk == support), None)
    if row is None:
        raise Http404
    form = ExtraSupportForm(request.POST or None, instance=row)
    if request.method == "POST" and "delete" in request.POST:
        services.extra_support_delete(support=row, by=request.user)
        messages.success(request, _("The extra support is removed."))
        return redirect("passport:mobility", pk=mobility.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.extra_support_update(support=row, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The extra support is saved."))
            return redirect("passport:mobility", pk=mobility.pk)
    return render(request, "passport/support_form.html", {"mobility": mobility, "form": form, "support": row})


@login_required
def project_overview(request, pk: int):
    project = get_project_for_user(user=request.user, pk=pk)
    rows = completion.project_mobilities(mobilities=mobilities_for_user(user=request.user).filter(project=project))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = completion.completion_by_project(projects=[project.pk]).get(project.pk, completion.Completion())
    return render(request, "passport/project.html", {"project": project, "page": page, "summary": summary})


# --- The agency -----------------------------------------------------------------------------------


@agency_required()
def agency_completion(request):
    filterset = CompletionFilter(request.GET, queryset=completion.projects_for_agency(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "projects": completion.with_completion(page.object_list),
        "programme": completion.programme_completion(projects=filterset.qs),
    }
    return render(request, "passport/agency.html", context)


@agency_required(AgencyRole.OFFICER)
def template_list(request):
    return render(request, "passport/template_list.html", {"items": selectors.template_items()})


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def template_add(request):
    return _template_form(request, item=None)


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    return _template_form(request, item=selectors.get_template_item(pk=pk))


def _template_form(request, *, item):
    form = TemplateItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.template_item_create(by=request.user, **form.cleaned_data)
            else:
                services.template_item_update(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The template item is saved."))
            return redirect("passport:template")
    return render(request, "passport/template_form.html", {"form": form, "item": item})


@agency_required(AgencyRole.OFFICER)
@require_POST
def template_move(request, pk: int):
    item = selectors.get_template_item(pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.template_item_move(item=item, by=request.user, direction=form.cleaned_data["direction"])
    else:
        messages.error(request, _("Move an item up or down."))
    return redirect(reverse("passport:template") + f"#template-item-{item.pk}")
