import pytest
from django.test import RequestFactory
from django.urls import reverse

from apps.portal import views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "home"),
    [("officer", "/agency/"), ("member_a", "/org/"), ("participant", "/me/")],
)
def test_home_sends_each_role_to_its_page(client, personas, persona, home):
    client.force_login(personas[persona])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == home
    assert client.get(home).status_code == 200


def test_anonymous_gets_the_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("account_login") in response.content.decode()


def test_user_without_a_role_is_told_what_to_do(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200 and "not yet linked" in response.content.decode()


def test_role_pages_refuse_other_roles(client, personas):
    client.force_login(personas["participant"])
    assert client.get("/agency/").status_code == 403
    assert client.get("/org/").status_code == 403
    client.force_login(personas["member_a"])
    assert client.get("/me/").status_code == 403


def test_organisation_home_lists_own_memberships_only(client, personas, organisation_a, organisation_b):
    client.force_login(personas["member_a"])
    body = client.get("/org/").content.decode()
    assert organisation_a.legal_name in body and organisation_b.legal_name not in body


def test_home_pages_have_bounded_queries(client, personas, django_assert_max_num_queries):
    for persona, url in (("officer", "/agency/"), ("member_a", "/org/"), ("participant", "/me/")):
        client.force_login(personas[persona])
        with django_assert_max_num_queries(12):
            client.get(url)


def test_healthz_ok_without_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


def test_healthz_503_when_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_healthz_503_when_database_is_down(client, monkeypatch):
    monkeypatch.setattr("apps.portal.health.database", lambda: "unavailable")
    assert client.get("/healthz").status_code == 503


@pytest.mark.redis
def test_healthz_ok_with_a_real_broker(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    assert client.get("/healthz").json()["broker"] == "ok"


def test_error_pages_use_the_portal_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    request = RequestFactory().get("/")
    response = views.server_error(request)
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    from django.core.exceptions import PermissionDenied

    request.user = UserFactory()
    response = views.permission_denied(request, PermissionDenied())
    assert response.status_code == 403 and "Access denied" in response.content.decode()
