import csv
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from apps.reference.loaders import DATA_DIR, load_reference_data
from apps.reference.models import (
    ActivityType,
    Country,
    IndividualSupportRate,
    KeyCompetence,
    Region,
    ReportOutcomeStatement,
    TravelBand,
    UnitCost,
)

pytestmark = pytest.mark.django_db


def _count(name):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_every_csv_row_is_loaded():
    assert Country.objects.count() == _count("countries.csv")
    assert Region.objects.count() == _count("regions_pl.csv")
    assert ActivityType.objects.count() == _count("activity_types.csv")
    assert KeyCompetence.objects.count() == _count("key_competences.csv") == 8
    assert ReportOutcomeStatement.objects.count() == _count("participant_report_outcomes.csv")
    assert TravelBand.objects.count() == _count("travel_bands.csv")
    assert IndividualSupportRate.objects.count() == _count("individual_support.csv")
    assert UnitCost.objects.count() == _count("other_unit_costs.csv")


def test_values_status_and_source_are_kept():
    band = TravelBand.objects.get(call_year=2024, min_km=2000)
    assert (band.max_km, band.standard_eur, band.green_eur, band.status) == (
        2999,
        Decimal("395"),
        Decimal("535"),
        "indicative",
    )
    assert "travel_bands.csv" in band.source
    assert TravelBand.objects.get(call_year=2022, min_km=8000).max_km is None
    assert TravelBand.objects.get(call_year=2022, min_km=10).green_eur is None
    rate = IndividualSupportRate.objects.get(call_year=2024, support_group=2, rate_category="learner")
    assert (rate.eur_per_day_1_14, rate.eur_per_day_from_15, rate.status) == (67, 47, "indicative-derived")
    assert UnitCost.objects.get(call_year=2024, item="inclusion_support_organisation").eur == 125
    assert Country.objects.get(iso2="PT").support_group == 2
    assert Region.objects.get(code="30").name == "wielkopolskie"


def test_loading_again_changes_nothing():
    before = TravelBand.objects.count(), UnitCost.objects.count()
    load_reference_data(django_apps)
    assert (TravelBand.objects.count(), UnitCost.objects.count()) == before


def test_reference_page_filters_by_call_year(client, manager_a):
    client.force_login(manager_a)
    response = client.get("/reference/", {"year": "2024"})
    assert response.status_code == 200
    assert {b.call_year for b in response.context["travel_bands"]} == {2024}
    assert client.get("/reference/", {"year": "abc"}).context["year"] is None


def test_administrator_edits_rates_in_admin_with_history(client, agency_admin):
    client.force_login(agency_admin)
    band = TravelBand.objects.get(call_year=2024, min_km=10)
    response = client.get(f"/admin/reference/travelband/{band.pk}/change/")
    assert response.status_code == 200
    data = {
        "call_year": 2024,
        "status": "official",
        "source": "Programme Guide 2024",
        "min_km": 10,
        "max_km": 99,
        "standard_eur": "29.00",
        "green_eur": "56.00",
    }
    assert client.post(f"/admin/reference/travelband/{band.pk}/change/", data).status_code == 302
    band.refresh_from_db()
    assert band.standard_eur == Decimal("29.00")
    assert band.history.first().history_user == agency_admin
