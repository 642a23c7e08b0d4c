"""The project page and the mobility pages: budget, cap, the mobility form, its violations and the status buttons."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.mobility.mobilities import mobility_create
from apps.mobility.models import Mobility, MobilityStatus, MobilityStatusChange
from apps.participants.models import ParticipantCategory, SpecialCategoryData
from apps.reference.models import ActivityType
from tests.factories import (
    HostOrganisationFactory,
    MembershipFactory,
    MobilityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

M = MobilityStatus
START, END = date(2024, 9, 2), date(2024, 9, 29)


@pytest.fixture
def city_countries():
    return ("PL", "PT")


@pytest.fixture
def sending(cities):
    return OrganisationFactory(legal_name="Zespół Szkół Łączności w Gdańsku", city="Gdańsk")


@pytest.fixture
def project(sending):
    return ProjectFactory(application__organisation=sending, application__call__year=2024)


@pytest.fixture
def host(cities):
    return HostOrganisationFactory(legal_name="Escola Profissional de Lisboa", city="Lisbon")


@pytest.fixture
def manager(sending):
    return MembershipFactory(organisation=sending, role="manager").user


@pytest.fixture
def learner(sending):
    participant = ParticipantFactory(organisation=sending)
    SpecialCategoryData.objects.create(participant=participant, fewer_opportunities=True, reasons=["economic"])
    return participant


def form_data(participant, host, **changes):
    """The worked example's mobility (RULES.md) as the form posts it."""
    data = {
        "participant": participant.pk,
        "activity_type": ActivityType.objects.get(code="LM-SHORT-VET").pk,
        "host": host.pk,
        "destination_city": "Lisbon",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "travel_days": "2",
        "course_days": "0",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def test_project_page_shows_budget_cap_and_mobilities_in_constant_queries(client, project, manager):
    client.force_login(manager)
    url = reverse("mobility:project", kwargs={"pk": project.pk})
    MobilityFactory(project=project)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == 200
    assert "1 of at most 30" in response.content.decode()

    MobilityFactory.create_batch(4, project=project)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    page = response.content.decode()
    assert len(five) == len(one)
    assert "5 of at most 30" in page
    assert [row["item"] for row in response.context["budget"]][-1] == "total"
    assert "60,000.00" in page or "60 000,00" in page or "60000.00" in page  # the awarded grant, on the total row
    assert len(response.context["mobilities"]) == 5
    assert reverse("mobility:mobility_create", kwargs={"pk": project.pk}) in page


def test_the_worked_example_through_the_form(client, project, host, manager, learner):
    client.force_login(manager)

    response = client.post(reverse("mobility:mobility_create", kwargs={"pk": project.pk}), form_data(learner, host))

    mobility = Mobility.objects.get(project=project)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("mobility:mobility", kwargs={"pk": mobility.pk})
    assert mobility.grant_total == Decimal("2560.00")
    page = client.get(response.headers["Location"]).content.decode()
    for label in ("Travel", "Individual support", "Organisational support", "Inclusion support"):
        assert label in page
    for line in mobility.grant_lines.all():
        assert line.explanation in page or line.explanation.replace("'", "&#x27;") in page
    assert "2,560.00" in page
    assert "2715 km" in page
    # The project's budget now counts it.
    project_page = client.get(reverse("mobility:project", kwargs={"pk": project.pk}))
    assert project_page.context["budget"][-1]["computed"] == Decimal("2560.00")


def test_an_ineligible_mobility_is_saved_as_draft_with_the_error_next_to_its_field(
    client, project, host, manager, learner
):
    client.force_login(manager)

    response = client.post(
        reverse("mobility:mobility_create", kwargs={"pk": project.pk}),
        form_data(learner, host, start_date="2024-05-06", end_date="2024-06-02"),
    )

    assert response.status_code == 200
    mobility = Mobility.objects.get(project=project)
    assert mobility.status == M.DRAFT
    form = response.context["form"]
    assert "It starts before the project does (2024-06-01)." in form.errors["start_date"]
    page = response.content.decode()
    assert "Saved as draft: fix these to plan it." in page
    assert reverse("mobility:mobility_edit", kwargs={"pk": mobility.pk}) in page  # the next save changes it


def test_a_rule_on_the_participant_shows_on_the_participant_field(client, project, host, manager, sending):
    client.force_login(manager)
    teacher = ParticipantFactory(organisation=sending, category=ParticipantCategory.STAFF)

    response = client.post(reverse("mobility:mobility_create", kwargs={"pk": project.pk}), form_data(teacher, host))

    assert response.status_code == 200
    assert response.context["form"].errors["participant"]
    assert Mobility.objects.get(project=project).status == M.DRAFT


def test_input_that_cannot_be_recorded_saves_nothing(client, project, host, manager, learner):
    client.force_login(manager)

    response = client.post(
        reverse("mobility:mobility_create", kwargs={"pk": project.pk}),
        form_data(learner, host, destination_city="Atlantis"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["destination_city"]
    assert not Mobility.objects.filter(project=project).exists()


def test_editing_recomputes_and_keeps_the_rules(client, project, host, manager, learner):
    client.force_login(manager)
    mobility, _ = mobility_create(
        project=project,
        by=manager,
        participant=learner,
        activity_type="LM-SHORT-VET",
        host=host,
        destination_city="Lisbon",
        start_date=START,
        end_date=END,
        travel_days=2,
    )
    url = reverse("mobility:mobility_edit", kwargs={"pk": mobility.pk})
    assert client.get(url).context["form"].initial["destination_city"] == "Lisbon"

    response = client.post(url, form_data(learner, host, travel_days="0"))

    assert response.status_code == 302
    mobility.refresh_from_db()
    assert mobility.travel_days == 0
    assert mobility.grant_total < Decimal("2560.00")


def test_another_organisations_member_gets_404(client, project, organisation_b, manager_b):
    mobility = MobilityFactory(project=project)
    client.force_login(manager_b)
    urls = [
        reverse("mobility:project", kwargs={"pk": project.pk}),
        reverse("mobility:mobility_create", kwargs={"pk": project.pk}),
        reverse("mobility:mobility", kwargs={"pk": mobility.pk}),
        reverse("mobility:mobility_edit", kwargs={"pk": mobility.pk}),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * 4
    status = reverse("mobility:mobility_status", kwargs={"pk": mobility.pk})
    assert client.post(status, {"to": "cancelled"}).status_code == 404
    mobility.refresh_from_db()
    assert mobility.status == M.DRAFT


def test_status_change_through_the_page(client, project, host, manager, learner):
    client.force_login(manager)
    mobility, violations = mobility_create(
        project=project,
        by=manager,
        participant=learner,
        activity_type="LM-SHORT-VET",
        host=host,
        destination_city="Lisbon",
        start_date=START,
        end_date=END,
        travel_days=2,
    )
    assert violations == {}
    detail = reverse("mobility:mobility", kwargs={"pk": mobility.pk})
    assert [status for status, _label in client.get(detail).context["next_statuses"]] == [M.PLANNED, M.CANCELLED]

    response = client.post(reverse("mobility:mobility_status", kwargs={"pk": mobility.pk}), {"to": "planned"})

    assert response.status_code == 302 and response.headers["Location"] == detail
    mobility.refresh_from_db()
    assert mobility.status == M.PLANNED
    change = MobilityStatusChange.objects.filter(mobility=mobility).first()
    assert (change.from_status, change.to_status, change.changed_by) == (M.DRAFT, M.PLANNED, manager)


def test_a_status_change_that_breaks_a_rule_shows_the_violations(client, project, host, manager, learner):
    client.force_login(manager)
    mobility, _ = mobility_create(
        project=project,
        by=manager,
        participant=learner,
        activity_type="LM-SHORT-VET",
        host=host,
        destination_city="Lisbon",
        start_date=date(2024, 5, 6),
        end_date=date(2024, 6, 2),
        travel_days=2,
    )

    response = client.post(reverse("mobility:mobility_status", kwargs={"pk": mobility.pk}), {"to": "planned"})

    assert response.status_code == 200
    assert "It starts before the project does (2024-06-01)." in response.content.decode()
    mobility.refresh_from_db()
    assert mobility.status == M.DRAFT


def test_officer_changes_the_status_but_does_not_record(client, project, officer):
    mobility = MobilityFactory(project=project)
    client.force_login(officer)
    assert client.get(reverse("mobility:mobility_create", kwargs={"pk": project.pk})).status_code == 403
    assert client.get(reverse("mobility:mobility_edit", kwargs={"pk": mobility.pk})).status_code == 403

    response = client.post(reverse("mobility:mobility_status", kwargs={"pk": mobility.pk}), {"to": "cancelled"})

    assert response.status_code == 302
    mobility.refresh_from_db()
    assert mobility.status == M.CANCELLED


def test_inclusion_support_is_hidden_from_those_who_may_not_see_the_flag(client, contributor_a):
    """The inclusion-support line would reveal who has fewer opportunities."""
    from apps.mobility.models import GrantLine
    from tests.factories import MobilityFactory

    mobility = MobilityFactory(project__application__organisation=contributor_a.memberships.get().organisation)
    GrantLine.objects.create(mobility=mobility, item="travel", amount=Decimal("395.00"), explanation="t")
    GrantLine.objects.create(mobility=mobility, item="inclusion_support", amount=Decimal("125.00"), explanation="i")
    type(mobility).objects.filter(pk=mobility.pk).update(grant_total=Decimal("520.00"))
    client.force_login(contributor_a)
    page = client.get(reverse("mobility:mobility", args=[mobility.pk]))
    assert [line.item for line in page.context["lines"]] == ["travel"]
    assert page.context["visible_total"] == Decimal("395.00")
    project_page = client.get(reverse("mobility:project", args=[mobility.project.pk]))
    assert [m.visible_grant for m in project_page.context["mobilities"]] == [Decimal("395.00")]
