"""End-to-end checks in a real headless Chromium: signing in and landing where each role belongs.

The browser, page and demo fixtures are in tests/conftest.py: the browser starts once per module;
each test gets a fresh context (cookies, viewport), so no session leaks from one sign-in into the
next. The live server runs in a thread of this process against a transactional test database,
seeded with the README's demo accounts.
"""

from __future__ import annotations

import re

import pytest

from apps.portal.demo import DEMO_PASSWORD, ORGANISATION_A, ORGANISATION_B

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENCY_HOME = ("/agency/", "Programme overview", None)
ROLE_HOMES = {
    "admin@agency.example": AGENCY_HOME,
    "officer@agency.example": AGENCY_HOME,
    "finance@agency.example": AGENCY_HOME,
    "manager@school-a.example": ("/org/", "My organisations", ORGANISATION_A[1]),
    "manager@school-b.example": ("/org/", "My organisations", ORGANISATION_B[1]),
    "learner@school-a.example": ("/me/", "Hello, Lena", None),
}


@pytest.mark.parametrize("email", list(ROLE_HOMES))
def test_demo_account_signs_in_and_lands_on_its_home(live_server, new_page, demo, email):
    path, heading, organisation_name = ROLE_HOMES[email]
    page = new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    login_form = page.locator('form[action="/accounts/login/"]')
    login_form.locator('input[name="login"]').fill(email)
    login_form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    login_form.locator('button[type="submit"]').click()

    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if organisation_name:
        expect(page.get_by_role("heading", level=2, name=organisation_name)).to_be_visible()
    other_organisations = {ORGANISATION_A[1], ORGANISATION_B[1]} - {organisation_name}
    if path == "/org/":
        for other in other_organisations:
            expect(page.locator("main")).not_to_contain_text(other)
    # Signed in as this person: their address is in the navbar, the sign-in link is gone.
    expect(page.locator("nav")).to_contain_text(email)
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)


def test_wrong_password_stays_on_the_login_form(live_server, new_page, demo):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    login_form = page.locator('form[action="/accounts/login/"]')
    login_form.locator('input[name="login"]').fill("officer@agency.example")
    login_form.locator('input[name="password"]').fill("not-the-password")
    login_form.locator('button[type="submit"]').click()

    expect(page.locator("main")).to_contain_text("not correct")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_phone_viewport_has_toggler_and_switches_to_polish(live_server, new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Bootstrap's CSS collapses the menu behind the toggler on a narrow screen; its JS opens it.
    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    sign_in = page.locator("#main-nav").get_by_role("link", name="Sign in")
    expect(sign_in).to_be_hidden()
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(sign_in).to_be_visible()

    language_form = page.locator('form[action="/i18n/setlang/"]')
    language_form.locator("select[name=language]").select_option("pl")
    language_form.locator('button[type="submit"]').click()

    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("select[name=language]")).to_have_value("pl")
