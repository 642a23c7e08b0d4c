import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.organisations.models import Membership, Organisation
from apps.reference.models import Region
from tests.factories import HostOrganisationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _form_data(**changes):
    region = Region.objects.get(country_id="PL", code="14")
    return {
        "oid": "E10000009",
        "pic": "",
        "legal_name": "Technikum Mechaniczne",
        "short_name": "",
        "kind": "vet_school",
        "country": "PL",
        "region": region.pk,
        "city": "Radom",
        "address": "",
        "website": "",
        "contact_email": "",
        **changes,
    }


def test_officer_lists_searches_and_filters(client, officer):
    OrganisationFactory(legal_name="Technikum Rolnicze", city="Kalisz")
    OrganisationFactory(legal_name="Szkoła Morska", city="Gdynia", region=Region.objects.get(code="22"))
    HostOrganisationFactory(legal_name="Escola de Hotelaria")
    client.force_login(officer)
    url = reverse("organisations:list")
    names = lambda response: [o.legal_name for o in response.context["page"]]  # noqa: E731
    assert len(names(client.get(url))) == 3
    assert names(client.get(url, {"q": "rolnicze"})) == ["Technikum Rolnicze"]
    assert names(client.get(url, {"region": Region.objects.get(code="22").pk})) == ["Szkoła Morska"]
    assert names(client.get(url, {"country": "PT"})) == ["Escola de Hotelaria"]
    assert names(client.get(url, {"kind": "company"})) == []


def test_list_paginates_with_constant_queries(client, officer):
    client.force_login(officer)
    OrganisationFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("organisations:list")).status_code == 200
    OrganisationFactory.create_batch(60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("organisations:list"), {"page": 2})
    assert len(response.context["page"]) == 25
    assert len(many) == len(few)


def test_officer_creates_an_organisation(client, officer):
    client.force_login(officer)
    response = client.post(reverse("organisations:create"), _form_data())
    organisation = Organisation.objects.get(oid="E10000009")
    assert response.status_code == 302 and response["Location"] == reverse(
        "organisations:detail", args=[organisation.pk]
    )


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, officer):
    client.force_login(officer)
    response = client.post(reverse("organisations:create"), _form_data(oid="E123", region=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert "oid" in form.errors and "region" in form.errors
    assert not Organisation.objects.filter(legal_name="Technikum Mechaniczne").exists()


def test_host_country_must_be_eligible(client, officer):
    client.force_login(officer)
    response = client.post(reverse("organisations:create"), _form_data(country="US", region=""))
    assert "country" in response.context["form"].errors


def test_manager_edits_own_organisation(client, manager_a, organisation_a):
    client.force_login(manager_a)
    data = _form_data(oid=organisation_a.oid, legal_name="Nowa nazwa")
    response = client.post(reverse("organisations:edit", args=[organisation_a.pk]), data)
    assert response.status_code == 302
    organisation_a.refresh_from_db()
    assert organisation_a.legal_name == "Nowa nazwa"


def test_contributor_cannot_edit_and_outsider_gets_404(client, contributor_a, manager_b, organisation_a):
    client.force_login(contributor_a)
    assert client.get(reverse("organisations:detail", args=[organisation_a.pk])).status_code == 200
    assert client.get(reverse("organisations:edit", args=[organisation_a.pk])).status_code == 403
    client.force_login(manager_b)
    for name in ("detail", "edit", "invite"):
        assert client.get(reverse(f"organisations:{name}", args=[organisation_a.pk])).status_code == 404


def test_invitation_journey_for_a_new_person(
    client, manager_a, organisation_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", args=[organisation_a.pk]),
            {"email": "fresh@test.example", "role": "contributor"},
        )
    assert response.status_code == 302
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/invitations/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()

    closed = client.get("/accounts/signup/")  # sign-up is by invitation only
    assert "signup_closed" in closed.templates[0].name
    response = client.get("/" + path)
    assert response.status_code == 200 and "fresh@test.example" in response.content.decode()
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@test.example", "password1": "Long-Enough-Pass-1", "password2": "Long-Enough-Pass-1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="fresh@test.example", organisation=organisation_a).exists()


def test_invalid_invitation_token_is_404(client):
    assert client.get(reverse("organisations:invitation", args=["nope"])).status_code == 404


def test_invite_form_reports_existing_member(client, manager_a, organisation_a):
    client.force_login(manager_a)
    response = client.post(
        reverse("organisations:invite", args=[organisation_a.pk]), {"email": manager_a.email, "role": "manager"}
    )
    assert response.status_code == 200
    assert "already a member" in str(response.context["form"].errors["email"])
