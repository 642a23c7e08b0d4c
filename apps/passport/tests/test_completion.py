"""Completion rates on hand-made data: per mobility, per project and for the programme, and the agency page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.passport import completion, services
from apps.passport.models import TemplateItem
from apps.reference.models import Region
from tests.factories import MembershipFactory, MobilityFactory, OrganisationFactory, ProjectFactory, TemplateItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_items():
    """A template of two items: one the participant ticks, one the organisation ticks."""
    TemplateItem.objects.update(active=False)
    return (
        TemplateItemFactory(name="Language course", ticker="participant"),
        TemplateItemFactory(name="Insurance", ticker="organisation"),
    )


def _tick_all(mobility, participant_user, member, *, names):
    checklist = services.checklist_ensure(mobility=mobility)
    for item in checklist.items.filter(name__in=names):
        side = "participant" if item.ticker == "participant" else "organisation"
        by = mobility.participant.user if side == "participant" else member
        services.item_tick(item=item, by=by, side=side, ticked=True)


@pytest.fixture
def data(two_items, organisation_a, manager_a, participant_user):
    """P1 (organisation A, call 2024, region 30): three mobilities with a passport, one draft, one cancelled.
    P2 (organisation B elsewhere, call 2023): two mobilities, and an item of its own for the whole project."""
    p1 = ProjectFactory(application__organisation=organisation_a, agreement_number="P1")
    m1 = MobilityFactory(project=p1, participant=participant_user.participant, status="planned")
    _tick_all(m1, participant_user, manager_a, names=["Language course"])  # 1 of 2
    m2 = MobilityFactory(project=p1, status="completed")
    m2.participant.user = MembershipFactory().user  # any account: the participant ticks their side
    m2.participant.save()
    _tick_all(m2, None, manager_a, names=["Language course", "Insurance"])  # 2 of 2: complete
    MobilityFactory(project=p1, status="planned")  # not opened: counts as 0 of 2
    MobilityFactory(project=p1, status="draft")
    MobilityFactory(project=p1, status="cancelled")
    other_region = Region.objects.exclude(code="30").filter(country_id="PL").first()
    organisation_b = OrganisationFactory(region=other_region)
    manager_b = MembershipFactory(organisation=organisation_b).user
    p2 = ProjectFactory(application__organisation=organisation_b, application__call__year=2023, agreement_number="P2")
    m6 = MobilityFactory(project=p2, status="ongoing")
    services.checklist_item_add(
        mobility=m6, by=manager_b, whole_project=True, name="Own item", section="travel", phase="before", ticker="both"
    )
    MobilityFactory(project=p2, status="planned")  # not opened: 0 of 3 (template and the project's own item)
    return p1, p2


def test_completion_by_project(data):
    p1, p2 = data
    result = completion.completion_by_project(projects=[p1.pk, p2.pk])
    one, two = result[p1.pk], result[p2.pk]
    assert (one.mobilities, one.opened, one.complete, one.items, one.done) == (3, 2, 1, 6, 3)
    assert one.rate == 50.0 and round(one.complete_rate, 1) == 33.3
    assert (two.mobilities, two.opened, two.complete, two.items, two.done) == (2, 1, 0, 6, 0)
    assert two.rate == 0.0


def test_programme_completion(data):
    from apps.mobility.models import Project

    total = completion.programme_completion(projects=Project.objects.all())
    assert (total.mobilities, total.opened, total.complete, total.items, total.done) == (5, 3, 1, 12, 3)
    assert total.rate == 25.0 and total.complete_rate == 20.0


def test_project_mobilities(data, manager_a):
    from apps.mobility.selectors import mobilities_for_user

    p1, _p2 = data
    rows = completion.project_mobilities(mobilities=mobilities_for_user(user=manager_a).filter(project=p1))
    assert sorted((row.opened, row.items_done, row.items_total) for row in rows) == [
        (False, 0, 0),
        (True, 1, 2),
        (True, 2, 2),
    ]


def test_an_empty_programme():
    from apps.mobility.models import Project

    total = completion.programme_completion(projects=Project.objects.none())
    assert total.rate is None and total.complete_rate is None


def test_agency_page_with_filters(client, officer, data):
    p1, p2 = data
    client.force_login(officer)
    page = client.get("/agency/passport/")
    assert page.status_code == 200
    assert [p.agreement_number for p in page.context["projects"]] == ["P1", "P2"]
    assert page.context["programme"].items == 12
    by_call = client.get("/agency/passport/", {"call": p1.application.call_id})
    assert [p.agreement_number for p in by_call.context["projects"]] == ["P1"]
    assert by_call.context["programme"].done == 3
    by_region = client.get("/agency/passport/", {"region": p2.application.organisation.region_id})
    assert [p.agreement_number for p in by_region.context["projects"]] == ["P2"]
    by_name = client.get("/agency/passport/", {"project": "p2"})
    assert [p.agreement_number for p in by_name.context["projects"]] == ["P2"]
    assert "50 %" in page.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_agency_page_queries_do_not_grow(client, officer, two_items):
    client.force_login(officer)

    def projects(n):
        for _ in range(n):
            project = ProjectFactory()
            for status in ("planned", "confirmed"):
                services.checklist_ensure(mobility=MobilityFactory(project=project, status=status))
            MobilityFactory(project=project, status="planned")

    projects(2)
    few = _count(client, "/agency/passport/")
    projects(8)
    assert _count(client, "/agency/passport/") == few


def test_project_overview_queries_do_not_grow(client, manager_a, organisation_a, two_items):
    client.force_login(manager_a)
    project = ProjectFactory(application__organisation=organisation_a)
    url = f"/projects/{project.pk}/passport/"

    def mobilities(n):
        for _ in range(n):
            services.checklist_ensure(mobility=MobilityFactory(project=project, status="planned"))

    mobilities(2)
    few = _count(client, url)
    mobilities(8)
    assert _count(client, url) == few
    assert "0 of 2" in client.get(url).content.decode()
