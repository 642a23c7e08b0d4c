"""Preparatory visits of a project: recorded, changed and deleted by the organisation's managers and agency
officers; a rule the visit breaks comes back next to its field (``visits``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.mobility import selectors, visit_selectors, visits
from apps.mobility.eligibility import PREPARATORY_VISIT_MAX_PERSONS
from apps.mobility.forms import PreparatoryVisitForm
from apps.mobility.views.access import _can_manage


def _managed(request, project):
    if not _can_manage(request.user, project):
        raise PermissionDenied
    return project


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    project = _managed(request, selectors.get_project_for_user(user=request.user, pk=pk))
    return _visit_form(request, project=project)


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, pk: int):
    visit = visit_selectors.get_preparatory_visit_for_user(user=request.user, pk=pk)
    _managed(request, visit.project)
    return _visit_form(request, project=visit.project, visit=visit)


def _visit_form(request, *, project, visit=None):
    form = PreparatoryVisitForm(request.POST or None, project=project, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            if visit is None:
                visits.preparatory_visit_create(project=project, by=request.user, **form.service_data())
            else:
                visits.preparatory_visit_update(visit=visit, by=request.user, **form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, _("The preparatory visit is saved."))
            return redirect("mobility:project", pk=project.pk)
    context = {
        "project": project,
        "visit": visit,
        "form": form,
        "unit_cost": visits.preparatory_visit_unit_cost(project=project),
        "max_persons": PREPARATORY_VISIT_MAX_PERSONS,
    }
    return render(request, "mobility/visit_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_delete(request, pk: int):
    visit = visit_selectors.get_preparatory_visit_for_user(user=request.user, pk=pk)
    project = _managed(request, visit.project)
    if request.method == "POST":
        try:
            visits.preparatory_visit_delete(visit=visit, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The preparatory visit is deleted."))
        return redirect("mobility:project", pk=project.pk)
    context = {"project": project, "visit": visit, "explanation": visits.preparatory_visit_explanation(visit)}
    return render(request, "mobility/visit_delete.html", context)
