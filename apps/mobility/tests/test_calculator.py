"""The public grant calculator page (/grant-calculator/): the same quote as the API, as a form."""

# The cities fixture is imported from the API's tests and then taken as a test parameter,
# which pyflakes calls a redefinition.
# ruff: noqa: F811

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.mobility.tests.test_quote_api import cities  # noqa: F401  (fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("mobility:calculator")
# RULES.md's worked example, as the form posts it.
EXAMPLE = {
    "call_year": "2024",
    "activity_type": "LM-SHORT-VET",
    "participant_category": "learner",
    "start_date": "2024-09-02",
    "end_date": "2024-09-29",
    "travel_days": "2",
    "origin_city": "Gdańsk",
    "origin_country": "PL",
    "destination_city": "Lisbon",
    "destination_country": "PT",
    "fewer_opportunities": "on",
}


def field_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def invalid_inputs(html: str) -> set[str]:
    """The ids of the inputs marked invalid (what a screen reader and the eye see next to the field)."""
    return set(re.findall(r'<(?:input|select)[^>]*class="[^"]*is-invalid[^"]*"[^>]*id="([^"]+)"', html)) | set(
        re.findall(r'<(?:input|select)[^>]*id="([^"]+)"[^>]*class="[^"]*is-invalid', html)
    )


def test_the_page_is_public_and_offers_the_reference_data(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "mobility/calculator.html" in [template.name for template in response.templates]
    form = response.context["form"]
    activity_codes = [code for code, _label in form.fields["activity_type"].choices if code]
    # Only what the programme funds: not ErasmusPro (LM-LONG-VET).
    assert activity_codes == ["LM-SHORT-VET", "LM-SKILL-VET", "SM-COUR-TRAIN", "SM-JOB-SHDW", "SM-TTA"]
    assert [year for year, _label in form.fields["call_year"].choices] == [2024, 2023, 2022]
    countries = dict(form.fields["destination_country"].choices)
    assert countries["PT"] == "Portugal" and "US" not in countries and len(countries) == 34  # 33 and "---------"
    html = response.content.decode()
    assert re.search(r'<label\s+for="id_origin_city"', html) and '<meta name="viewport"' in html
    assert reverse("api:docs") in html
    assert response.context["quote"] is None


def test_the_page_computes_the_worked_example(client, cities, django_assert_max_num_queries):
    # Three for the form's choices, eight for the quote (as the API), the rest for the page's layout.
    with django_assert_max_num_queries(12):
        response = client.post(URL, EXAMPLE)
    assert response.status_code == 200
    quote = response.context["quote"]
    assert quote["eligible"] and not field_errors(response)
    assert [(line["item"], line["amount"]) for line in quote["lines"]] == [
        ("travel", "395.00"),
        ("individual_support", "1690.00"),
        ("organisational_support", "350.00"),
        ("inclusion_support", "125.00"),
    ]
    assert quote["total"] == "2560.00"
    html = response.content.decode()
    assert 'id="quote-total">2,560.00<' in html
    assert "14 × 67.00 + 16 × 47.00 = 1690.00 EUR" in html
    assert "2715 km, band 2000–2999 km" in html
    assert "Participant no. 1 of the project (up to the 100th)" in html
    for label in ("Travel", "Individual support", "Organisational support", "Inclusion support"):
        assert f'<th scope="row">{label}</th>' in html


def test_signed_in_users_use_it_too(client, cities):
    client.force_login(UserFactory(email="someone@test.example"))
    response = client.post(URL, EXAMPLE)
    assert response.context["quote"]["total"] == "2560.00"


def test_the_page_speaks_polish(client, cities):
    response = client.post(URL, EXAMPLE, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert 'id="quote-total">2\xa0560,00<' in response.content.decode()


def test_rule_breaks_are_shown_next_to_their_fields_with_the_lines(client, cities):
    response = client.post(URL, {**EXAMPLE, "origin_city": "Nowhere", "end_date": "2024-12-31"})
    assert response.status_code == 200
    errors = field_errors(response)
    assert set(errors) == {"origin_city", "end_date"}
    assert "No city called “Nowhere” in Poland (PL)." in errors["origin_city"][0]
    assert "89" in errors["end_date"][0]
    quote = response.context["quote"]
    assert not quote["eligible"] and [line["item"] for line in quote["lines"]][0] == "individual_support"
    html = response.content.decode()
    assert {"id_origin_city", "id_end_date"} <= invalid_inputs(html)
    assert "This mobility would not be eligible:" in html
    assert 'href="#id_origin_city"' in html  # the summary links to the field


def test_same_country_is_shown_on_the_host_country(client, cities):
    response = client.post(URL, {**EXAMPLE, "destination_city": "Warsaw", "destination_country": "PL"})
    assert set(field_errors(response)) == {"destination_country"}


def test_accompanying_person_on_a_staff_activity_is_shown_on_the_participant(client, cities):
    data = {**EXAMPLE, "activity_type": "SM-JOB-SHDW", "participant_category": "accompanying_person"}
    del data["fewer_opportunities"]
    response = client.post(URL, data)
    assert set(field_errors(response)) == {"participant_category"}


def test_distance_override(client):
    data = {**EXAMPLE, "origin_city": "Anywhere", "destination_city": "Elsewhere", "distance_km": "150"}
    quote = client.post(URL, data).context["quote"]
    assert (quote["eligible"], quote["distance_band"], quote["lines"][0]["amount"]) == (True, "100-499", "211.00")


def test_an_empty_form_says_what_is_required(client):
    response = client.post(URL, {})
    assert response.status_code == 200
    assert response.context["quote"] is None
    assert set(field_errors(response)) == {
        "call_year",
        "activity_type",
        "participant_category",
        "start_date",
        "end_date",
        "origin_city",
        "origin_country",
        "destination_city",
        "destination_country",
    }
    assert "Please correct the following:" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"call_year": "2021"}, "call_year"),
        ({"activity_type": "LM-LONG-VET"}, "activity_type"),  # not offered
        ({"destination_country": "US"}, "destination_country"),
        ({"start_date": "2024-02-30"}, "start_date"),
        ({"travel_days": "-1"}, "travel_days"),
        ({"distance_km": "-5"}, "distance_km"),
    ],
)
def test_bad_values_are_form_errors(client, changes, field):
    response = client.post(URL, {**EXAMPLE, **changes})
    assert set(field_errors(response)) == {field}
    assert response.context["quote"] is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(sorted(EXAMPLE) + ["distance_km", "course_days"]), st.text(max_size=12)))
def test_no_form_input_causes_a_server_error(client, changes):
    assert client.post(URL, {**EXAMPLE, **changes}).status_code == 200
