"""Preparatory visits (RULES.md, "Activities"): at most 3 persons, not for courses, within the project, per person."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.mobility.models import PreparatoryVisit, ProjectStatus
from apps.mobility.visits import preparatory_visit_create
from apps.reference.models import UnitCost
from tests.factories import HostOrganisationFactory, MembershipFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def project(db):
    return ProjectFactory(application__organisation=OrganisationFactory(city="Gdańsk"), application__call__year=2024)


@pytest.fixture
def manager(project):
    return MembershipFactory(organisation=project.application.organisation).user


@pytest.fixture
def host(db):
    return HostOrganisationFactory(city="Lisbon")


def visit(**changes):
    return {
        "activity_type": "LM-SHORT-VET",
        "persons": 3,
        "start_date": date(2024, 7, 1),
        "end_date": date(2024, 7, 3),
        "purpose": "Meet the host's tutors and see the workshops.",
        **changes,
    }


def test_three_persons_at_the_call_years_unit_cost(project, manager, host):
    created = preparatory_visit_create(project=project, by=manager, **visit(host=host))

    created.refresh_from_db()
    assert created.amount == D("1725.00")  # 3 × 575 (call 2024)
    assert (created.project, created.host, created.destination_country, created.persons) == (project, host, "PT", 3)
    assert created.activity_type.code == "LM-SHORT-VET"
    assert created.purpose == "Meet the host's tutors and see the workshops."


def test_without_a_host_the_country_is_given(project, manager):
    created = preparatory_visit_create(
        project=project, by=manager, **visit(host=None, destination_country="es", persons=1)
    )
    assert (created.destination_country, created.amount) == ("ES", D("575.00"))


def test_the_unit_cost_of_the_projects_call_year_as_corrected(project, manager, host):
    UnitCost.objects.filter(call_year=2024, item="preparatory_visit").update(eur=D("600"))
    created = preparatory_visit_create(project=project, by=manager, **visit(host=host, persons=2))
    assert created.amount == D("1200.00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"persons": 4}, "persons"),
        ({"persons": 0}, "persons"),
        ({"persons": "3"}, "persons"),
        ({"activity_type": "SM-COUR-TRAIN"}, "activity_type"),
        ({"activity_type": "LM-LONG-VET"}, "activity_type"),  # not funded by the programme
        ({"activity_type": "LM-NOTHING"}, "activity_type"),
        ({"start_date": date(2024, 5, 30)}, "start_date"),
        ({"end_date": date(2025, 12, 2), "start_date": date(2025, 11, 29)}, "end_date"),
        ({"end_date": date(2024, 6, 30)}, "end_date"),
        ({"start_date": "soon"}, "start_date"),
        ({"end_date": None}, "end_date"),
        ({"destination_country": "PL"}, "destination_country"),
        ({"destination_country": "US"}, "destination_country"),
        ({"destination_country": None}, "destination_country"),
    ],
)
def test_a_visit_that_breaks_a_rule_is_refused(project, manager, changes, field):
    with pytest.raises(ValidationError) as error:
        preparatory_visit_create(project=project, by=manager, **visit(**{"destination_country": "PT", **changes}))
    assert field in error.value.message_dict
    assert not PreparatoryVisit.objects.exists()


def test_every_broken_rule_is_shown_at_once(project, manager):
    with pytest.raises(ValidationError) as error:
        preparatory_visit_create(
            project=project,
            by=manager,
            **visit(activity_type="SM-COUR-TRAIN", persons=5, destination_country="PL", start_date=date(2024, 5, 1)),
        )
    messages = error.value.message_dict
    assert set(messages) == {"activity_type", "persons", "destination_country", "start_date"}
    assert "At most 3 persons" in messages["persons"][0]
    assert "Courses and training have no preparatory visits." in messages["activity_type"]


def test_the_host_and_the_country_agree(project, manager, host):
    with pytest.raises(ValidationError) as error:
        preparatory_visit_create(project=project, by=manager, **visit(host=host, destination_country="ES"))
    assert "destination_country" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        preparatory_visit_create(project=project, by=manager, **visit(host=project.application.organisation))
    assert "host" in error.value.message_dict


def test_a_closed_projects_visits_are_not_recorded(project, manager):
    project.status = ProjectStatus.CLOSED
    project.save()
    with pytest.raises(ValidationError, match="closed"):
        preparatory_visit_create(project=project, by=manager, **visit(destination_country="PT"))
    assert not PreparatoryVisit.objects.exists()


def test_an_unknown_field_is_a_programming_error(project, manager):
    with pytest.raises(TypeError, match="amount"):
        preparatory_visit_create(project=project, by=manager, amount=D("1"), **visit(destination_country="PT"))
