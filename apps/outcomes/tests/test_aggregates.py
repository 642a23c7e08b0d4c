"""The key competence aggregates on hand-made data, with shares and averages computed by hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.mobility.models import Mobility
from apps.outcomes.aggregates import competence_summary
from tests.factories import CompetenceAssessmentFactory, MobilityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _rate(mobility, before, after=None):
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="before", levels=before)
    if after is not None:
        CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="after", levels=after)


@pytest.fixture
def project_data(organisation_a):
    """Four mobilities of one project:
    m1 2 → 3 everywhere (+1); m2 3 → 3 except competence 8, 3 → 2 (−1); m3 1 → 5 in competence 1 only (+4);
    m4 rated before only (not counted)."""
    project = ProjectFactory(application__organisation=organisation_a)
    m1, m2, m3, m4 = (MobilityFactory(project=project, status="completed") for _ in range(4))
    _rate(m1, 2, 3)
    _rate(m2, 3, [3, 3, 3, 3, 3, 3, 3, 2])
    _rate(m3, 1, [5, 1, 1, 1, 1, 1, 1, 1])
    _rate(m4, 4)
    return project


def test_project_aggregates(project_data):
    summary = competence_summary(mobilities=Mobility.objects.filter(project=project_data))
    assert summary.assessed == 3
    rows = {row.competence.number: row for row in summary.rows}
    assert [row.competence.number for row in summary.rows] == list(range(1, 9))
    # Competence 1: m1 +1, m2 0, m3 +4 → 2 of 3 improved (66.7 %), average (1 + 0 + 4) / 3 = 1.67.
    assert (rows[1].pairs, rows[1].improved, rows[1].improved_share, rows[1].average_change) == (
        3,
        2,
        Decimal("66.7"),
        Decimal("1.67"),
    )
    # Competences 2 to 7: m1 +1, m2 0, m3 0 → 1 of 3 (33.3 %), average 1 / 3 = 0.33.
    for number in range(2, 8):
        assert (rows[number].pairs, rows[number].improved, rows[number].improved_share) == (3, 1, Decimal("33.3"))
        assert rows[number].average_change == Decimal("0.33")
    # Competence 8: m1 +1, m2 −1, m3 0 → 1 of 3, average 0.
    assert (rows[8].improved, rows[8].improved_share, rows[8].average_change) == (1, Decimal("33.3"), Decimal("0.00"))


def test_programme_aggregates_take_in_every_project_and_nothing_without_pairs(project_data, organisation_b):
    other = MobilityFactory(project=ProjectFactory(application__organisation=organisation_b), status="completed")
    _rate(other, 1, 2)  # +1 everywhere
    summary = competence_summary(mobilities=Mobility.objects.all())
    assert summary.assessed == 4
    first = summary.rows[0]
    # Competence 1: +1, 0, +4, +1 → 3 of 4 (75 %), average 6 / 4 = 1.5.
    assert (first.pairs, first.improved, first.improved_share, first.average_change) == (
        4,
        3,
        Decimal("75.0"),
        Decimal("1.50"),
    )
    assert summary.chart["improved"][0] == 75.0

    empty = competence_summary(mobilities=Mobility.objects.none())
    assert empty.assessed == 0
    assert all(row.pairs == 0 and row.improved_share is None and row.average_change is None for row in empty.rows)


def test_a_competence_rated_after_only_is_not_a_pair(organisation_a):
    mobility = MobilityFactory(project=ProjectFactory(application__organisation=organisation_a), status="completed")
    CompetenceAssessmentFactory.rate_all(mobility=mobility, phase="after", levels=5)
    summary = competence_summary(mobilities=Mobility.objects.all())
    assert summary.assessed == 0 and summary.rows[0].pairs == 0


def test_query_count_does_not_grow_with_mobilities(organisation_a):
    project = ProjectFactory(application__organisation=organisation_a)

    def count(n):
        for _ in range(n):
            _rate(MobilityFactory(project=project, status="completed"), 2, 4)
        with CaptureQueriesContext(connection) as queries:
            competence_summary(mobilities=Mobility.objects.filter(project=project))
        return len(queries)

    assert count(2) == count(8) == 3
