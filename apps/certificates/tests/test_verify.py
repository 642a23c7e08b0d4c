"""The public verification page: current, superseded, unknown; what it shows and what it never shows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CertificateFactory, SpecialCategoryDataFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(completed_mobility):
    participant = completed_mobility.participant
    participant.email = "anna.kowalska@private.example"
    participant.birth_date = datetime.date(2005, 3, 14)
    participant.save()
    SpecialCategoryDataFactory(participant=participant)
    return CertificateFactory(mobility=completed_mobility, code="7KQ4M2ZDXW9P")


def verify(client, code):
    return client.get(reverse("certificates:verify", kwargs={"code": code}))


def test_a_current_code_is_confirmed_with_name_activity_dates_and_organisations(client, certificate):
    response = verify(client, "7KQ4-M2ZD-XW9P")
    assert response.status_code == 200
    text = response.content.decode()
    assert "genuine and current" in text
    for expected in (
        "Anna Kowalska",
        "Short-term learning mobility",
        "Sept. 2, 2024",
        "Sept. 29, 2024",
        "Escola Profissional de Lisboa",
        "Organisation A",
        "7KQ4-M2ZD-XW9P",
    ):
        assert expected in text, expected


def test_the_page_leaks_nothing_else(client, certificate):
    text = verify(client, "7KQ4M2ZDXW9P").content.decode()
    mobility = certificate.mobility
    for private in (
        mobility.participant.email,
        "2005",  # date of birth
        "fewer opportunities",
        "economic",
        mobility.project.agreement_number,
        "/mobilities/",
        "certificate.pdf",
        "/media/",
    ):
        assert private not in text, private


def test_typed_codes_are_forgiven(client, certificate):
    assert verify(client, "7kq4-m2zd-xw9p").status_code == 200


def test_a_superseded_code_says_so_and_shows_nothing_of_the_new_version(client, certificate):
    certificate.status = "superseded"
    certificate.superseded_at = timezone.now()
    certificate.save()
    newer = CertificateFactory(mobility=certificate.mobility, version=2, code="ZZZZ9999YYYY")
    response = verify(client, "7KQ4-M2ZD-XW9P")
    assert response.status_code == 200
    text = response.content.decode()
    assert "superseded" in text
    assert "re-issued" in text
    assert newer.code not in text and newer.display_code not in text
    assert "Anna Kowalska" not in text
    assert "Escola Profissional de Lisboa" not in text


def test_an_unknown_code_answers_404_with_a_clear_page(client, certificate):
    response = verify(client, "AAAA-BBBB-CCCC")
    assert response.status_code == 404
    assert "No certificate has this verification code" in response.content.decode()
    assert "certificates/verify_unknown.html" in [t.name for t in response.templates]


def test_what_cannot_be_a_code_answers_404(client, certificate):
    assert verify(client, "not-a-code").status_code == 404


def test_the_form_sends_a_typed_code_to_its_page(client, certificate):
    response = client.get(reverse("certificates:verify_form"), {"code": " 7kq4 m2zd xw9p "})
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("certificates:verify", kwargs={"code": "7KQ4M2ZDXW9P"})


def test_the_form_names_the_field_when_the_code_is_malformed(client):
    response = client.get(reverse("certificates:verify_form"), {"code": "123"})
    assert response.status_code == 200
    assert "twelve letters and digits" in response.content.decode()
    assert response.context["form"].errors["code"]


def test_the_empty_form_opens(client):
    response = client.get(reverse("certificates:verify_form"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_anonymous_look_ups_are_rate_limited_per_address(client, certificate, settings, manager_a):
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 3
    answers = [verify(client, "AAAA-BBBB-CCCC").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert verify(client, "7KQ4-M2ZD-XW9P").status_code == 429
    other = client.get(reverse("certificates:verify", kwargs={"code": "7KQ4M2ZDXW9P"}), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200
    client.force_login(manager_a)
    assert verify(client, "7KQ4-M2ZD-XW9P").status_code == 200  # signed-in users are not limited
