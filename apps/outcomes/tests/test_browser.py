"""The before-assessment on a phone, in a real headless Chromium: eight radio groups that fit the screen,
answered with the keyboard alone (Tab into a group, arrow keys pick the level), then submitted."""

# The browser fixtures live in tests/conftest.py, which does not reach apps/: imported here and taken as
# parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import datetime

import pytest

from apps.outcomes.models import CompetenceAssessment
from tests.conftest import _chromium, browser, new_page  # noqa: F401
from tests.factories import MobilityFactory, ParticipantFactory, ProjectFactory, UserFactory

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in_page(live_server, new_page, client, settings):
    from django.apps import apps

    from apps.outcomes.loaders import load_level_descriptors
    from apps.reference.loaders import load_reference_data
    from apps.reference.models import Region

    # A transactional test starts from whatever the previous one flushed: reload the reference data.
    if not Region.objects.exists():
        load_reference_data(apps)
    load_level_descriptors(apps)
    settings.MFA_REQUIRED_FOR_AGENCY = False
    user = UserFactory(email="learner@test.example")
    participant = ParticipantFactory(user=user)
    start = datetime.date.today() + datetime.timedelta(days=20)
    mobility = MobilityFactory(
        project=ProjectFactory(application__organisation=participant.organisation),
        participant=participant,
        status="planned",
        start_date=start,
        end_date=start + datetime.timedelta(days=27),
    )
    client.force_login(user)
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page, mobility


def test_before_assessment_on_a_phone_with_the_keyboard(live_server, signed_in_page):
    page, mobility = signed_in_page
    page.goto(f"{live_server.url}/me/mobilities/{mobility.pk}/competences/before/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My key competences before the mobility")
    groups = page.get_by_role("group")
    expect(groups).to_have_count(8)
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Each group is named by its legend, each button by its level's descriptor.
    digital = page.get_by_role("group", name="4. Digital competence")
    expect(digital.get_by_role("radio", name="3 – I can do the usual tasks on my own.")).to_be_visible()

    # Keyboard only: focus the first button, then in each group pick a level with the arrow keys.
    page.get_by_role("radio", name="1 – I am just starting: I need help with most tasks.").first.focus()
    for _ in range(8):
        page.keyboard.press("ArrowDown")  # level 2 (arrows move and select within the group)
        page.keyboard.press("Tab")  # to the next group (or the submit button after the last)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/me/")
    assert set(CompetenceAssessment.objects.filter(mobility=mobility).values_list("level", flat=True)) == {2}
    assert CompetenceAssessment.objects.filter(mobility=mobility, phase="before").count() == 8
