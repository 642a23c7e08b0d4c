"""One call year's rate tables, read from the reference data the migration loaded from the CSV files."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.mobility.rates import (
    RateTables,
    SupportRate,
    TravelBandRate,
    UnitCostRate,
    UnknownCallYear,
    rate_category_for,
    rate_tables_for,
    rate_tables_from_csv,
)
from apps.reference.models import TravelBand, UnitCost

D = Decimal


@pytest.mark.django_db
def test_rate_tables_for_2024_match_the_csv_rows():
    tables = rate_tables_for(2024)
    assert tables.call_year == 2024
    # travel_bands.csv: 2024,2000,2999,395,535 / 2024,8000,,1735,1735
    assert tables.band_for(2715) == TravelBandRate(2000, 2999, D("395.00"), D("535.00"))
    assert tables.travel_bands[-1] == TravelBandRate(8000, None, D("1735.00"), D("1735.00"))
    assert len(tables.travel_bands) == 7
    # individual_support.csv: 2024,2,learner,67,47 / 2024,1,staff,139,97
    assert tables.support_rate(2, "learner") == SupportRate(D("67.00"), D("47.00"))
    assert tables.support_rate(1, "staff") == SupportRate(D("139.00"), D("97.00"))
    # other_unit_costs.csv
    assert tables.unit_cost("inclusion_support_organisation").eur == D("125.00")
    assert tables.unit_cost("course_fee") == UnitCostRate(D("80.00"), "10 days per participant")
    assert tables.unit_cost("course_fee").cap_number == 10
    # countries.csv
    assert tables.support_group("PT") == 2
    assert tables.support_group("DK") == 1
    assert tables.support_group("US") is None
    assert len(tables.support_groups) == 33


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_database_and_csv_tables_agree(year):
    assert rate_tables_for(year) == rate_tables_from_csv(year)


@pytest.mark.django_db
def test_2022_bands_without_green_amount():
    tables = rate_tables_for(2022)
    assert tables.band_for(50) == TravelBandRate(10, 99, D("23.00"), None)
    assert tables.band_for(9) is None


@pytest.mark.django_db
def test_a_few_queries_only():
    with CaptureQueriesContext(connection) as queries:
        rate_tables_for(2024)
    assert len(queries) == 4


@pytest.mark.django_db
def test_corrections_in_the_reference_data_are_read():
    TravelBand.objects.filter(call_year=2024, min_km=2000).update(standard_eur=D("400"))
    UnitCost.objects.filter(call_year=2024, item="course_fee").update(cap="8 days per participant")
    tables = rate_tables_for(2024)
    assert tables.band_for(2500).standard == D("400.00")
    assert tables.unit_cost("course_fee").cap_number == 8


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2021, 2025])
def test_unknown_call_year(year):
    with pytest.raises(UnknownCallYear, match=rf"call year {year}.*known call years: 2022, 2023, 2024"):
        rate_tables_for(year)


@pytest.mark.django_db
def test_incomplete_call_year_is_refused():
    UnitCost.objects.filter(call_year=2024).delete()
    with pytest.raises(UnknownCallYear, match="missing: unit costs"):
        rate_tables_for(2024)


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_the_preparatory_visit_cap_in_the_table_agrees_with_the_rules(year):
    from apps.mobility.eligibility import PREPARATORY_VISIT_MAX_PERSONS

    assert rate_tables_for(year).unit_cost("preparatory_visit").cap_number == PREPARATORY_VISIT_MAX_PERSONS


# --- without the database ----------------------------------------------------------------------------------------


def test_build_by_hand():
    tables = RateTables.build(
        2030,
        travel_bands=[(100, None, "200", None), (10, 99, 20, "25.5")],
        individual_support={(1, "learner"): (10, "5.5")},
        unit_costs={"course_fee": (80, "10 days per participant"), "organisational_support": 350},
        support_groups={"PT": 2},
    )
    assert [band.min_km for band in tables.travel_bands] == [10, 100]
    assert tables.band_for(99).green == D("25.50")
    assert tables.band_for(100_000).standard == D("200.00")
    assert tables.support_rate(1, "learner") == SupportRate(D("10.00"), D("5.50"))
    assert tables.unit_cost("organisational_support") == UnitCostRate(D("350.00"), "")
    assert tables.unit_cost("organisational_support").cap_number is None
    with pytest.raises(LookupError, match="no staff rate for country group 1"):
        tables.support_rate(1, "staff")
    with pytest.raises(LookupError, match="no unit cost 'inclusion_support_organisation'"):
        tables.unit_cost("inclusion_support_organisation")
    with pytest.raises(TypeError):
        tables.support_groups["PL"] = 3


def test_overlapping_bands_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        RateTables.build(
            2030,
            travel_bands=[(10, 100, 1, None), (100, None, 2, None)],
            individual_support={},
            unit_costs={},
            support_groups={},
        )


@pytest.mark.parametrize(
    ("cap", "number"),
    [
        pytest.param("10 days per participant", 10, id="days"),
        pytest.param("3 persons per visit", 3, id="persons"),
        pytest.param("", None, id="no-cap"),
    ],
)
def test_cap_number(cap, number):
    assert UnitCostRate(D("80.00"), cap).cap_number == number


def test_unreadable_cap():
    with pytest.raises(ValueError, match="cannot read a number"):
        _ = UnitCostRate(D("80.00"), "ten days").cap_number


def test_unknown_year_in_the_csv_files():
    with pytest.raises(UnknownCallYear):
        rate_tables_from_csv(2019)


@pytest.mark.parametrize(
    ("category", "accompanying", "rates"),
    [
        pytest.param("learner", False, "learner", id="learner"),
        pytest.param("recent_graduate", False, "learner", id="recent-graduate"),
        pytest.param("staff", False, "staff", id="staff"),
        pytest.param("learner", True, "staff", id="accompanying-person"),
        pytest.param("staff", True, "staff", id="accompanying-staff"),
    ],
)
def test_rate_category_for(category, accompanying, rates):
    assert rate_category_for(category, accompanying=accompanying) == rates


def test_rate_category_for_unknown_category():
    with pytest.raises(ValueError, match="unknown participant category"):
        rate_category_for("teacher", accompanying=False)
