"""Mobilities: recording and changing them (rule violations next to their fields), their page and status."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.mobility import mobilities, quote, selectors
from apps.mobility.forms import MobilityForm, MobilityStatusForm
from apps.mobility.models import MobilityStatus
from apps.mobility.views.access import (
    _can_change_status,
    _can_record,
    _may_see_fewer_opportunities,
    _require_member_or_agency,
)


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
