"""Mobilities: recording and changing them (kept in draft while they break a rule), and their status pipeline."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.mobility.mobilities.base import (
    BACK_TO_DRAFT_ON_VIOLATION,
    EDITABLE,
    MOBILITY_TRANSITIONS,
    REASON_REQUIRED,
    REQUIRES_ELIGIBILITY,
    M,
    MobilityError,
    NotEligible,
    Violations,
    _lock_project,
    _tables,
    as_validation_error,
    check_project_active,
)
from apps.mobility.mobilities.checking import _apply, _check
from apps.mobility.mobilities.parsing import REQUIRED_ON_CREATE, _parse
from apps.mobility.mobilities.pricing import _grant_inputs, _store_grant
from apps.mobility.models import Mobility, MobilityStatusChange, Project

# --- Recording and changing ---------------------------------------------------------------------------------------


@transaction.atomic
def mobility_create(*, project: Project, by, **fields) -> tuple[Mobility, Violations]:
    """Record a mobility of ``project`` in draft; return it and the rules it breaks (empty when none)."""
    project = _lock_project(project.pk)
    check_project_active(project)
    tables = _tables(project)
    missing = [name for name in REQUIRED_ON_CREATE if fields.get(name) in (None, "")]
    given = _parse(fields, missing=missing)
    mobility = Mobility(project=project, status=M.DRAFT)
    origin_problem = _apply(mobility, project, tables, given, creating=True)
    mobility.save()
    MobilityStatusChange.objects.create(mobility=mobility, from_status="", to_status=M.DRAFT, changed_by=by)
    violations = _check(mobility, tables, origin_problem=origin_problem)
    _store_grant(mobility, tables)
    return mobility, violations


@transaction.atomic
def mobility_update(*, mobility: Mobility, by, **fields) -> tuple[Mobility, Violations]:
    """Change some fields of a mobility; return it and the rules it now breaks.

    A planned or confirmed mobility that now breaks a rule goes back to draft; an ongoing or completed
    one is not changed (``ValidationError``). The grant is recomputed when what it depends on changed.
    """
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    check_project_active(project)
    if mobility.status not in EDITABLE:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("A %(status)s mobility cannot be changed.") % {"status": M(mobility.status).label}}
        )
    tables = _tables(project)
    given = _parse(fields, missing=[])
    before = _grant_inputs(mobility)
    origin_problem = _apply(mobility, project, tables, given, creating=False)
    mobility.save()
    violations = _check(mobility, tables, origin_problem=origin_problem)
    if _grant_inputs(mobility) != before or mobility.grant_computed_at is None:
        _store_grant(mobility, tables)
    if violations and mobility.status != M.DRAFT:
        if mobility.status not in BACK_TO_DRAFT_ON_VIOLATION:
            raise as_validation_error(violations)  # rolls the change back
        reason = _("Back to draft: the changes break a rule (%(problems)s).") % {
            "problems": "; ".join(violation.message for found in violations.values() for violation in found)
        }
        _set_status(mobility, M.DRAFT, by=by, reason=reason)
    return mobility, violations


def mobility_violations(*, mobility: Mobility) -> Violations:
    """The rules the stored mobility breaks now, keyed by field (empty when none); nothing is written."""
    return _check(mobility, _tables(mobility.project))


# --- Status -------------------------------------------------------------------------------------------------------


@transaction.atomic
def mobility_set_status(*, mobility: Mobility, to: str, by, reason: str = "") -> Mobility:
    """Move the mobility along ``MOBILITY_TRANSITIONS``; planned and later statuses need an eligible mobility."""
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    if to not in MOBILITY_TRANSITIONS[mobility.status]:
        raise MobilityError(
            _("A %(from)s mobility cannot become %(to)s.")
            % {"from": M(mobility.status).label, "to": M(to).label if to in M.values else to}
        )
    if to in REASON_REQUIRED and not (reason or "").strip():
        raise MobilityError(_("Give the reason for %(to)s.") % {"to": M(to).label})
    if to in REQUIRES_ELIGIBILITY and mobility.status != M.FORCE_MAJEURE:
        violations = _check(mobility, _tables(project))
        if violations:
            raise NotEligible(violations)
    _set_status(mobility, to, by=by, reason=(reason or "").strip())
    return mobility


def _set_status(mobility: Mobility, to: str, *, by, reason: str = "") -> None:
    MobilityStatusChange.objects.create(
        mobility=mobility, from_status=mobility.status, to_status=to, changed_by=by, reason=reason
    )
    mobility.status = to
    mobility.save(update_fields=["status", "updated_at"])
