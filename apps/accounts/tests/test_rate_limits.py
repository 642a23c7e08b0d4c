"""allauth's login rate limit counts in a real, shared cache (Redis)."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def test_failed_logins_are_rate_limited_in_redis(client, settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "ratelimit-test",
        }
    }
    caches["default"].clear()
    UserFactory(email="target@test.example")
    limited = []
    for _ in range(7):
        response = client.post(reverse("account_login"), {"login": "target@test.example", "password": "wrong"})
        limited.append("Too many failed login attempts" in response.content.decode())
    assert limited == [False] * 5 + [True] * 2
    # Even the right password is refused while the limit holds.
    response = client.post(reverse("account_login"), {"login": "target@test.example", "password": "Test-Password-2026"})
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()
    assert any(key for key in caches["default"]._cache.get_client().keys("*ratelimit-test*"))
    caches["default"].clear()
