"""Mobility activities: recording and changing them, their status pipeline, their distance and their grant.

Every write of a ``Mobility`` goes through this module (RULES.md; DESIGN.md §3, §4).

Recording and changing (``mobility_create``, ``mobility_update``)
    Fields are given as keyword arguments with the Beneficiary Module's names (``INPUT_FIELDS``), as a
    form's ``cleaned_data`` holds them: model instances or primary keys for relations (the activity type
    also by its code, the destination city also by its name), ``date`` objects (or ISO ``YYYY-MM-DD``
    strings), ``bool`` and ``int``. Input that cannot be recorded at all raises ``ValidationError`` keyed
    by field and saves nothing: a wrong type, an unknown or foreign record, a host outside the programme's
    countries or the sending organisation itself, an accompanied mobility of another project or of a
    non-learner, an unknown destination city (``UnknownCity``'s message), an end before the start, green
    travel by a means that is not green, a virtual component without its description and dates.

    A mobility that can be recorded but breaks a rule of RULES.md is saved in draft and the broken rules
    are returned, keyed by field (``Violations``), for the form to show next to each field. The rules are
    ``eligibility.check_mobility``'s, plus: the activity type is funded by the programme
    (``ActivityType.in_fers_scope``), and the distance is known (the sending organisation's city resolves,
    or the agency set the distance by hand). A host in the sending country is such a rule, not an input
    error: it is shown on ``destination_country`` and the mobility stays in draft.

The participant cap and the participant's number
    Participants are counted per project, once each, over the mobilities that are neither cancelled nor
    accompanying (and whose activity type counts toward the cap), in the order of their first such
    mobility (its primary key: the order of creation). A participant's number (``_participant_ordinal``)
    prices organisational support (up to the 100th, from the 101st). The cap check of a participant
    counts the participants ahead of them: for a new participant that is every counted participant of
    the project's other mobilities; a 31st draft therefore breaks the cap while the first 30 keep
    passing it, and cancelling one of the first 30 lets the 31st through at its next check.

Distance, band and grant
    The distance is the great-circle distance between the sending organisation's city
    (``resolve_city(organisation.city, organisation.country)``) and the destination city, unless agency
    staff set it by hand (``mobility_set_manual_distance``), which then stays until they clear it. The
    band, the grant lines (``GrantLine`` rows, with their explanation and their ``basis``), the total and
    the call year of the rates are stored with the mobility. They are computed by ``grant.compute_grant``
    from the tables of the project's call year (``project.application.call.year``) when the mobility is
    recorded, when an update changes what the grant depends on, when the distance is set by hand and by
    ``mobility_recompute_grant``: never otherwise, so a corrected rate changes no stored grant silently.

Status pipeline (``MOBILITY_TRANSITIONS``)
    draft → planned (only when no rule is broken) or cancelled;
    planned → confirmed, back to draft, or cancelled;
    confirmed → ongoing, back to draft, cancelled, or force majeure;
    ongoing → completed or force majeure;
    completed → reported; force majeure → reported (its costs are reported too);
    reported and cancelled are final (a cancelled mobility is recorded anew, so that it is checked anew).
    Every move into planned, confirmed, ongoing, completed or reported (reported after force majeure
    aside: force majeure may cut a mobility short) re-checks the rules and is refused while one is
    broken. Force majeure needs a reason. Each move writes a ``MobilityStatusChange`` (who, when, from,
    to, why); so does the recording (from nothing to draft).

    Only draft, planned, confirmed, ongoing and completed mobilities can be changed. A change that
    breaks a rule keeps a draft in draft and sends a planned or confirmed mobility back to draft (with a
    history row); an ongoing or completed mobility cannot go back to draft, so such a change is refused
    with ``ValidationError`` and nothing is saved.

Concurrency
    Every write locks the project's row first (``select_for_update``): the participant count and the
    participants' numbers of one project are computed by one writer at a time.

Distance changes by hand, and recomputations that change a grant, are kept as a ``MobilityStatusChange``
row whose status does not change and whose reason says what changed (the model has no other history).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.roles import is_agency
from apps.mobility import selectors
from apps.mobility.eligibility import ActivityRules, EligibilityInput, Violation, check_mobility
from apps.mobility.grant import GrantInput, compute_grant, great_circle_km
from apps.mobility.models import (
    GrantLine,
    Mobility,
    MobilityStatus,
    MobilityStatusChange,
    Project,
    ProjectStatus,
    TravelMeans,
)
from apps.mobility.rates import LEARNER, RECENT_GRADUATE, RateTables, UnknownCallYear, rate_tables_for
from apps.organisations.models import Organisation
from apps.participants.models import Participant, SpecialCategoryData
from apps.reference.cities import UnknownCity, resolve_city
from apps.reference.models import ActivityType, City

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

INPUT_FIELDS = (
    "participant",
    "activity_type",
    "accompanying",
    "accompanies",
    "host",
    "destination_city",
    "destination_country",
    "start_date",
    "end_date",
    "virtual_component",
    "virtual_description",
    "virtual_start",
    "virtual_end",
    "travel_days",
    "green_travel",
    "travel_means",
    "course_days",
)
REQUIRED_ON_CREATE = ("participant", "activity_type", "host", "start_date", "end_date")
# What the stored grant depends on: an update that changes one of these recomputes it.
_GRANT_INPUTS = (
    "participant_id",
    "activity_type_id",
    "accompanying",
    "destination_country",
    "start_date",
    "end_date",
    "travel_days",
    "green_travel",
    "course_days",
    "distance_km",
)

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


# --- Distance and grant -------------------------------------------------------------------------------------------


@transaction.atomic
def mobility_set_manual_distance(*, mobility: Mobility, distance_km: int | None, justification: str, by) -> Mobility:
    """Agency staff set the distance by hand (``None``: back to the cities' distance), with a justification.

    The band and the grant are recomputed with the call year's current tables; a history row keeps the
    old and the new distance and the justification.
    """
    if by is None or not is_agency(by):
        raise PermissionDenied(_("Only agency staff set a distance by hand."))
    errors = {}
    if distance_km is not None and (
        isinstance(distance_km, bool) or not isinstance(distance_km, int) or not 0 <= distance_km <= MAX_DISTANCE_KM
    ):
        errors["distance_km"] = _("Enter a whole number of kilometres from 0 to %(max)s.") % {"max": MAX_DISTANCE_KM}
    justification = justification.strip() if isinstance(justification, str) else ""
    if not justification:
        errors["distance_justification"] = _("Say why the distance is set by hand.")
    if errors:
        raise ValidationError(errors)
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    if mobility.status == M.CANCELLED:
        raise MobilityError(_("A cancelled mobility has no grant to correct."))
    tables = _tables(project)
    before = mobility.distance_km
    if distance_km is None:
        mobility.distance_manual = False
        mobility.distance_justification = ""
        mobility.distance_km = _cities_distance(mobility.origin_city, mobility.destination_city)
    else:
        mobility.distance_manual = True
        mobility.distance_justification = justification
        mobility.distance_km = distance_km
    mobility.save(update_fields=["distance_km", "distance_manual", "distance_justification", "updated_at"])
    _store_grant(mobility, tables)
    if distance_km is None:
        text = _("Distance computed from the cities again: %(new)s km (was %(old)s km set by hand). %(why)s")
    else:
        text = _("Distance set by hand: %(new)s km (was %(old)s km). %(why)s")
    reason = text % {"new": _km(mobility.distance_km), "old": _km(before), "why": justification}
    MobilityStatusChange.objects.create(
        mobility=mobility, from_status=mobility.status, to_status=mobility.status, changed_by=by, reason=reason
    )
    return mobility


@transaction.atomic
def mobility_recompute_grant(*, mobility: Mobility, by=None) -> Mobility:
    """Recompute the stored band and grant lines with the call year's current tables (after a rate change).

    The stored distance is kept; the participant's number and fewer-opportunities flag are read anew. When
    the total changes, a history row (status unchanged) says from what to what.
    """
    project = _lock_project(mobility.project_id)
    mobility.refresh_from_db()
    mobility.project = project
    _recompute(mobility, _tables(project), by=by)
    return mobility


@transaction.atomic
def project_recompute_grants(*, project: Project, by=None) -> int:
    """``mobility_recompute_grant`` for every mobility of the project that is not cancelled; returns how many."""
    project = _lock_project(project.pk)
    tables = _tables(project)
    count = 0
    for mobility in project.mobilities.exclude(status=M.CANCELLED).select_related("participant", "activity_type"):
        mobility.project = project
        _recompute(mobility, tables, by=by)
        count += 1
    return count


def _recompute(mobility: Mobility, tables: RateTables, *, by) -> None:
    before = mobility.grant_total
    _store_grant(mobility, tables)
    if mobility.grant_total != before:
        reason = _("Grant recomputed with the current rates of call %(year)s: %(new)s EUR (was %(old)s EUR).") % {
            "year": tables.call_year,
            "new": mobility.grant_total,
            "old": before,
        }
        MobilityStatusChange.objects.create(
            mobility=mobility, from_status=mobility.status, to_status=mobility.status, changed_by=by, reason=reason
        )


# --- Internals ----------------------------------------------------------------------------------------------------


class _Invalid(ValueError):
    pass


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


# Parsing: types and existence, field by field.


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    raise _Invalid(_("Enter yes or no."))


def _as_days(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(_("Enter a whole number of days."))
    if not 0 <= value <= MAX_DAYS:
        raise _Invalid(_("Enter a number of days from 0 to %(max)s.") % {"max": MAX_DAYS})
    return value


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(_("Enter a valid date (YYYY-MM-DD)."))


def _as_optional_date(value) -> datetime.date | None:
    return None if value in (None, "") else _as_date(value)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    raise _Invalid(_("Enter text."))


def _as_means(value) -> str:
    value = _as_text(value)
    if value and value not in TravelMeans.values:
        raise _Invalid(
            _("Choose one of: %(means)s.") % {"means": ", ".join(str(label) for label in TravelMeans.labels)}
        )
    return value


def _as_country(value) -> str:
    value = _as_text(value).upper()
    if len(value) != 2 or not value.isalpha():
        raise _Invalid(_("Enter a two-letter country code."))
    return value


def _instance(model, value, message: str, *, code_field: str | None = None):
    if isinstance(value, model) and value.pk is not None:
        return value
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = model.objects.filter(pk=value).first()
    elif code_field and isinstance(value, str) and value.strip():
        found = model.objects.filter(**{code_field: value.strip()}).first()
    if found is None:
        raise _Invalid(message)
    return found


def _as_participant(value) -> Participant:
    return _instance(Participant, value, _("Choose a participant."))


def _as_activity_type(value) -> ActivityType:
    return _instance(ActivityType, value, _("Choose an activity type."), code_field="code")


def _as_host(value) -> Organisation:
    return _instance(Organisation, value, _("Choose a host organisation."))


def _as_accompanies(value) -> Mobility | None:
    if value in (None, ""):
        return None
    return _instance(Mobility, value, _("Choose the mobility of the learner who is accompanied."))


def _as_city(value) -> City | str | None:
    """A ``City``, or a name still to resolve in the host's country, or None (the host's city)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value.strip()
    return _instance(City, value, _("Choose a city."))


_PARSERS = {
    "participant": _as_participant,
    "activity_type": _as_activity_type,
    "accompanying": _as_bool,
    "accompanies": _as_accompanies,
    "host": _as_host,
    "destination_city": _as_city,
    "destination_country": _as_country,
    "start_date": _as_date,
    "end_date": _as_date,
    "virtual_component": _as_bool,
    "virtual_description": _as_text,
    "virtual_start": _as_optional_date,
    "virtual_end": _as_optional_date,
    "travel_days": _as_days,
    "green_travel": _as_bool,
    "travel_means": _as_means,
    "course_days": _as_days,
}


def _parse(fields: Mapping[str, Any], *, missing: list[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(INPUT_FIELDS))
    if unknown:
        raise TypeError(f"unexpected mobility fields: {', '.join(unknown)}")
    errors: dict[str, list[str]] = {name: [_("This field is required.")] for name in missing}
    parsed = {}
    for name, value in fields.items():
        if name in missing:
            continue
        try:
            parsed[name] = _PARSERS[name](value)
        except _Invalid as exc:
            errors.setdefault(name, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return parsed


# Applying: relations between the fields, places and distance.


def _apply(
    mobility: Mobility, project: Project, tables: RateTables, given: dict[str, Any], *, creating: bool
) -> str | None:
    """Check the relations of the merged fields and set them on ``mobility`` (unsaved): ``ValidationError`` when
    they cannot be recorded. Returns why the sending organisation's city did not resolve, or None."""
    errors: dict[str, str] = {}
    sending = _sending(project)
    host_changed = "host" in given and (creating or given["host"].pk != mobility.host_id)
    plain = {name: value for name, value in given.items() if name not in ("destination_city", "destination_country")}
    for name, value in plain.items():
        setattr(mobility, name, value)
    if not mobility.accompanying and "accompanies" not in given:
        mobility.accompanies = None

    participant = mobility.participant
    if participant.organisation_id != sending.pk:
        errors["participant"] = _("The participant is not one of %(organisation)s's participants.") % {
            "organisation": sending
        }

    host = mobility.host
    host_country = host.country.code
    if host.pk == sending.pk:
        errors["host"] = _("The host is another organisation than the sending organisation.")
    elif host_country not in tables.support_groups:
        errors["host"] = _("The host must be in one of the programme's countries; %(host)s is in %(country)s.") % {
            "host": host,
            "country": host_country or "?",
        }
    if "destination_country" in given and given["destination_country"] != host_country:
        errors["destination_country"] = _("The destination country is the host's country (%(country)s).") % {
            "country": host_country
        }

    accompanied = mobility.accompanies
    if accompanied is not None:
        if not mobility.accompanying:
            errors["accompanies"] = _("Only an accompanying person accompanies someone.")
        elif accompanied.project_id != project.pk:
            errors["accompanies"] = _("The accompanied mobility is not one of this project's.")
        elif accompanied.pk is not None and accompanied.pk == mobility.pk:
            errors["accompanies"] = _("A mobility cannot accompany itself.")
        elif accompanied.accompanying or accompanied.participant.category not in ACCOMPANIED_CATEGORIES:
            errors["accompanies"] = _("An accompanying person goes with a learner or a recent graduate.")
        elif accompanied.participant_id == mobility.participant_id:
            errors["accompanies"] = _("Participants do not accompany themselves.")
        elif accompanied.status == M.CANCELLED:
            errors["accompanies"] = _("The accompanied mobility is cancelled.")

    if mobility.end_date < mobility.start_date:
        errors["end_date"] = _("The end date is before the start date.")

    if mobility.virtual_component:
        if not mobility.virtual_description:
            errors["virtual_description"] = _("Describe the virtual component.")
        if mobility.virtual_start is None:
            errors["virtual_start"] = _("Give the dates of the virtual component.")
        if mobility.virtual_end is None:
            errors["virtual_end"] = _("Give the dates of the virtual component.")
        elif mobility.virtual_start is not None and mobility.virtual_end < mobility.virtual_start:
            errors["virtual_end"] = _("The virtual component ends before it starts.")
    else:
        mobility.virtual_description, mobility.virtual_start, mobility.virtual_end = "", None, None

    if mobility.green_travel and mobility.travel_means not in GREEN_MEANS:
        errors["travel_means"] = _("Green travel is by train, bus, car-sharing or bike: choose the means.")

    if "host" not in errors:
        city = given.get("destination_city")
        if city is None and (host_changed or mobility.destination_city_id is None):
            city = host.city
        try:
            destination = _destination_city(city, host_country)
        except _Invalid as exc:
            errors["destination_city"] = str(exc)
        else:
            if destination is not None:
                mobility.destination_city = destination
        mobility.destination_country = host_country
    if errors:
        raise ValidationError(errors)

    try:
        mobility.origin_city = resolve_city(sending.city, sending.country.code)
        origin_problem = None
    except UnknownCity as exc:
        mobility.origin_city, origin_problem = None, str(exc)
    if not mobility.distance_manual:
        mobility.distance_km = _cities_distance(mobility.origin_city, mobility.destination_city)
    return origin_problem


def _destination_city(city: City | str | None, country: str) -> City | None:
    """The destination ``City`` (None: keep the stored one); ``_Invalid`` with the reason otherwise."""
    if city is None:
        return None
    if isinstance(city, City):
        if city.country != country:
            raise _Invalid(
                _("%(city)s is not in the host's country (%(country)s).") % {"city": city, "country": country}
            )
        return city
    try:
        return resolve_city(city, country)
    except UnknownCity as exc:
        raise _Invalid(str(exc)) from exc


def _cities_distance(origin: City | None, destination: City | None) -> int | None:
    if origin is None or destination is None:
        return None
    return great_circle_km(origin.latitude, origin.longitude, destination.latitude, destination.longitude)


def _grant_inputs(mobility: Mobility) -> tuple:
    return tuple(getattr(mobility, name) for name in _GRANT_INPUTS)


# Rules and numbers.


def _fewer_opportunities(participant_id: int) -> bool:
    # Internal read of special-category data for the grant and the rules: not a view, so not logged.
    return SpecialCategoryData.objects.filter(participant_id=participant_id, fewer_opportunities=True).exists()


def _first_mobilities(project_id: int, *, cap_only: bool) -> dict[int, int]:
    """{participant id: pk of their first counted mobility} for the project."""
    counted = selectors.counted_mobilities(project_id=project_id, cap_only=cap_only)
    return dict(
        counted.order_by().values("participant_id").annotate(first=Min("pk")).values_list("participant_id", "first")
    )


def _position(mobility: Mobility, *, cap_only: bool) -> int:
    """How many counted participants of the project come before this mobility's participant."""
    firsts = _first_mobilities(mobility.project_id, cap_only=cap_only)
    mine = firsts.get(mobility.participant_id, mobility.pk)
    return sum(1 for participant, first in firsts.items() if participant != mobility.participant_id and first < mine)


def _participant_ordinal(mobility: Mobility) -> int | None:
    """The participant's number in the project (1-based), None for an accompanying person."""
    if mobility.accompanying:
        return None
    return _position(mobility, cap_only=False) + 1


def _check(mobility: Mobility, tables: RateTables, *, origin_problem: str | None = None) -> Violations:
    project = mobility.project
    participant = mobility.participant
    activity = mobility.activity_type
    found = check_mobility(
        EligibilityInput(
            activity=ActivityRules.of(activity),
            category=participant.category,
            sending_country=_sending(project).country.code,
            destination_country=mobility.destination_country,
            eligible_countries=tables.support_groups,
            start_date=mobility.start_date,
            end_date=mobility.end_date,
            project_start=project.start_date,
            project_end=project.end_date,
            accompanying=mobility.accompanying,
            fewer_opportunities=_fewer_opportunities(participant.pk),
            graduation_date=participant.graduation_date,
            travel_days=mobility.travel_days,
            course_days=mobility.course_days,
            other_counted_participants=0 if mobility.accompanying else _position(mobility, cap_only=True),
        )
    )
    if not activity.in_fers_scope:
        message = _("The programme does not fund %(type)s.") % {"type": activity.code}
        found.append(Violation("activity_type", "not_in_programme", message))
    if mobility.distance_km is None:
        sending = _sending(project)
        if origin_problem is None and mobility.origin_city_id is None:
            try:
                resolve_city(sending.city, sending.country.code)
            except UnknownCity as exc:
                origin_problem = str(exc)
        message = _(
            "The distance cannot be computed: %(problem)s Correct the sending organisation's city, "
            "or ask the agency to set the distance by hand."
        ) % {"problem": origin_problem or _("the cities are not known.")}
        found.append(Violation("origin_city", "no_distance", message))
    violations: Violations = {}
    for violation in found:
        violations.setdefault(violation.field, []).append(violation)
    return violations


def _band_label(tables: RateTables, km: int | None) -> str:
    band = None if km is None else tables.band_for(km)
    if band is None:
        return ""
    return f"{band.min_km}-{band.max_km}" if band.max_km is not None else f"{band.min_km}+"


def grant_input(mobility: Mobility, *, fewer_opportunities: bool, participant_ordinal: int | None) -> GrantInput:
    """What a stored mobility's grant prices; the per-mobility reads are given (``rate_changes`` reads them in bulk)."""
    return GrantInput(
        category=mobility.participant.category,
        destination_country=mobility.destination_country,
        start_date=mobility.start_date,
        end_date=mobility.end_date,
        travel_days=mobility.travel_days,
        green_travel=mobility.green_travel,
        accompanying=mobility.accompanying,
        fewer_opportunities=fewer_opportunities,
        participant_ordinal=participant_ordinal,
        activity_course_fees=mobility.activity_type.course_fees,
        course_days=mobility.course_days,
        distance_km=mobility.distance_km or 0,  # unknown distance: no travel line
    )


def _store_grant(mobility: Mobility, tables: RateTables) -> None:
    """Compute the grant with ``tables`` and store its lines, total, band and call year."""
    fewer = False if mobility.accompanying else _fewer_opportunities(mobility.participant_id)
    result = compute_grant(
        grant_input(mobility, fewer_opportunities=fewer, participant_ordinal=_participant_ordinal(mobility)), tables
    )
    GrantLine.objects.filter(mobility=mobility).delete()
    GrantLine.objects.bulk_create(
        [
            GrantLine(
                mobility=mobility,
                item=str(line.item),
                amount=line.amount,
                explanation=str(line.explanation),
                basis=line.basis,
            )
            for line in result.lines
        ]
    )
    mobility.distance_band = _band_label(tables, mobility.distance_km)
    mobility.grant_total = result.total
    mobility.grant_call_year = tables.call_year
    mobility.grant_computed_at = timezone.now()
    mobility.save(update_fields=["distance_band", "grant_total", "grant_call_year", "grant_computed_at", "updated_at"])
