"""The grant of one mobility (RULES.md, "Grant per mobility"), as pure functions over plain values.

``compute_grant`` takes a ``GrantInput`` and one call year's ``RateTables``
and returns the grant lines that apply, each with its amount, a translatable
explanation and a machine-readable ``basis`` (JSON-safe: amounts as strings).
It assumes the mobility passed ``eligibility.check_mobility``; input that no
calculation can make sense of raises ``GrantInputError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from apps.mobility.rates import (
    COURSE_FEE,
    INCLUSION_SUPPORT,
    LEARNER_RATES,
    ORGANISATIONAL_SUPPORT,
    ORGANISATIONAL_SUPPORT_OVER_100,
    RateTables,
    money,
    rate_category_for,
)

EARTH_RADIUS_KM = 6371
# Funded travel days (RULES.md, "Grant per mobility", 2): no CSV holds them.
MAX_FUNDED_TRAVEL_DAYS_STANDARD = 2
MAX_FUNDED_TRAVEL_DAYS_GREEN = 6
# Days paid at the first individual support rate (the tables' "eur_per_day_1_14").
FIRST_RATE_DAYS = 14
# Organisational support: the higher amount up to the project's 100th participant (other_unit_costs.csv items).
ORGANISATIONAL_SUPPORT_FULL_UP_TO = 100


class GrantItem(StrEnum):
    TRAVEL = "travel"
    INDIVIDUAL_SUPPORT = "individual_support"
    ORGANISATIONAL_SUPPORT = "organisational_support"
    INCLUSION_SUPPORT = "inclusion_support"
    COURSE_FEES = "course_fees"


class GrantInputError(ValueError):
    """The input cannot be priced (dates reversed, negative days, no distance, ...)."""


@dataclass(frozen=True)
class GrantInput:
    category: str  # "learner" | "recent_graduate" | "staff" (rates.CATEGORIES)
    destination_country: str  # ISO 3166 alpha-2 of the host
    start_date: date  # physical activity, travel days excluded
    end_date: date
    travel_days: int = 0  # declared
    green_travel: bool = False
    accompanying: bool = False
    fewer_opportunities: bool = False
    participant_ordinal: int | None = None  # 1-based order in the project; None for accompanying persons
    activity_course_fees: bool = False  # ActivityType.course_fees
    course_days: int = 0
    # Either a distance (an override, whole km) or both ends' (latitude, longitude).
    distance_km: int | None = None
    origin: tuple[float, float] | None = None
    destination: tuple[float, float] | None = None


@dataclass(frozen=True)
class GrantLine:
    item: GrantItem
    amount: Decimal
    explanation: str
    basis: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GrantTexts:
    """The explanations' wording in one language. ``compute_grant`` translates it for every grant unless given
    one: an import prices thousands of mobilities in one language, and gettext costs more than the arithmetic."""

    travel: str
    green_travel: str
    green_travel_no_amount: str
    standard_travel: str
    individual_support: str
    learner: str
    staff: str
    organisational_support: str
    organisational_support_over_100: str
    inclusion_support: str
    course_fees: str
    course_fees_capped: str


def grant_texts() -> GrantTexts:
    """The explanations' wording in the active language."""
    return GrantTexts(
        travel=_("%(km)s km, band %(band)s km, %(mode)s: %(amount)s EUR (call %(year)s)"),
        green_travel=_("green travel"),
        green_travel_no_amount=_("green travel (the band has no green amount: standard amount)"),
        standard_travel=_("standard travel"),
        individual_support=_(
            "%(days)s support days (%(physical)s days of activity + %(travel)s travel days), country group "
            "%(group)s, %(category)s rates: %(computation)s = %(amount)s EUR (call %(year)s)"
        ),
        learner=_("learner"),
        staff=_("staff"),
        organisational_support=_(
            "Participant no. %(n)s of the project (up to the 100th): %(amount)s EUR (call %(year)s)"
        ),
        organisational_support_over_100=_(
            "Participant no. %(n)s of the project (from the 101st): %(amount)s EUR (call %(year)s)"
        ),
        inclusion_support=_("Participant with fewer opportunities: %(amount)s EUR (call %(year)s)"),
        course_fees=_("%(days)s course days × %(rate)s EUR = %(amount)s EUR (call %(year)s)"),
        course_fees_capped=_(
            "%(days)s course days × %(rate)s EUR = %(amount)s EUR (at most %(cap)s days per participant, call %(year)s)"
        ),
    )


@dataclass(frozen=True)
class GrantResult:
    call_year: int
    lines: tuple[GrantLine, ...]
    total: Decimal
    distance_km: int

    def amount(self, item: str) -> Decimal:
        """The line's amount, 0.00 when the line does not apply."""
        return next((line.amount for line in self.lines if line.item == item), money(0))


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Haversine distance on a sphere of radius 6371 km, rounded down to whole km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi, half_dlambda = math.radians(lat2 - lat1) / 2, math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return math.floor(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))))


def physical_days(start: date, end: date) -> int:
    """Days of the physical activity, counted inclusively from start to end."""
    return (end - start).days + 1


def funded_travel_days(declared: int, *, green: bool) -> int:
    """At most 2 travel days with standard travel, at most 6 with green travel; never more than declared."""
    return min(declared, MAX_FUNDED_TRAVEL_DAYS_GREEN if green else MAX_FUNDED_TRAVEL_DAYS_STANDARD)


def compute_grant(data: GrantInput, tables: RateTables, texts: GrantTexts | None = None) -> GrantResult:
    """The grant's lines and total; ``texts``: the explanations' wording (``grant_texts()`` when not given)."""
    _validate(data)
    distance = _distance(data)
    texts = texts or grant_texts()
    lines = [
        _travel(data, distance, tables, texts),
        _individual_support(data, tables, texts),
        _organisational_support(data, tables, texts),
        _inclusion_support(data, tables, texts),
        _course_fees(data, tables, texts),
    ]
    lines = tuple(line for line in lines if line is not None)
    return GrantResult(tables.call_year, lines, money(sum((line.amount for line in lines), Decimal(0))), distance)


def _validate(data: GrantInput) -> None:
    if data.end_date < data.start_date:
        raise GrantInputError("the mobility ends before it starts")
    if data.travel_days < 0 or data.course_days < 0:
        raise GrantInputError("travel days and course days cannot be negative")
    if not data.accompanying and (data.participant_ordinal is None or data.participant_ordinal < 1):
        raise GrantInputError("a participant needs an ordinal in the project, from 1")


def _distance(data: GrantInput) -> int:
    if data.distance_km is not None:
        if data.distance_km < 0:
            raise GrantInputError("the distance cannot be negative")
        return int(data.distance_km)
    if data.origin is None or data.destination is None:
        raise GrantInputError("give the distance or the coordinates of both cities")
    return great_circle_km(*data.origin, *data.destination)


def _travel(data: GrantInput, distance: int, tables: RateTables, texts: GrantTexts) -> GrantLine | None:
    band = tables.band_for(distance)
    if band is None:
        return None
    green_amount_used = data.green_travel and band.green is not None
    amount = band.green if green_amount_used else band.standard
    band_text = f"{band.min_km}–{band.max_km}" if band.max_km is not None else f"{band.min_km}+"
    if green_amount_used:
        mode = texts.green_travel
    elif data.green_travel:
        mode = texts.green_travel_no_amount
    else:
        mode = texts.standard_travel
    explanation = texts.travel % {
        "km": distance,
        "band": band_text,
        "mode": mode,
        "amount": amount,
        "year": tables.call_year,
    }
    basis = {
        "call_year": tables.call_year,
        "distance_km": distance,
        "band_min_km": band.min_km,
        "band_max_km": band.max_km,
        "green_travel": data.green_travel,
        "green_amount_used": green_amount_used,
        "rate": str(amount),
    }
    return GrantLine(GrantItem.TRAVEL, money(amount), explanation, basis)


def _individual_support(data: GrantInput, tables: RateTables, texts: GrantTexts) -> GrantLine:
    group = tables.support_group(data.destination_country)
    if group is None:
        raise GrantInputError(f"{data.destination_country} is not an eligible country")
    category = rate_category_for(data.category, accompanying=data.accompanying)
    rate = tables.support_rate(group, category)
    physical = physical_days(data.start_date, data.end_date)
    travel = funded_travel_days(data.travel_days, green=data.green_travel)
    days = physical + travel
    first_days, later_days = min(days, FIRST_RATE_DAYS), max(days - FIRST_RATE_DAYS, 0)
    amount = money(first_days * rate.per_day_1_14 + later_days * rate.per_day_from_15)
    computation = f"{first_days} × {rate.per_day_1_14}"
    if later_days:
        computation += f" + {later_days} × {rate.per_day_from_15}"
    explanation = texts.individual_support % {
        "days": days,
        "physical": physical,
        "travel": travel,
        "group": group,
        "category": texts.learner if category == LEARNER_RATES else texts.staff,
        "computation": computation,
        "amount": amount,
        "year": tables.call_year,
    }
    basis = {
        "call_year": tables.call_year,
        "support_group": group,
        "rate_category": category,
        "physical_days": physical,
        "declared_travel_days": data.travel_days,
        "funded_travel_days": travel,
        "support_days": days,
        "days_1_14": first_days,
        "rate_1_14": str(rate.per_day_1_14),
        "days_from_15": later_days,
        "rate_from_15": str(rate.per_day_from_15),
    }
    return GrantLine(GrantItem.INDIVIDUAL_SUPPORT, amount, explanation, basis)


def _organisational_support(data: GrantInput, tables: RateTables, texts: GrantTexts) -> GrantLine | None:
    if data.accompanying:
        return None
    ordinal = data.participant_ordinal
    item = ORGANISATIONAL_SUPPORT if ordinal <= ORGANISATIONAL_SUPPORT_FULL_UP_TO else ORGANISATIONAL_SUPPORT_OVER_100
    amount = tables.unit_cost(item).eur
    text = texts.organisational_support if item == ORGANISATIONAL_SUPPORT else texts.organisational_support_over_100
    explanation = text % {"n": ordinal, "amount": amount, "year": tables.call_year}
    basis = {"call_year": tables.call_year, "participant_ordinal": ordinal, "unit_cost": item, "rate": str(amount)}
    return GrantLine(GrantItem.ORGANISATIONAL_SUPPORT, money(amount), explanation, basis)


def _inclusion_support(data: GrantInput, tables: RateTables, texts: GrantTexts) -> GrantLine | None:
    if not data.fewer_opportunities or data.accompanying:
        return None
    amount = tables.unit_cost(INCLUSION_SUPPORT).eur
    explanation = texts.inclusion_support % {
        "amount": amount,
        "year": tables.call_year,
    }
    basis = {"call_year": tables.call_year, "unit_cost": INCLUSION_SUPPORT, "rate": str(amount)}
    return GrantLine(GrantItem.INCLUSION_SUPPORT, money(amount), explanation, basis)


def _course_fees(data: GrantInput, tables: RateTables, texts: GrantTexts) -> GrantLine | None:
    if not data.activity_course_fees or data.course_days <= 0:
        return None
    cost = tables.unit_cost(COURSE_FEE)
    cap = cost.cap_number
    days = data.course_days if cap is None else min(data.course_days, cap)
    amount = money(days * cost.eur)
    text = texts.course_fees if cap is None else texts.course_fees_capped  # None: the agency removed the cap
    explanation = text % {"days": days, "rate": cost.eur, "amount": amount, "cap": cap, "year": tables.call_year}
    basis = {
        "call_year": tables.call_year,
        "course_days": data.course_days,
        "funded_course_days": days,
        "cap_days": cap,
        "rate": str(cost.eur),
    }
    return GrantLine(GrantItem.COURSE_FEES, amount, explanation, basis)
