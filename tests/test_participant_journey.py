"""End-to-end journey of a participant in a real headless Chromium, on a phone-sized screen (390×844).

Organisation A's manager invites the participants of the 2024 demo project from the project's invitation
page; the new learner follows the e-mailed link (read from the stored notification), lands on /me/ without a
password and rates their key competences before leaving. After the mobility (time moved on with
time_machine, the mobility's status moved on by the organisation through the services) the learner signs in
again with a code e-mailed to them, submits the participant report and downloads the certificate that the
organisation issued (the certificates app's service; Celery runs eagerly here). No page overflows the phone's
width. Fixtures (Chromium, pages, demo data, sign-in) are in tests/conftest.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LEARNER = {"first_name": "Zofia", "last_name": "Wiśniewska", "email": "zofia.wisniewska@school-a.example"}
# The demo project runs from September 2026 to August 2027; the mobility is in March 2027.
BEFORE = datetime.datetime(2027, 2, 1, 10, 0, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2027, 4, 6, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def demo(_chromium, cities, demo):
    return demo


@pytest.fixture
def travel():
    """Time for the whole process (the live server's thread too), moved on during the test."""
    traveller = time_machine.travel(BEFORE, tick=True)
    coordinates = traveller.start()
    yield coordinates
    traveller.stop()


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _new_learner_with_a_planned_mobility(demo):
    from apps.mobility.mobilities import mobility_create, mobility_set_status
    from apps.mobility.models import Project
    from apps.organisations.models import Organisation
    from apps.participants.services import participant_create

    org_a = demo["organisation_a"]
    manager = demo["users"]["manager@school-a.example"]
    project = Project.objects.get(application__organisation=org_a, application__call__year=2024)
    learner = participant_create(
        organisation=org_a,
        by=manager,
        birth_date=datetime.date(2007, 5, 14),
        gender="female",
        nationality="PL",
        category="learner",
        **LEARNER,
    )
    mobility, violations = mobility_create(
        project=project,
        by=manager,
        participant=learner,
        activity_type="LM-SHORT-VET",
        host=Organisation.objects.get(oid="E10234567"),  # the Lisbon hotel school
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 3, 28),
        travel_days=2,
    )
    assert not violations
    mobility_set_status(mobility=mobility, to="planned", by=manager)
    return project, learner, mobility


def test_participant_signs_in_from_the_invitation_and_goes_through_their_mobility(
    live_server, new_page, demo, sign_in, travel, settings, tmp_path
):
    from django.core import mail
    from pypdf import PdfReader

    from apps.certificates.services import certificate_issue
    from apps.mobility.mobilities import mobility_set_status
    from apps.notifications.models import Notification
    from apps.participant_reports.services import reports_request_due

    settings.MEDIA_ROOT = tmp_path
    project, learner, mobility = _new_learner_with_a_planned_mobility(demo)
    manager = demo["users"]["manager@school-a.example"]

    # 1. The manager opens the project and invites its participants at once.
    manager_page = sign_in(new_page(), "manager@school-a.example")
    manager_page.goto(f"{live_server.url}/projects/{project.pk}/")
    manager_page.get_by_role("link", name="Participants' invitations").click()
    expect(manager_page.get_by_role("heading", level=1)).to_have_text("Participants' invitations")
    row = manager_page.get_by_role("row").filter(has_text=LEARNER["email"])
    expect(row).to_contain_text("not invited")
    manager_page.get_by_role("button", name="Invite all participants").click()
    expect(manager_page.get_by_role("status")).to_contain_text("1 participant invited.")
    expect(row).to_contain_text("invited on")

    # 2. The learner follows the e-mailed link on their phone: no password, straight to /me/.
    link = Notification.objects.get(kind="participant_invitation", email=LEARNER["email"]).url
    phone = new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}{link}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in to the Mobility Portal")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone).to_have_url(f"{live_server.url}/me/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Hello, {LEARNER['first_name']}")
    card = phone.get_by_role("article").filter(has_text="Hotel Escola Lisboa")
    expect(card).to_contain_text("Lisbon")
    expect(card.locator('[aria-current="step"]')).to_contain_text("planned")
    _fits_the_phone(phone)
    learner.refresh_from_db()
    assert learner.user is not None and learner.user.email == LEARNER["email"]

    # 3. The mobility's page links the apps' pages; the before-assessment is among the next steps.
    card.get_by_role("link", name=re.compile("Hotel Escola Lisboa")).click()
    expect(phone).to_have_url(f"{live_server.url}/me/mobilities/{mobility.pk}/")
    pages = phone.locator("#mobility-pages")
    for label in ("Mobility passport", "Key competences before", "Participant report", "Certificate"):
        expect(pages.get_by_role("link", name=label)).to_be_visible()
    _fits_the_phone(phone)
    phone.locator("#next-steps").get_by_role("link", name="Rate your key competences before you leave").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("My key competences before the mobility")
    _fits_the_phone(phone)
    for number in range(1, 9):
        phone.locator(f"#competence-{number}").get_by_role("radio").nth(2).check()  # level 3
    phone.get_by_role("button", name="Submit my ratings").click()
    expect(phone.get_by_role("status").first).to_be_visible()
    assert mobility.competence_assessments.filter(phase="before").count() == 8

    # 4. After the mobility: the organisation moves it on to completed; the report is requested (the daily
    #    beat task's service), and the organisation issues the certificate (rendered by the Celery task).
    travel.move_to(AFTER)
    for status in ("confirmed", "ongoing", "completed"):
        mobility_set_status(mobility=mobility, to=status, by=manager)
    assert reports_request_due() >= 1
    certificate = certificate_issue(mobility=mobility, by=manager)
    certificate.refresh_from_db()
    assert certificate.is_ready

    # 5. Weeks later the session has expired: the learner signs in with a code e-mailed to them.
    phone.goto(f"{live_server.url}/me/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    phone.get_by_role("link", name="Send me a sign-in code").click()
    mail.outbox.clear()
    phone.get_by_label("Email", exact=True).fill(LEARNER["email"])
    phone.get_by_role("button", name="Request Code").click()
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", mail.outbox[-1].body).group()
    phone.get_by_label("Code", exact=True).fill(code)
    phone.get_by_role("button", name="Confirm").click()
    expect(phone).to_have_url(f"{live_server.url}/me/")
    card = phone.get_by_role("article").filter(has_text="Hotel Escola Lisboa")
    expect(card.locator('[aria-current="step"]')).to_contain_text("completed")
    _fits_the_phone(phone)

    # 6. The report, from the next steps.
    phone.locator("#next-steps").get_by_role("link", name="Fill in your participant report").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your participant report")
    _fits_the_phone(phone)
    form = phone.locator("form").filter(has=phone.get_by_role("button", name="Submit your report"))
    groups = form.locator("fieldset")
    for index in range(groups.count()):
        radios = groups.nth(index).get_by_role("radio")
        # Recognition: "yes" (the first answer); satisfaction and the statements: 4 out of 5.
        (radios.first if radios.count() == 4 else radios.nth(3)).check()
    phone.get_by_label("Comments").fill("Four weeks in a hotel kitchen in Lisbon.")
    phone.get_by_role("button", name="Submit your report").click()
    expect(phone.get_by_role("status").first).to_be_visible()
    mobility.refresh_from_db()
    assert mobility.status == "reported"
    assert mobility.participant_report.submitted_at is not None

    # 7. The certificate, from the mobility's page.
    phone.goto(f"{live_server.url}/me/mobilities/{mobility.pk}/")
    expect(phone.locator('[aria-current="step"]')).to_contain_text("reported")
    phone.locator("#mobility-pages").get_by_role("link", name="Certificate").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your certificate")
    _fits_the_phone(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download your certificate (PDF)").click()
    text = "\n".join(page.extract_text() for page in PdfReader(download.value.path()).pages)
    assert LEARNER["last_name"] in text and "Hotel Escola Lisboa" in text

    # The account reaches only its own records: another participant's mobility does not exist for it.
    other = project.mobilities.exclude(participant=learner).first()
    response = phone.request.get(f"{live_server.url}/me/mobilities/{other.pk}/")
    assert response.status == 404
