"""The participant's own mobility pages share one rule: ``apps.mobility.selectors.get_own_mobility``.

Their own mobility opens; a draft (the organisation is still planning it) and anyone else's answer
404, on every /me/mobilities/<pk>/ page. The passport adds one rule on top: a cancelled mobility has
no passport (404); the other pages still open for it.
"""

import pytest
from django.urls import reverse

from tests.factories import MobilityFactory, OrganisationFactory, ParticipantFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "portal": ("portal:participant_mobility", {}),
    "passport": ("passport:participant", {}),
    "outcomes": ("outcomes:assessment", {"phase": "before"}),
    "participant_reports": ("participant_reports:own", {}),
    "certificates": ("certificates:own", {}),
}


@pytest.fixture
def organisation_a():
    return OrganisationFactory()


@pytest.fixture
def learner(organisation_a):
    return ParticipantFactory(organisation=organisation_a, user=UserFactory(email="own@test.example"))


def _status(client, page: str, mobility) -> int:
    name, kwargs = PAGES[page]
    return client.get(reverse(name, kwargs={"pk": mobility.pk, **kwargs})).status_code


@pytest.mark.parametrize("page", PAGES)
def test_own_mobility_opens_a_draft_and_anyone_elses_do_not(client, organisation_a, learner, page):
    project = ProjectFactory(application__organisation=organisation_a)
    own = MobilityFactory(project=project, participant=learner, status="planned")
    draft = MobilityFactory(project=project, participant=learner, status="draft")
    someone_elses = MobilityFactory(
        project=project, participant=ParticipantFactory(organisation=organisation_a), status="planned"
    )
    client.force_login(learner.user)
    assert _status(client, page, own) == 200
    assert _status(client, page, draft) == 404
    assert _status(client, page, someone_elses) == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_cancelled_mobility_has_no_passport(client, organisation_a, learner, page):
    cancelled = MobilityFactory(
        project=ProjectFactory(application__organisation=organisation_a), participant=learner, status="cancelled"
    )
    client.force_login(learner.user)
    assert _status(client, page, cancelled) == (404 if page == "passport" else 200)
