"""Mobilities: the relations between the fields (places, distance) and the rules of RULES.md they break."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils.translation import gettext as _

from apps.mobility import selectors
from apps.mobility.eligibility import ActivityRules, EligibilityInput, Violation, check_mobility
from apps.mobility.grant import great_circle_km
from apps.mobility.mobilities.base import (
    ACCOMPANIED_CATEGORIES,
    GREEN_MEANS,
    M,
    Violations,
    _sending,
)
from apps.mobility.mobilities.parsing import _Invalid
from apps.mobility.models import Mobility, Project
from apps.mobility.rates import RateTables
from apps.participants.models import SpecialCategoryData
from apps.reference.cities import UnknownCity, resolve_city
from apps.reference.models import City

# Applying: relations between the fields, places and distance.

_UNSET = object()  # no destination country given


def _apply(
    mobility: Mobility, project: Project, tables: RateTables, given: dict[str, Any], *, creating: bool
) -> str | None:
    """Check the relations of the merged fields and set them on ``mobility`` (unsaved): ``ValidationError`` when
    they cannot be recorded. Returns why the sending organisation's city did not resolve, or None."""
    sending = _sending(project)
    host_changed = "host" in given and (creating or given["host"].pk != mobility.host_id)
    plain = {name: value for name, value in given.items() if name not in ("destination_city", "destination_country")}
    for name, value in plain.items():
        setattr(mobility, name, value)
    if not mobility.accompanying and "accompanies" not in given:
        mobility.accompanies = None

    host = mobility.host
    city = given.get("destination_city")
    if city is None and (host_changed or mobility.destination_city_id is None):
        city = host.city
    errors = check_relations(
        mobility,
        project=project,
        tables=tables,
        host_country=host.country.code,
        given_country=given.get("destination_country", _UNSET),
        city=city,
    )
    if errors:
        raise ValidationError(errors)

    try:
        origin = resolve_city(sending.city, sending.country.code)
        origin_problem = None
    except UnknownCity as exc:
        origin, origin_problem = None, str(exc)
    set_distance(mobility, origin)
    return origin_problem


def check_relations(
    mobility: Mobility,
    *,
    project: Project,
    tables: RateTables,
    host_country: str,
    city: City | str | None,
    given_country=_UNSET,
    resolve=resolve_city,
) -> dict[str, str]:
    """The relations between the fields of ``mobility`` (unsaved, its fields set), checked without a query of
    their own: the errors keyed by field (empty: it can be recorded). Clears an absent virtual component's
    details and sets the destination city (``city``: a ``City``, a name for ``resolve``, or None to keep the
    stored one) and country. The one place of these rules: ``mobility_create``, ``mobility_update`` and the
    bulk import (``transfer``) call it."""
    errors: dict[str, str] = {}
    sending = _sending(project)
    participant = mobility.participant
    if participant.organisation_id != sending.pk:
        errors["participant"] = _("The participant is not one of %(organisation)s's participants.") % {
            "organisation": sending
        }

    host = mobility.host
    if host.pk == sending.pk:
        errors["host"] = _("The host is another organisation than the sending organisation.")
    elif host_country not in tables.support_groups:
        errors["host"] = _("The host must be in one of the programme's countries; %(host)s is in %(country)s.") % {
            "host": host,
            "country": host_country or "?",
        }
    if given_country is not _UNSET and given_country != host_country:
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
        elif accompanied.participant is participant or (
            accompanied.participant_id is not None and accompanied.participant_id == mobility.participant_id
        ):
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
        try:
            destination = _destination_city(city, host_country, resolve)
        except _Invalid as exc:
            errors["destination_city"] = str(exc)
        else:
            if destination is not None:
                mobility.destination_city = destination
        mobility.destination_country = host_country
    return errors


def set_distance(mobility: Mobility, origin: City | None) -> None:
    """The origin city (None: the sending organisation's city is unknown) and, unless set by hand, the distance."""
    mobility.origin_city = origin
    if not mobility.distance_manual:
        mobility.distance_km = _cities_distance(origin, mobility.destination_city)


def _destination_city(city: City | str | None, country: str, resolve=resolve_city) -> City | None:
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
        return resolve(city, country)
    except UnknownCity as exc:
        raise _Invalid(str(exc)) from exc


def _cities_distance(origin: City | None, destination: City | None) -> int | None:
    if origin is None or destination is None:
        return None
    return great_circle_km(origin.latitude, origin.longitude, destination.latitude, destination.longitude)


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
    sending = _sending(project)
    if mobility.distance_km is None and origin_problem is None and mobility.origin_city_id is None:
        try:
            resolve_city(sending.city, sending.country.code)
        except UnknownCity as exc:
            origin_problem = str(exc)
    return rule_violations(
        mobility,
        project=project,
        tables=tables,
        sending_country=sending.country.code,
        fewer_opportunities=_fewer_opportunities(participant.pk),
        other_counted_participants=0 if mobility.accompanying else _position(mobility, cap_only=True),
        origin_problem=origin_problem,
    )


def rule_violations(
    mobility: Mobility,
    *,
    project: Project,
    tables: RateTables,
    sending_country: str,
    fewer_opportunities: bool,
    other_counted_participants: int,
    origin_problem: str | None,
) -> Violations:
    """The rules of RULES.md ``mobility`` breaks, keyed by field, given what they read (no query of their own):
    the participant's flag, the counted participants ahead of them, why the origin city is unknown. The one
    place of these rules: ``mobility_create``, ``mobility_update``, the status moves and the bulk import."""
    participant = mobility.participant
    activity = mobility.activity_type
    found = check_mobility(
        EligibilityInput(
            activity=ActivityRules.of(activity),
            category=participant.category,
            sending_country=sending_country,
            destination_country=mobility.destination_country,
            eligible_countries=tables.support_groups,
            start_date=mobility.start_date,
            end_date=mobility.end_date,
            project_start=project.start_date,
            project_end=project.end_date,
            accompanying=mobility.accompanying,
            fewer_opportunities=fewer_opportunities,
            graduation_date=participant.graduation_date,
            travel_days=mobility.travel_days,
            course_days=mobility.course_days,
            other_counted_participants=other_counted_participants,
        )
    )
    if not activity.in_fers_scope:
        message = _("The programme does not fund %(type)s.") % {"type": activity.code}
        found.append(Violation("activity_type", "not_in_programme", message))
    if mobility.distance_km is None:
        message = _(
            "The distance cannot be computed: %(problem)s Correct the sending organisation's city, "
            "or ask the agency to set the distance by hand."
        ) % {"problem": origin_problem or _("the cities are not known.")}
        found.append(Violation("origin_city", "no_distance", message))
    violations: Violations = {}
    for violation in found:
        violations.setdefault(violation.field, []).append(violation)
    return violations
