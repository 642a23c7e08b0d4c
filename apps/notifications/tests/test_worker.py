"""A real Celery worker consuming from Redis delivers an invitation e-mail exactly once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from apps.notifications.models import EmailStatus, Notification
from apps.notifications.services import notify
from apps.notifications.tasks import send_notification_email
from apps.organisations.services import membership_invite
from mobility_portal.celery import app as celery_app

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _reset_broker_pool():
    """Forget pooled connections so that the changed broker_url takes effect.

    They are dropped, not closed: kombu's global producer registry may still hand the
    same pool to later tests (eager tasks acquire a producer too).
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_worker(redis_url, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=redis_url, task_always_eager=False)
    _reset_broker_pool()
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # stale messages of an earlier, interrupted run
    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.update(previous)
    _reset_broker_pool()


def _wait_until_sent(notification_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENT).exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"notification {notification_id} was not sent within {timeout}s")


def test_invitation_email_is_sent_once_by_a_real_worker(redis_worker, organisation_a, manager_a):
    assert celery_app.conf.task_always_eager is False
    mail.outbox.clear()
    invitation = membership_invite(
        organisation=organisation_a, email="colleague@test.example", role="contributor", invited_by=manager_a
    )
    notification = Notification.objects.get(email=invitation.email)
    _wait_until_sent(notification.pk)

    # The broker redelivers the same task (acks_late after a worker crash): it must not send again.
    send_notification_email.delay(notification.pk)
    marker = notify(
        kind="organisation_invitation",
        email="marker@test.example",
        context={
            "organisation": organisation_a,
            "inviter": manager_a,
            "role": "manager",
            "expires_at": invitation.expires_at,
        },
    )
    _wait_until_sent(marker.pk)  # one worker, one task at a time: the duplicate ran before this one

    to_colleague = [m for m in mail.outbox if m.to == ["colleague@test.example"]]
    assert len(to_colleague) == 1
    assert organisation_a.legal_name in to_colleague[0].subject
    assert "/invitations/" in to_colleague[0].body
    notification.refresh_from_db()
    assert notification.email_attempts == 1
    assert notification.email_sent_at is not None
