import pytest

from tests.factories import MobilityFactory, ProjectFactory


@pytest.fixture
def project(organisation_a):
    return ProjectFactory(application__organisation=organisation_a)


@pytest.fixture
def mobility(project, participant_user):
    """The participant persona's planned mobility (2 to 29 September 2024) in organisation A's project."""
    return MobilityFactory(project=project, participant=participant_user.participant, status="planned")


def all_eight(level=3) -> dict[int, int]:
    return dict.fromkeys(range(1, 9), level)
