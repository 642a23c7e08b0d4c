"""In Chromium: organisation A's manager ticks an item of the demo learner's passport, and the learner sees who
ticked it and when.

The demo plans the learner's mobility once the city table is there, so the cities of Poland, Portugal and
Spain are loaded before seeding (as tests/test_browser_mobility.py does).
"""

# The browser fixtures live in tests/conftest.py, which does not reach apps/: imported here and then taken as
# test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811

import re

import pytest

from tests.conftest import _chromium, browser, demo, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_with_mobility(_chromium, cities, demo):
    """The demo (seeded after the cities: ``cities`` comes first), and the learner's planned mobility."""
    from apps.mobility.models import Mobility

    mobility = Mobility.objects.get(participant__email="learner@school-a.example")
    assert mobility.status == "planned"
    return {**demo, "mobility": mobility}


def test_the_manager_ticks_and_the_learner_sees_who_and_when(live_server, new_page, sign_in, demo_with_mobility):
    from django.utils import formats, timezone
    from playwright.sync_api import expect

    from apps.passport.models import ChecklistItem, TemplateItem

    mobility = demo_with_mobility["mobility"]
    manager = demo_with_mobility["users"]["manager@school-a.example"]
    item_name = TemplateItem.objects.filter(active=True, ticker="organisation").order_by("position").first().name

    # Organisation A's manager: the project page, its passports, the learner's passport; ticks the item.
    page = sign_in(new_page(), "manager@school-a.example")
    page.goto(f"{live_server.url}/projects/{mobility.project_id}/")
    page.get_by_role("link", name="Mobility passports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Passports of project")
    page.get_by_role("link", name=str(mobility.participant)).click()
    expect(page).to_have_url(f"{live_server.url}/mobilities/{mobility.pk}/passport/")
    # Each button is named after its item too ("Tick as done: <item>", the item's part visually hidden).
    item = ChecklistItem.objects.get(checklist__mobility=mobility, name=item_name)  # copied as the page opened
    entry = page.locator(f"#item-{item.pk}")
    expect(entry.get_by_role("heading")).to_have_text(item_name)
    entry.get_by_role("button", name=re.compile(rf"^Tick as done\W+{re.escape(item_name)}$")).click()
    expect(entry).to_contain_text(f"ticked by {manager.get_full_name()} on")
    expect(entry.get_by_role("button", name=re.compile(rf"^Untick\W+{re.escape(item_name)}$"))).to_be_visible()

    item.refresh_from_db()
    assert item.organisation_ticked_by == manager and item.done
    when = formats.date_format(timezone.localtime(item.organisation_ticked_at), "SHORT_DATETIME_FORMAT")

    # The learner: /me/, their mobility, its passport; the item says who ticked it and when, and is theirs to read.
    learner = sign_in(new_page(), "learner@school-a.example")
    learner.goto(f"{live_server.url}/me/")
    learner.locator(f"#mobility-{mobility.pk}").get_by_role("link").click()
    expect(learner).to_have_url(f"{live_server.url}/me/mobilities/{mobility.pk}/")
    learner.get_by_role("link", name="Mobility passport").click()
    expect(learner).to_have_url(f"{live_server.url}/me/mobilities/{mobility.pk}/passport/")
    seen = learner.locator(f"#item-{item.pk}")
    expect(seen).to_contain_text("done")
    expect(seen).to_contain_text(f"Organisation: ticked by {manager.get_full_name()} on {when}")
    # The organisation's item is not the learner's to tick.
    expect(seen.get_by_role("button")).to_have_count(0)
