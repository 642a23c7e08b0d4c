"""Preparatory visit pages: listed on the project page with their grant explained and counted in the budget;
recorded, changed and deleted by the organisation's managers and agency officers, rules next to their fields."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.mobility.models import PreparatoryVisit, ProjectStatus
from apps.mobility.visits import preparatory_visit_delete, preparatory_visit_explanation, preparatory_visit_update
from apps.reference.models import ActivityType
from tests.factories import (
    HostOrganisationFactory,
    MembershipFactory,
    OrganisationFactory,
    PreparatoryVisitFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

UNIT = Decimal("575.00")  # other_unit_costs.csv, preparatory_visit, 2024


@pytest.fixture
def project(db):
    return ProjectFactory(application__organisation=OrganisationFactory(city="Gdańsk"), application__call__year=2024)


@pytest.fixture
def manager(project):
    return MembershipFactory(organisation=project.application.organisation, role="manager").user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def host(db):
    return HostOrganisationFactory(legal_name="Escola Profissional de Lisboa", city="Lisbon")


def form(host=None, **changes):
    data = {
        "activity_type": ActivityType.objects.get(code="LM-SHORT-VET").pk,
        "host": host.pk if host else "",
        "destination_country": "" if host else "PT",
        "persons": "2",
        "start_date": "2024-07-01",
        "end_date": "2024-07-03",
        "purpose": "Meet the tutors.",
    }
    return {**data, **changes}


def test_a_manager_records_a_visit_priced_per_person(manager_client, project, host):
    response = manager_client.post(reverse("mobility:visit_create", args=[project.pk]), form(host))

    assert response.status_code == 302 and response["Location"] == reverse("mobility:project", args=[project.pk])
    visit = PreparatoryVisit.objects.get(project=project)
    assert (visit.persons, visit.amount, visit.destination_country) == (2, 2 * UNIT, "PT")

    page = manager_client.get(reverse("mobility:project", args=[project.pk]))
    html = page.content.decode()
    assert "2 persons × 575.00 EUR per person (preparatory visits, call 2024) = 1150.00 EUR" in html
    budget = {row["item"]: row["computed"] for row in page.context["budget"]}
    assert budget["preparatory_visits"] == 2 * UNIT
    assert reverse("mobility:visit_edit", args=[visit.pk]) in html
    assert reverse("mobility:visit_delete", args=[visit.pk]) in html


def test_the_form_states_the_rules_and_the_unit_cost(manager_client, project):
    html = manager_client.get(reverse("mobility:visit_create", args=[project.pk])).content.decode()
    assert "At most 3 persons, not for courses and training" in html
    assert "575.00 EUR per person (call 2024)" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"persons": "4"}, "persons", "At most 3 persons take part in a preparatory visit; this one has 4."),
        ({"persons": "0"}, "persons", "A preparatory visit needs at least one person."),
        ({"activity": "SM-COUR-TRAIN"}, "activity_type", "Courses and training have no preparatory visits."),
        ({"start_date": "2024-05-31"}, "start_date", "It starts before the project does (2024-06-01)."),
        ({"end_date": "2025-12-01"}, "end_date", "It ends after the project does (2025-11-30)."),
        ({"end_date": "2024-06-30"}, "end_date", "The end date is before the start date."),
    ],
)
def test_a_broken_rule_is_shown_next_to_its_field_and_nothing_is_saved(
    manager_client, project, changes, field, message
):
    if "activity" in changes:
        changes = {"activity_type": ActivityType.objects.get(code=changes.pop("activity")).pk}
    response = manager_client.post(reverse("mobility:visit_create", args=[project.pk]), form(**changes))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not PreparatoryVisit.objects.exists()


def test_the_destination_is_the_hosts_country(manager_client, project, host):
    response = manager_client.post(
        reverse("mobility:visit_create", args=[project.pk]), form(host, destination_country="ES")
    )
    assert response.context["form"].errors["destination_country"] == [
        "The destination country is the host's country (PT)."
    ]
    assert not PreparatoryVisit.objects.exists()


def test_a_manager_changes_a_visit_and_its_grant_follows(manager_client, project, host):
    visit = PreparatoryVisitFactory(project=project, persons=1, amount=UNIT)
    url = reverse("mobility:visit_edit", args=[visit.pk])
    assert manager_client.get(url).context["form"].initial["persons"] == 1

    response = manager_client.post(url, form(host, persons="3"))

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.persons, visit.amount, visit.host) == (3, 3 * UNIT, host)


def test_a_change_that_breaks_a_rule_changes_nothing(manager_client, project):
    visit = PreparatoryVisitFactory(project=project, persons=1, amount=UNIT)
    response = manager_client.post(reverse("mobility:visit_edit", args=[visit.pk]), form(persons="5"))
    assert response.status_code == 200 and response.context["form"].errors["persons"]
    visit.refresh_from_db()
    assert (visit.persons, visit.amount) == (1, UNIT)


def test_a_manager_deletes_a_visit_after_confirming(manager_client, project):
    visit = PreparatoryVisitFactory(project=project)
    url = reverse("mobility:visit_delete", args=[visit.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and "Delete the preparatory visit" in page.content.decode()
    assert PreparatoryVisit.objects.filter(pk=visit.pk).exists()

    response = manager_client.post(url)

    assert response["Location"] == reverse("mobility:project", args=[project.pk])
    assert not PreparatoryVisit.objects.filter(pk=visit.pk).exists()


def test_an_agency_officer_records_visits_too(client, officer, project):
    client.force_login(officer)
    response = client.post(reverse("mobility:visit_create", args=[project.pk]), form())
    assert response.status_code == 302
    assert PreparatoryVisit.objects.filter(project=project).count() == 1


def test_contributors_see_visits_but_do_not_record_them(client, project):
    visit = PreparatoryVisitFactory(project=project)
    client.force_login(MembershipFactory(organisation=project.application.organisation, role="contributor").user)
    assert client.get(reverse("mobility:visit_create", args=[project.pk])).status_code == 403
    assert client.post(reverse("mobility:visit_delete", args=[visit.pk])).status_code == 403
    html = client.get(reverse("mobility:project", args=[project.pk])).content.decode()
    assert "1150.00 EUR" in html and reverse("mobility:visit_edit", args=[visit.pk]) not in html


def test_a_withdrawn_project_takes_no_visit_change(manager_client, project):
    visit = PreparatoryVisitFactory(project=project)
    project.status = ProjectStatus.WITHDRAWN
    project.save()
    response = manager_client.post(reverse("mobility:visit_edit", args=[visit.pk]), form())
    assert response.status_code == 200
    assert "can no longer be recorded or changed" in response.content.decode()
    manager_client.post(reverse("mobility:visit_delete", args=[visit.pk]))
    assert PreparatoryVisit.objects.filter(pk=visit.pk).exists()


def test_project_page_lists_visits_in_constant_queries(manager_client, project):
    url = reverse("mobility:project", args=[project.pk])

    def queries(n):
        PreparatoryVisit.objects.all().delete()
        PreparatoryVisitFactory.create_batch(n, project=project)
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    assert queries(2) == queries(10)


# --- The services behind the pages ----------------------------------------------------------------------------------


def test_update_reprices_with_the_current_unit_cost_and_delete_removes(project, manager):
    visit = PreparatoryVisitFactory(project=project, persons=2, amount=Decimal("1.00"))  # priced by old rates
    preparatory_visit_update(
        visit=visit,
        by=manager,
        activity_type="LM-SHORT-VET",
        destination_country="PT",
        persons=2,
        start_date=date(2024, 7, 1),
        end_date=date(2024, 7, 3),
    )
    visit.refresh_from_db()
    assert visit.amount == 2 * UNIT
    assert preparatory_visit_explanation(visit) == (
        "2 persons × 575.00 EUR per person (preparatory visits, call 2024) = 1150.00 EUR"
    )
    preparatory_visit_delete(visit=visit, by=manager)
    assert not PreparatoryVisit.objects.exists()
