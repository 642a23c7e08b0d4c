"""Where the passport is linked from: the project page, and the participant's /me/ pages only while it exists."""

import pytest

from apps.passport import selectors
from tests.factories import MobilityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "has"),
    [("draft", False), ("planned", True), ("ongoing", True), ("force_majeure", True), ("cancelled", False)],
)
def test_has_passport_is_the_rule_of_the_passport_pages(client, project, participant_user, status, has):
    mobility = MobilityFactory(project=project, participant=participant_user.participant, status=status)
    assert selectors.has_passport(mobility) is has
    client.force_login(participant_user)
    assert client.get(f"/me/mobilities/{mobility.pk}/passport/").status_code == (200 if has else 404)


@pytest.mark.parametrize(("status", "linked"), [("planned", True), ("force_majeure", True), ("cancelled", False)])
def test_the_participants_pages_link_the_passport_only_when_it_exists(
    client, project, participant_user, status, linked
):
    mobility = MobilityFactory(project=project, participant=participant_user.participant, status=status)
    passport_url = f"/me/mobilities/{mobility.pk}/passport/"
    client.force_login(participant_user)
    page = client.get(f"/me/mobilities/{mobility.pk}/")
    assert page.status_code == 200
    assert (passport_url in page.content.decode()) is linked
    home = client.get("/me/")
    assert home.status_code == 200
    if not linked:
        assert passport_url not in home.content.decode()


def test_the_project_page_links_its_passports(client, project, manager_a):
    client.force_login(manager_a)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/passport/"' in html
