import datetime

import pytest

from tests.factories import HostOrganisationFactory, MobilityFactory, ParticipantFactory, ProjectFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Certificates' files go to a folder of the test's own (through the storage API)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://mobility.test"
    return settings.MEDIA_ROOT


@pytest.fixture
def project(organisation_a):
    return ProjectFactory(application__organisation=organisation_a)


@pytest.fixture
def completed_mobility(project):
    """Anna Kowalska's completed four weeks at a Lisbon vocational school, organisation A's project."""
    return MobilityFactory(
        project=project,
        participant=ParticipantFactory(
            organisation=project.application.organisation, first_name="Anna", last_name="Kowalska"
        ),
        host=HostOrganisationFactory(legal_name="Escola Profissional de Lisboa", city="Lisbon"),
        start_date=datetime.date(2024, 9, 2),
        end_date=datetime.date(2024, 9, 29),
        status="completed",
    )
