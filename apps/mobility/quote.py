"""Grant quotes: what one mobility would get, from plain data, for the public calculator page and the API.

``grant_quote`` takes the fields of ``POST /api/v1/grant-quote`` as plain Python values (``date`` objects,
ints, bools, ``{"city", "country"}`` mappings), already type-checked by the API's serializer or the page's
form, looks up the call year's rate tables, the activity type and the two cities, runs
``eligibility.check_mobility`` and ``grant.compute_grant`` and returns the answer as a JSON-ready dict
(amounts as strings with two decimals).

A quote is for one participant outside any project:

- the participant is the project's first one (organisational support at the rate up to the 100th);
- there is no project, so its dates are not checked;
- an accompanying person is paid at staff rates and gets no organisational or inclusion support.

What the quote cannot look up (call year, activity type) raises ``QuoteInputError`` (the API's 400).
A quote that breaks a rule (duration, destination, unknown city, ...) is still answered, with
``eligible`` false and each problem in ``errors``, and with every line that can still be computed:
no travel line without a distance, no individual support without valid dates and an eligible destination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.mobility.eligibility import ActivityRules, EligibilityInput, check_mobility
from apps.mobility.grant import (
    GrantInput,
    GrantItem,
    compute_grant,
    funded_travel_days,
    great_circle_km,
    physical_days,
)
from apps.mobility.rates import LEARNER, RECENT_GRADUATE, STAFF, RateTables, money, rate_tables_for
from apps.reference.cities import UnknownCity, resolve_city
from apps.reference.models import ActivityType, Country, TravelBand

ACCOMPANYING_PERSON = "accompanying_person"
PARTICIPANT_CATEGORIES = (
    (LEARNER, gettext_lazy("learner")),
    (RECENT_GRADUATE, gettext_lazy("recent graduate")),
    (STAFF, gettext_lazy("staff")),
    (ACCOMPANYING_PERSON, gettext_lazy("accompanying person")),
)
ITEM_LABELS = {
    GrantItem.TRAVEL: gettext_lazy("Travel"),
    GrantItem.INDIVIDUAL_SUPPORT: gettext_lazy("Individual support"),
    GrantItem.ORGANISATIONAL_SUPPORT: gettext_lazy("Organisational support"),
    GrantItem.INCLUSION_SUPPORT: gettext_lazy("Inclusion support"),
    GrantItem.COURSE_FEES: gettext_lazy("Course fees"),
}
# A quote prices one participant as the project's first one (organisational support up to the 100th).
QUOTE_PARTICIPANT_ORDINAL = 1
# The longest one-way great-circle distance on Earth (π × 6371 km): a longer override is a typing error.
MAX_DISTANCE_KM = 20015

# Where check_mobility's fields are in the request (dotted JSON paths); the others have the same name.
_FIELD_PATHS = {
    "category": "participant_category",
    "accompanying": "participant_category",
    "participant": "participant_category",
    "destination_country": "destination.country",
}
# No project: its dates are not checked.
_PROJECT_CODES = {"before_project", "after_project"}


class QuoteInputError(ValueError):
    """The quote cannot be made at all (unknown call year or activity type, negative numbers): the API's 400."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{error['field']}: {error['message']}" for error in errors))
        self.errors = errors


def error(field: str | None, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": str(message)}


# --- What the calculator offers (one query each) ------------------------------------------------------------------


def call_years() -> list[int]:
    """The call years that have rate tables, latest first."""
    return list(TravelBand.objects.order_by("-call_year").values_list("call_year", flat=True).distinct())


def activity_type_choices() -> list[tuple[str, str]]:
    """The activity types the programme funds, as (code, "code: label")."""
    return [
        (activity.code, f"{activity.code}: {activity}") for activity in ActivityType.objects.filter(in_fers_scope=True)
    ]


def country_choices() -> list[tuple[str, str]]:
    """The programme's countries, as (ISO code, name in the active language), by name."""
    return sorted(((country.iso2, country.display_name) for country in Country.objects.all()), key=lambda c: c[1])


# --- The quote ----------------------------------------------------------------------------------------------------


def grant_quote(data: Mapping) -> dict:
    """Quote the grant of one mobility described by ``data`` (the API's fields as Python values).

    Returns ``{"eligible", "errors", "distance_km", "distance_band", "duration_days", "funded_travel_days",
    "lines", "total"}``; raises ``QuoteInputError`` when the call year or the activity type is unknown.
    """
    _check_numbers(data)
    call_year, code = data["call_year"], data["activity_type"]
    category = data["participant_category"]
    problems = []
    if category not in dict(PARTICIPANT_CATEGORIES):
        problems.append(error("participant_category", "invalid_choice", _("Unknown participant category.")))
    years = call_years()
    if call_year not in years:
        message = _("There are no rate tables for call year %(year)s; the call years are %(years)s.") % {
            "year": call_year,
            "years": ", ".join(map(str, years)),
        }
        problems.append(error("call_year", "unknown_call_year", message))
    activity = ActivityType.objects.filter(code=code).first()
    if activity is None:
        message = _("Unknown activity type “%(code)s”; the programme's activity types are %(codes)s.") % {
            "code": code,
            "codes": ", ".join(code for code, _label in activity_type_choices()),
        }
        problems.append(error("activity_type", "unknown_activity_type", message))
    if problems:
        raise QuoteInputError(problems)
    return _quote(data, rate_tables_for(call_year), activity)


def _check_numbers(data: Mapping) -> None:
    problems = [
        error(name, "min_value", MinValueValidator(0).message % {"limit_value": 0})
        for name in ("travel_days", "course_days", "distance_km")
        if (data.get(name) or 0) < 0
    ]
    if problems:
        raise QuoteInputError(problems)


def _quote(data: Mapping, tables: RateTables, activity) -> dict:
    category = data["participant_category"]
    accompanying = category == ACCOMPANYING_PERSON
    category = STAFF if accompanying else category  # accompanying persons: staff rates
    start, end = data["start_date"], data["end_date"]
    travel_days, course_days = data.get("travel_days") or 0, data.get("course_days") or 0
    green, fewer = bool(data.get("green_travel")), bool(data.get("fewer_opportunities"))
    origin_country = _country(data["origin"])
    destination_country = _country(data["destination"])
    countries = tables.support_groups

    errors = []
    if not activity.in_fers_scope:
        message = _("The programme does not fund %(type)s.") % {"type": activity.code}
        errors.append(error("activity_type", "not_in_programme", message))
    if origin_country not in countries:
        message = _("“%(country)s” is not one of the programme's countries.") % {"country": origin_country}
        errors.append(error("origin.country", "unknown_country", message))
    distance, city_errors = _distance(data, countries)
    errors += city_errors
    violations = check_mobility(
        EligibilityInput(
            activity=ActivityRules.of(activity),
            category=category,
            sending_country=origin_country,
            destination_country=destination_country,
            eligible_countries=countries,
            start_date=start,
            end_date=end,
            project_start=date.min,  # no project
            project_end=date.max,
            accompanying=accompanying,
            fewer_opportunities=fewer,
            graduation_date=data.get("graduation_date"),
            travel_days=travel_days,
            course_days=course_days,
        )
    )
    errors += [
        error(_FIELD_PATHS.get(violation.field, violation.field), violation.code, violation.message)
        for violation in violations
        if violation.code not in _PROJECT_CODES
    ]

    dates_valid = end >= start
    support_priced = dates_valid and destination_country in countries
    grant_input = GrantInput(
        category=category,
        destination_country=destination_country,
        start_date=start,
        end_date=end,
        travel_days=travel_days,
        green_travel=green,
        accompanying=accompanying,
        fewer_opportunities=fewer,
        participant_ordinal=None if accompanying else QUOTE_PARTICIPANT_ORDINAL,
        activity_course_fees=activity.course_fees,
        course_days=course_days,
        distance_km=0 if distance is None else distance,  # no distance: no travel line
    )
    if not support_priced:
        # Price everything else on stand-in dates and country, then leave individual support out.
        stand_in = next(iter(countries), destination_country)
        grant_input = replace(grant_input, end_date=start, destination_country=stand_in)
    result = compute_grant(grant_input, tables)
    lines = [line for line in result.lines if support_priced or line.item != GrantItem.INDIVIDUAL_SUPPORT]
    band = tables.band_for(distance) if distance is not None else None
    return {
        "eligible": not errors,
        "errors": errors,
        "distance_km": distance,
        "distance_band": _band_label(band),
        "duration_days": physical_days(start, end) if dates_valid else None,
        "funded_travel_days": funded_travel_days(travel_days, green=green),
        "lines": [
            {"item": str(line.item), "amount": str(line.amount), "explanation": str(line.explanation)} for line in lines
        ],
        "total": str(money(sum((line.amount for line in lines), Decimal(0)))),
    }


def _country(place: Mapping) -> str:
    return str(place.get("country") or "").strip().upper()


def _distance(data: Mapping, countries: Mapping) -> tuple[int | None, list[dict]]:
    """The distance in whole km (the override, or between the two cities) and the cities that were not found."""
    if data.get("distance_km") is not None:
        return int(data["distance_km"]), []  # the override replaces the cities' distance: no look-up
    errors, coordinates = [], []
    for end in ("origin", "destination"):
        place = data[end]
        if _country(place) not in countries:
            continue  # said once, on the country
        try:
            city = resolve_city(place["city"], _country(place))
        except UnknownCity as exc:
            errors.append(error(f"{end}.city", "unknown_city", str(exc)))
        else:
            coordinates += [city.latitude, city.longitude]
    if errors or len(coordinates) < 4:
        return None, errors
    return great_circle_km(*coordinates), []


def _band_label(band) -> str | None:
    if band is None:
        return None
    return f"{band.min_km}-{band.max_km}" if band.max_km is not None else f"{band.min_km}+"
