import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import MobilityFactory, ProjectFactory

WARSAW = ZoneInfo("Europe/Warsaw")
END = datetime.date(2024, 9, 29)  # MobilityFactory's physical end date


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WARSAW)


@pytest.fixture
def project(organisation_a):
    return ProjectFactory(application__organisation=organisation_a)


@pytest.fixture
def mobility(project, participant_user):
    """The participant persona's completed mobility (2–29 September 2024), eligible (its distance set by hand)."""
    return MobilityFactory(
        project=project,
        participant=participant_user.participant,
        status="completed",
        distance_km=2715,
        distance_manual=True,
        distance_justification="Set in tests",
    )
