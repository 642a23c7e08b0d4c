"""End-to-end journey in a real headless Chromium: a manager records a participant and plans their mobility.

Organisation A's manager adds a learner, plans a four-week VET mobility to Lisbon in the 2024 project and
reads the computed grant; organisation B's manager can open neither the mobility nor the project. The
demo project's mobilities need the city table, so the cities of Poland, Portugal and Spain are loaded
before seeding. Fixtures (Chromium, pages, demo data, sign-in) are in tests/conftest.py.
"""

from __future__ import annotations

import re

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNER = {"first_name": "Zofia", "last_name": "Wiśniewska", "email": "zofia.wisniewska@school-a.example"}
ACTIVITY = "Short-term learning mobility of VET learners"
HOST = "Hotel Escola Lisboa"
# Poznań → Lisbon is in the 2000–2999 km band; 28 days of individual support; the project's first hundred.
GRANT_LINES = {"Travel": "395.00", "Individual support": "1,690.00", "Organisational support": "350.00"}
GRANT_TOTAL = "2,435.00"  # templates/mobility/mobility.html formats the total without grouping (floatformat:"2")


@pytest.fixture
def demo(_chromium, cities, demo):
    """conftest's demo data, seeded once the cities are there (``cities`` is resolved first)."""
    return demo


def _main_nav(page):
    return page.get_by_role("navigation", name="Main navigation")


def _grant_row(page, label):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=label, exact=True))


def test_manager_adds_a_participant_and_plans_a_mobility(live_server, new_page, demo, sign_in):
    from apps.mobility.models import Mobility, MobilityStatus, Project
    from apps.participants.models import Participant

    org_a = demo["organisation_a"]
    project = Project.objects.get(application__organisation=org_a, application__call__year=2024)
    assert project.mobilities.exists(), "with the cities loaded, seed_demo plans the demo mobilities"

    # 1. Organisation A's manager opens their organisation and its participants.
    manager_a = sign_in(new_page(), "manager@school-a.example")
    _main_nav(manager_a).get_by_role("link", name="My organisations").click()
    expect(manager_a.get_by_role("heading", level=1)).to_have_text("My organisations")
    manager_a.get_by_role("link", name=org_a.legal_name).click()
    expect(manager_a).to_have_url(f"{live_server.url}/organisations/{org_a.pk}/")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text(org_a.legal_name)
    manager_a.get_by_role("link", name="Participants", exact=True).click()
    expect(manager_a.get_by_role("heading", level=1)).to_have_text("Participants")

    # 2. ... and adds a learner.
    manager_a.get_by_role("link", name="New participant").click()
    expect(manager_a).to_have_url(f"{live_server.url}/organisations/{org_a.pk}/participants/new/")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text("New participant")
    manager_a.get_by_label("First name").fill(LEARNER["first_name"])
    manager_a.get_by_label("Last name").fill(LEARNER["last_name"])
    manager_a.get_by_label("E-mail address").fill(LEARNER["email"])
    manager_a.get_by_label("Date of birth").fill("2007-05-14")
    manager_a.get_by_label("Gender").select_option(label="female")
    manager_a.get_by_label("Nationality").select_option(label="Poland")
    manager_a.get_by_label("Category").select_option(label="learner")
    manager_a.get_by_role("button", name="Save").click()

    participant = Participant.objects.get(organisation=org_a, email=LEARNER["email"])
    expect(manager_a).to_have_url(f"{live_server.url}/participants/{participant.pk}/")
    expect(manager_a.get_by_role("status")).to_have_text("Participant recorded.")
    learner_name = f"{LEARNER['first_name']} {LEARNER['last_name']}"

    # 3. The 2024 project: no page of the organisation's links to it (neither the organisation page nor
    #    the application's), so the manager goes by its address.
    manager_a.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text(f"Project {project.agreement_number}")
    manager_a.get_by_role("link", name="New mobility").click()
    expect(manager_a).to_have_url(f"{live_server.url}/projects/{project.pk}/mobilities/new/")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text("New mobility")

    # 4. The mobility of the new learner: four weeks at the Lisbon hotel school, two travel days.
    manager_a.get_by_label("Participant").select_option(label=learner_name)
    manager_a.get_by_label("Activity type").select_option(label=ACTIVITY)
    manager_a.get_by_label("Host organisation").select_option(label=HOST)
    manager_a.get_by_label("Start of the physical activity").fill("2027-01-04")
    manager_a.get_by_label("End of the physical activity").fill("2027-01-31")
    manager_a.get_by_label("Travel days").fill("2")
    manager_a.get_by_role("button", name="Save").click()

    expect(manager_a).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/mobilities/\d+/$"))
    mobility = Mobility.objects.get(project=project, participant=participant)
    assert manager_a.url == f"{live_server.url}/mobilities/{mobility.pk}/"
    expect(manager_a.get_by_role("status")).to_have_text("The mobility is saved.")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text(f"{learner_name} · LM-SHORT-VET")
    assert mobility.status == MobilityStatus.DRAFT  # the form records it; planning it is a status change
    expect(
        manager_a.get_by_role("term").filter(has_text="Status").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("draft")

    # 5. The grant: one line per budget item, and the total.
    for label, amount in GRANT_LINES.items():
        row = _grant_row(manager_a, label)
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell").nth(1)).to_have_text(amount)
    expect(_grant_row(manager_a, "Inclusion support")).to_have_count(0)
    expect(_grant_row(manager_a, "Total").get_by_role("cell").nth(1)).to_have_text(GRANT_TOTAL)

    # 6. Organisation B's manager can open neither the mobility nor the project.
    manager_b = sign_in(new_page(), "manager@school-b.example")
    for address in (f"/mobilities/{mobility.pk}/", f"/projects/{project.pk}/"):
        response = manager_b.goto(f"{live_server.url}{address}")
        assert response is not None and response.status == 404, address
        expect(manager_b.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(manager_b.get_by_role("main")).not_to_contain_text(LEARNER["last_name"])
        expect(manager_b.get_by_role("main")).not_to_contain_text(project.agreement_number)
