import pytest

from tests.factories import MobilityFactory, ProjectFactory


@pytest.fixture
def project(organisation_a):
    return ProjectFactory(application__organisation=organisation_a)


@pytest.fixture
def mobility(project, participant_user):
    """The participant persona's planned mobility in organisation A's project."""
    return MobilityFactory(project=project, participant=participant_user.participant, status="planned")
