"""Fixtures shared by the browser tests (tests/test_browser*.py): headless Chromium, pages, demo data.

The browser starts once per test module; each page gets a fresh context (cookies, viewport), so
no session leaks from one sign-in into the next. The live server runs in a thread of this
process against a transactional test database, seeded with the README's demo accounts.

Playwright is imported only when a browser fixture is used: the other tests in this directory
do not need it installed.
"""

from __future__ import annotations

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def _chromium():
    """Starts Chromium on first use and keeps it for the whole module (start-up is the slow part)."""
    from django.db import connections

    playwright_sync = pytest.importorskip("playwright.sync_api")
    state = {}

    def launch(executable_path):
        if "browser" not in state:
            # Django keeps database connections in an asgiref Local: per thread normally, but per
            # context while an event loop runs in the thread, which Playwright's loop does from now
            # on. Keep using this thread's connection objects, the ones pytest-django set up and
            # the live server thread shares on SQLite, rather than opening a second connection.
            state["connections"] = {alias: connections[alias] for alias in connections}
            state["playwright"] = playwright_sync.sync_playwright().start()
            for alias, connection in state["connections"].items():
                connections[alias] = connection
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=executable_path, headless=True, args=CHROMIUM_ARGS
            )
        return state["browser"]

    # The loop also makes Django refuse ORM calls from this thread (seeding, flushing the test
    # database) as async-unsafe; they are synchronous here, so allow them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield launch
        if state:
            state["browser"].close()
            for alias in state["connections"]:
                del connections[alias]
            state["playwright"].stop()


@pytest.fixture
def browser(_chromium, chromium_path):
    return _chromium(chromium_path)


@pytest.fixture
def new_page(browser):
    """A factory of pages, each in its own browser context; all of them are closed after the test."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo(settings, _chromium):
    from django.apps import apps

    from apps.portal.demo import seed_demo
    from apps.reference.loaders import load_reference_data
    from apps.reference.models import Region

    # Transactional tests end by flushing every table, including the reference data the migrations
    # loaded; seed_demo needs the regions. (serialized_rollback cannot restore them here: after a
    # flush by another transactional test, its saved content types collide with the recreated ones.)
    if not Region.objects.exists():
        load_reference_data(apps)
    # Seeding hashes six passwords; the login form still checks them, only with a cheap hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MFA_REQUIRED_FOR_AGENCY = False  # enrolment has its own tests; here: where each role lands
    return seed_demo(polish_organisations=2)


@pytest.fixture
def sign_in(live_server):
    """Signs a demo account in on ``page`` through the login form, by its labels; returns the page."""
    from apps.portal.demo import DEMO_PASSWORD

    def sign_in(page, email, password=DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        login_form = page.locator('form[action="/accounts/login/"]')
        login_form.get_by_label("Email", exact=True).fill(email)
        login_form.get_by_label("Password", exact=True).fill(password)
        login_form.get_by_role("button", name="Sign In").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in
