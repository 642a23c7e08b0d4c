"""The participant report on a phone, in Chromium: radio groups named by their legends, answered by keyboard and
by touch, submitted, then read-only with its PDF."""

# The browser fixtures live in tests/conftest.py, which does not reach apps/: imported here and then taken as
# test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811

import datetime
import re

import pytest

from tests.conftest import _chromium, browser, new_page  # noqa: F401

PHONE = {"width": 390, "height": 844}
SATISFACTION = "Overall, how satisfied are you with your mobility?"


@pytest.fixture
def requested_report(transactional_db):
    """A learner with an account and a completed mobility whose report is requested (committed: the live server
    reads it from its own thread)."""
    from django.apps import apps

    from apps.participant_reports.services import reports_request_due
    from apps.reference.loaders import load_reference_data
    from apps.reference.models import ReportOutcomeStatement
    from tests.factories import MobilityFactory, ParticipantFactory, ProjectFactory, UserFactory

    # Transactional tests end by flushing every table, the migrations' reference data included.
    if not ReportOutcomeStatement.objects.exists():
        load_reference_data(apps)
    project = ProjectFactory()
    user = UserFactory(email="phone-learner@test.example")
    participant = ParticipantFactory(organisation=project.application.organisation, user=user, last_name="Nowak")
    mobility = MobilityFactory(project=project, participant=participant, status="completed")
    reports_request_due(today=mobility.end_date + datetime.timedelta(days=1))
    return mobility


def _signed_in_phone(new_page, live_server, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    page = new_page(viewport=PHONE)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return page


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


@pytest.mark.browser
def test_participant_fills_in_the_report_on_a_phone(live_server, new_page, requested_report):
    from playwright.sync_api import expect

    mobility = requested_report
    page = _signed_in_phone(new_page, live_server, mobility.participant.user)
    page.goto(f"{live_server.url}/me/mobilities/{mobility.pk}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your participant report")
    _fits_the_phone(page)

    # Satisfaction by keyboard: focus the group's first radio, arrow keys move the choice (native radio group).
    satisfaction = page.get_by_role("group", name=SATISFACTION)
    satisfaction.get_by_role("radio").first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(satisfaction.get_by_role("radio", name="4 – satisfied")).to_be_checked()

    # Submitting with the statements unanswered: the errors name the questions and link to them.
    page.get_by_role("button", name="Submit your report").click()
    errors = page.locator("#errors")
    expect(errors).to_contain_text("My learning performance improved")
    expect(page.get_by_role("group", name=SATISFACTION).get_by_role("radio", name="4 – satisfied")).to_be_checked()

    # Each statement by touch on its label (the radio group is named by the statement).
    for statement in ("My learning performance improved", "I am more aware of other cultures"):
        page.get_by_role("group", name=statement).get_by_text("5 – strongly agree").click()
    groups = page.locator("fieldset")
    for index in range(groups.count()):
        radios = groups.nth(index).get_by_role("radio")
        if not any(radios.nth(i).is_checked() for i in range(radios.count())):
            (radios.first if radios.count() == 4 else radios.nth(2)).check()
    page.get_by_label("Comments").fill("Four weeks in a kitchen in Lisbon.")
    _fits_the_phone(page)
    page.get_by_role("button", name="Submit your report").click()
    expect(page.get_by_role("status").first).to_contain_text("your participant report is submitted")
    expect(page.locator("#answers")).to_contain_text("Four weeks in a kitchen in Lisbon.")
    expect(page.get_by_role("button", name="Submit your report")).to_have_count(0)
    _fits_the_phone(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your report (PDF)").click()
    assert re.fullmatch(r"participant-report-\d+\.pdf", download.value.suggested_filename)

    mobility.refresh_from_db()
    assert mobility.status == "completed"  # the factory's mobility has no distance: it stays, the report stands
    assert mobility.participant_report.status == "submitted"
