"""Mobilities: the pipeline's tables, the errors the services raise, and what every service needs first
(the project locked, active, with its call year's rate tables)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from apps.mobility.eligibility import Violation
from apps.mobility.models import MobilityStatus, Project, ProjectStatus, TravelMeans
from apps.mobility.rates import LEARNER, RECENT_GRADUATE, RateTables, UnknownCallYear, rate_tables_for
from apps.organisations.models import Organisation

M = MobilityStatus

MOBILITY_TRANSITIONS: dict[str, frozenset[str]] = {
    M.DRAFT: frozenset({M.PLANNED, M.CANCELLED}),
    M.PLANNED: frozenset({M.CONFIRMED, M.DRAFT, M.CANCELLED}),
    M.CONFIRMED: frozenset({M.ONGOING, M.DRAFT, M.CANCELLED, M.FORCE_MAJEURE}),
    M.ONGOING: frozenset({M.COMPLETED, M.FORCE_MAJEURE}),
    M.COMPLETED: frozenset({M.REPORTED}),
    M.FORCE_MAJEURE: frozenset({M.REPORTED}),
    M.REPORTED: frozenset(),
    M.CANCELLED: frozenset(),
}
# Moves into these statuses re-check the rules (except force majeure → reported).
REQUIRES_ELIGIBILITY = frozenset({M.PLANNED, M.CONFIRMED, M.ONGOING, M.COMPLETED, M.REPORTED})
REASON_REQUIRED = frozenset({M.FORCE_MAJEURE})
# Statuses whose mobility can still be changed, and those a rule-breaking change sends back to draft.
EDITABLE = frozenset({M.DRAFT, M.PLANNED, M.CONFIRMED, M.ONGOING, M.COMPLETED})
BACK_TO_DRAFT_ON_VIOLATION = frozenset({M.PLANNED, M.CONFIRMED})
# Projects whose mobilities (and preparatory visits) are recorded and changed by the organisation.
ACTIVE_PROJECT = frozenset({ProjectStatus.CONTRACTED, ProjectStatus.RUNNING})

# RULES.md, "Grant per mobility", 1: green travel is by train, bus, car-sharing or bike.
GREEN_MEANS = frozenset({TravelMeans.TRAIN, TravelMeans.BUS, TravelMeans.CAR_SHARING, TravelMeans.BIKE})
# Participants an accompanying person may go with (learner activities' participants).
ACCOMPANIED_CATEGORIES = frozenset({LEARNER, RECENT_GRADUATE})
# The longest one-way great-circle distance on Earth (π × 6371 km): anything longer is a typing error.
MAX_DISTANCE_KM = 20015
# Travel and course days: no rule limits them, the longest activity type lasts a year.
MAX_DAYS = 365

Violations = dict[str, list[Violation]]


class MobilityError(Exception):
    """A mobility action that cannot be carried out; the message says why."""


class NotEligible(MobilityError):
    """The move needs an eligible mobility and this one breaks a rule: ``violations`` says which, by field."""

    def __init__(self, violations: Violations):
        messages = "; ".join(violation.message for found in violations.values() for violation in found)
        super().__init__(_("This mobility breaks a rule: %(problems)s") % {"problems": messages})
        self.violations = violations


def as_validation_error(violations: Violations) -> ValidationError:
    """The violations as a ``ValidationError`` keyed by field (for ``form.add_error(None, ...)``)."""
    return ValidationError(
        {
            field: [ValidationError(violation.message, code=violation.code) for violation in found]
            for field, found in violations.items()
        }
    )


def check_project_active(project: Project) -> None:
    """``ValidationError`` unless the project is contracted or running (not withdrawn, reported or closed)."""
    if project.status not in ACTIVE_PROJECT:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("The project is %(status)s: its activities can no longer be recorded or changed.")
                % {"status": ProjectStatus(project.status).label}
            }
        )


def _lock_project(pk: int) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("application", "application__call", "application__organisation")
        .get(pk=pk)
    )


def _tables(project: Project) -> RateTables:
    try:
        return rate_tables_for(project.application.call.year)
    except UnknownCallYear as exc:
        raise ValidationError({NON_FIELD_ERRORS: str(exc)}) from exc


def _sending(project: Project) -> Organisation:
    return project.application.organisation


def _km(value: int | None) -> str:
    return "—" if value is None else str(value)
