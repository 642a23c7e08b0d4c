import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reports.selectors import programme_progress
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MobilityFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Programme", target_learners=10, target_staff=4)


@pytest.fixture
def project(programme):
    call = CallFactory(programme=programme, year=2024)
    return ProjectFactory(application=ApplicationFactory(call=call, status="contracted"))


def _mobility(project, participant, status, **extra):
    return MobilityFactory(project=project, participant=participant, status=status, **extra)


def test_progress_counts_distinct_participants_at_their_furthest_mobility(project, programme, officer):
    organisation = project.application.organisation
    person = lambda category="learner", **kw: ParticipantFactory(  # noqa: E731
        organisation=organisation, category=category, **kw
    )
    # Learners: one completed (with a later planned mobility too: counted once, as completed), one reported,
    # one ongoing, one confirmed, one planned, a recent graduate planned.
    twice = person()
    _mobility(project, twice, "completed")
    _mobility(project, twice, "planned")
    _mobility(project, person(), "reported")
    _mobility(project, person(), "ongoing")
    _mobility(project, person(), "confirmed")
    _mobility(project, person(), "planned")
    _mobility(project, person("recent_graduate", graduation_date="2024-06-30"), "planned")
    # Not counted: drafts, cancelled, force majeure.
    _mobility(project, person(), "draft")
    _mobility(project, person(), "cancelled")
    _mobility(project, person(), "force_majeure")
    # Staff: one completed, one ongoing; an accompanying person is not counted.
    teacher = person("staff")
    _mobility(project, teacher, "completed")
    _mobility(project, person("staff"), "ongoing")
    _mobility(project, person("staff"), "completed", accompanying=True)
    # Another programme's mobility does not count here.
    MobilityFactory(status="completed")

    with CaptureQueriesContext(connection) as queries:
        rows = programme_progress(user=officer)
    assert len(queries) == 2
    row = next(row for row in rows if row["programme"] == programme)
    learners, staff = row["learners"], row["staff"]
    assert (learners.target, learners.completed, learners.ongoing, learners.planned) == (10, 2, 1, 3)
    assert (staff.target, staff.completed, staff.ongoing, staff.planned) == (4, 1, 1, 0)
    assert learners.total == 6 and learners.percent_completed == 20
    assert [bar["width"] for bar in learners.bars] == ["20.00", "10.00", "30.00"]
    assert [bar["width"] for bar in staff.bars] == ["25.00", "25.00", "0.00"]


def test_bars_never_pass_the_full_width(project, programme, officer):
    organisation = project.application.organisation
    for _ in range(5):
        _mobility(project, ParticipantFactory(organisation=organisation, category="staff"), "completed")
    staff = next(row for row in programme_progress(user=officer) if row["programme"] == programme)["staff"]
    assert staff.completed == 5
    assert [bar["width"] for bar in staff.bars] == ["100.00", "0.00", "0.00"]


def test_progress_page_shows_numbers_and_accessible_bars(client, settings, project, programme, officer):
    settings.MFA_REQUIRED_FOR_AGENCY = False
    _mobility(project, ParticipantFactory(organisation=project.application.organisation), "ongoing")
    client.force_login(officer)
    response = client.get(reverse("reports:progress"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="1" aria-valuemin="0" aria-valuemax="10"' in html
    assert "0 completed, 1 ongoing and 0 planned against a target of 10" in html
