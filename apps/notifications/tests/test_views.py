import pytest
from django.urls import reverse

from apps.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _make(user, n=1, url="/reference/"):
    return [
        Notification.objects.create(
            recipient=user,
            email=user.email,
            kind="test",
            subject=f"Subject {i}",
            body_text="text",
            url=url,
            email_status="not_required",
        )
        for i in range(n)
    ]


def test_list_shows_only_own_notifications_with_unread_count(client):
    me, other = UserFactory(), UserFactory()
    _make(me, 2)
    _make(other, 1)
    client.force_login(me)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert response.context["unread_notifications"] == 2


def test_opening_marks_read_and_follows_the_link(client):
    me = UserFactory()
    (notification,) = _make(me)
    client.force_login(me)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/reference/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_external_link_is_not_followed(client):
    me = UserFactory()
    (notification,) = _make(me, url="https://evil.example/")
    client.force_login(me)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_another_persons_notification_is_404(client):
    me, other = UserFactory(), UserFactory()
    (theirs,) = _make(other)
    client.force_login(me)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client):
    me = UserFactory()
    _make(me, 3)
    client.force_login(me)
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=me, read_at=None).count() == 0


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    me = UserFactory()
    client.force_login(me)
    _make(me, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    _make(me, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(many) == len(few)
