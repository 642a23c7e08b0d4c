from django.db import connection
from django.db.models import Q

from apps.reference.cities import normalise
from apps.reference.models import (
    ActivityType,
    City,
    CityName,
    Country,
    IndividualSupportRate,
    KeyCompetence,
    Region,
    TravelBand,
    UnitCost,
)


def eligible_countries():
    return Country.objects.all()


def eligible_country_codes() -> set[str]:
    return set(Country.objects.values_list("iso2", flat=True))


def regions_of(country_code: str):
    return Region.objects.filter(country_id=country_code)


def call_years() -> list[int]:
    return sorted(set(TravelBand.objects.values_list("call_year", flat=True)))


def reference_tables(*, call_year: int | None = None) -> dict:
    """Everything the reference page shows, each table one query."""
    rates = {}
    for key, model in (
        ("travel_bands", TravelBand),
        ("support_rates", IndividualSupportRate),
        ("unit_costs", UnitCost),
    ):
        qs = model.objects.all()
        rates[key] = qs.filter(call_year=call_year) if call_year else qs
    return {
        "countries": Country.objects.all(),
        "regions": Region.objects.select_related("country"),
        "activity_types": ActivityType.objects.all(),
        "competences": KeyCompetence.objects.all(),
        **rates,
    }


# --- Cities ---------------------------------------------------------------------------------------------------------

AUTOCOMPLETE_MIN_LENGTH = 2
AUTOCOMPLETE_LIMIT = 20


def _starts_with(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, in a form the database answers from a plain index on ``field``.

    PostgreSQL serves ``LIKE 'pre%'`` from the varchar_pattern_ops indexes; SQLite uses an index for LIKE only
    on NOCASE columns, but the range ``pre <= field < prf`` on its byte-ordered (BINARY) one.
    """
    if connection.vendor == "sqlite":
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": prefix})


def city_autocomplete(q: str, *, country: str | None = None, limit: int = AUTOCOMPLETE_LIMIT) -> list[City]:
    """Cities one of whose names starts with ``q`` (any case and accents), most populous first; one query.

    ``q`` shorter than two characters (once normalised) matches nothing and asks the database nothing.
    """
    key = normalise(q)
    if len(key) < AUTOCOMPLETE_MIN_LENGTH:
        return []
    names = CityName.objects.filter(_starts_with("search_key", key))
    if country:
        names = names.filter(country=country.strip().upper())
    cities = City.objects.filter(pk__in=names.values("city_id")).order_by("-population", "name", "pk")
    return list(cities[:limit])
