import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reference.models import ActivityType, Region
from tests.factories import (
    ApplicationFactory,
    HostOrganisationFactory,
    MobilityFactory,
    OrganisationFactory,
    ProjectFactory,
    SpecialCategoryDataFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.MFA_REQUIRED_FOR_AGENCY = False


def _pomorskie():
    return Region.objects.get(country_id="PL", code="22")


# --- Projects ---------------------------------------------------------------------------------------


def test_projects_list_filters_and_searches(client, officer):
    gdynia = OrganisationFactory(legal_name="Szkoła Morska", region=_pomorskie())
    sea = ProjectFactory(
        agreement_number="2023-1-PL01-KA122-VET-000000001-GA",
        application=ApplicationFactory(
            organisation=gdynia, number="2023-1-PL01-KA122-VET-000000777", status="contracted", call__year=2023
        ),
        status="running",
    )
    land = ProjectFactory()
    MobilityFactory.create_batch(2, project=land)
    client.force_login(officer)
    url = reverse("reports:projects")
    rows = lambda response: [p.agreement_number for p in response.context["page"]]  # noqa: E731

    assert sorted(rows(client.get(url))) == sorted([sea.agreement_number, land.agreement_number])
    assert rows(client.get(url, {"call_year": 2023})) == [sea.agreement_number]
    assert rows(client.get(url, {"region": _pomorskie().pk})) == [sea.agreement_number]
    assert rows(client.get(url, {"status": "contracted"})) == [land.agreement_number]
    assert rows(client.get(url, {"q": "morska"})) == [sea.agreement_number]
    assert rows(client.get(url, {"q": "000000777"})) == [sea.agreement_number]
    assert rows(client.get(url, {"q": "000000001-GA"})) == [sea.agreement_number]
    counts = {p.agreement_number: p.mobility_count for p in client.get(url).context["page"]}
    assert counts == {sea.agreement_number: 0, land.agreement_number: 2}


def test_projects_list_paginates_with_constant_queries(client, officer):
    client.force_login(officer)
    for project in ProjectFactory.create_batch(3):
        MobilityFactory(project=project)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:projects")).status_code == 200
    ProjectFactory.create_batch(60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reports:projects"), {"page": 2})
    assert len(response.context["page"]) == 13
    assert len(many) == len(few)


# --- Mobilities -------------------------------------------------------------------------------------


def test_mobilities_list_filters(client, officer):
    gdynia = OrganisationFactory(region=_pomorskie())
    old_call = ProjectFactory(application=ApplicationFactory(organisation=gdynia, status="contracted", call__year=2023))
    staff_type = ActivityType.objects.get(code="SM-JOB-SHDW")
    lisbon = MobilityFactory(status="planned")
    madrid = MobilityFactory(
        project=old_call,
        activity_type=staff_type,
        host=HostOrganisationFactory(country="ES", city="Madrid"),
        status="completed",
    )
    SpecialCategoryDataFactory(participant=madrid.participant, fewer_opportunities=True)
    SpecialCategoryDataFactory(participant=lisbon.participant, fewer_opportunities=False)
    client.force_login(officer)
    url = reverse("reports:mobilities")
    rows = lambda response: [m.pk for m in response.context["page"]]  # noqa: E731

    assert sorted(rows(client.get(url))) == sorted([lisbon.pk, madrid.pk])
    assert rows(client.get(url, {"call": old_call.application.call_id})) == [madrid.pk]
    assert rows(client.get(url, {"region": _pomorskie().pk})) == [madrid.pk]
    assert rows(client.get(url, {"activity_type": staff_type.pk})) == [madrid.pk]
    assert rows(client.get(url, {"destination_country": "PT"})) == [lisbon.pk]
    assert rows(client.get(url, {"status": "planned"})) == [lisbon.pk]
    assert rows(client.get(url, {"fewer_opportunities": "true"})) == [madrid.pk]
    assert rows(client.get(url, {"fewer_opportunities": "false"})) == [lisbon.pk]


def test_fewer_opportunities_filter_is_for_administrators_and_officers_only(client, officer, agency_admin):
    fewer = MobilityFactory()
    SpecialCategoryDataFactory(participant=fewer.participant, fewer_opportunities=True)
    other = MobilityFactory()
    url = reverse("reports:mobilities")
    for user in (officer, agency_admin):
        client.force_login(user)
        response = client.get(url, {"fewer_opportunities": "true"})
        assert "fewer_opportunities" in response.context["filter"].form.fields
        assert [m.pk for m in response.context["page"]] == [fewer.pk]
    client.force_login(UserFactory(email="finance@test.example", agency_role="finance"))
    response = client.get(url, {"fewer_opportunities": "true"})
    assert "fewer_opportunities" not in response.context["filter"].form.fields
    # Not offered, and not applied either: the list is unfiltered.
    assert sorted(m.pk for m in response.context["page"]) == sorted([fewer.pk, other.pk])
    assert b'name="fewer_opportunities"' not in response.content


def test_mobilities_list_paginates_with_constant_queries(client, officer):
    client.force_login(officer)
    project = ProjectFactory()
    MobilityFactory.create_batch(3, project=project)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:mobilities")).status_code == 200
    for other in ProjectFactory.create_batch(3):
        MobilityFactory.create_batch(19, project=other)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reports:mobilities"))
    assert len(response.context["page"]) == 50
    assert len(many) == len(few)


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:projects", "reports:mobilities", "reports:progress"])
def test_agency_pages_refuse_others(client, name, manager_a, participant_user):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    for user in (manager_a, participant_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
