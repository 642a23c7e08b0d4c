"""Key competence pages: the participant's self-assessment, the organisation's learning outcomes, summaries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import agency_required
from apps.mobility.selectors import get_mobility_for_user, get_own_mobility, get_project_for_user, mobilities_for_user
from apps.outcomes import aggregates, selectors, services
from apps.outcomes.forms import AssessmentForm, OutcomesFilter, OutcomesForm, ProjectOutcomesFilter, outcomes_initial
from apps.outcomes.models import Phase

PAGE_SIZE = 50


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request, pk: int, phase: str):
    if phase not in Phase.values:
        raise Http404
    mobility = get_own_mobility(user=request.user, pk=pk)
    competences = list(selectors.competences())
    levels = selectors.assessment_levels(mobility=mobility, phase=phase)
    is_open, last_day = selectors.assessment_window(mobility=mobility, phase=phase)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        competences=competences,
        initial_levels=levels,
        descriptors=selectors.level_descriptors(),
        disabled=not is_open,
    )
    # A closed window is the service's to refuse: its message names the window's dates.
    if request.method == "POST" and (not is_open or form.is_valid()):
        try:
            levels = form.levels() if is_open else {}
            services.assessment_submit(mobility=mobility, phase=phase, levels=levels, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your key competences are saved."))
            return redirect("portal:participant_home")
    context = {
        "mobility": mobility,
        "phase": phase,
        "form": form,
        "submitted": bool(levels),
        "is_open": is_open,
        "last_day": last_day,
    }
    return render(request, "outcomes/assessment.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mobility_outcomes(request, pk: int):
    mobility = get_mobility_for_user(user=request.user, pk=pk)
    can_record = selectors.can_record_outcomes(user=request.user, mobility=mobility)[0]
    competences = list(selectors.competences())
    recorded, per_competence = selectors.mobility_outcomes(mobility=mobility)
    initial = outcomes_initial(recorded=recorded, per_competence=per_competence, competences=competences)
    form = OutcomesForm(
        request.POST if request.method == "POST" else None,
        competences=competences,
        initial=initial,
        disabled=not can_record,
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(_("Only the sending organisation's members record learning outcomes."))
        if form.is_valid():
            try:
                services.outcomes_record(
                    mobility=mobility,
                    by=request.user,
                    vocational_outcomes=form.cleaned_data["vocational_outcomes"],
                    mentor_name=form.cleaned_data["mentor_name"],
                    mentor_overall=form.cleaned_data["mentor_overall"],
                    competences=form.competence_values(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Learning outcomes saved."))
                return redirect("outcomes:mobility", pk=mobility.pk)
    assessed = selectors.mobility_assessments(mobility=mobility)
    context = {
        "mobility": mobility,
        "form": form,
        "can_record": can_record,
        "recorded": recorded,
        "assessments": [
            (c, assessed.get((c.pk, Phase.BEFORE)), assessed.get((c.pk, Phase.AFTER))) for c in competences
        ],
    }
    return render(request, "outcomes/mobility.html", context)


@login_required
def project_summary(request, pk: int):
    project = get_project_for_user(user=request.user, pk=pk)
    mobilities = selectors.with_outcome_states(mobilities_for_user(user=request.user).filter(project=project))
    filterset = ProjectOutcomesFilter(request.GET, queryset=mobilities.order_by("start_date", "pk"))
    context = {
        "project": project,
        "filter": filterset,
        "summary": aggregates.competence_summary(mobilities=filterset.qs),
        "page": Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "outcomes/project.html", context)


@agency_required()
def agency_summary(request):
    filterset = OutcomesFilter(request.GET, queryset=mobilities_for_user(user=request.user))
    mobilities = filterset.qs
    context = {
        "filter": filterset,
        "summary": aggregates.competence_summary(mobilities=mobilities),
        "page": Paginator(selectors.outcomes_by_project(mobilities), PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "outcomes/agency.html", context)
