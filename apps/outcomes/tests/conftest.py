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


@pytest.fixture
def level_descriptors(db):
    """The scale's descriptors, reloaded if a transactional test flushed them (the root conftest reloads only
    the reference app's data)."""
    from django.apps import apps

    from apps.outcomes.loaders import load_level_descriptors
    from apps.outcomes.models import LevelDescriptor

    if not LevelDescriptor.objects.exists():
        load_level_descriptors(apps)
