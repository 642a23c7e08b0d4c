from apps.reference.models import (
    ActivityType,
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
