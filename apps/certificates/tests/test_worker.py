"""A real Celery worker consuming from Redis renders an issued certificate, once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from apps.certificates import services
from apps.certificates.models import Certificate, RenderState
from apps.certificates.tasks import render_certificate
from mobility_portal.celery import app as celery_app
from tests.factories import MobilityFactory, ProjectFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _reset_broker_pool():
    """Forget pooled connections so that the changed broker_url takes effect (as the notifications' worker
    test does: dropped, not closed, because kombu's producer registry may still hand them out)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_worker(redis_url):
    previous = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=redis_url, task_always_eager=False)
    _reset_broker_pool()
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # stale messages of an earlier, interrupted run
    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.update(previous)
    _reset_broker_pool()


def _wait_until(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout}s")


def test_a_real_worker_renders_the_certificate_once(redis_worker, organisation_a, manager_a):
    assert celery_app.conf.task_always_eager is False
    mobility = MobilityFactory(project=ProjectFactory(application__organisation=organisation_a), status="completed")
    certificate = services.certificate_issue(mobility=mobility, by=manager_a)  # enqueued at the commit
    _wait_until(
        lambda: Certificate.objects.filter(pk=certificate.pk, render_state=RenderState.DONE).exists(),
        f"certificate {certificate.pk} was not rendered",
    )
    certificate.refresh_from_db()
    with certificate.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"

    # The broker redelivers the same task (acks_late after a worker crash): nothing is rendered again.
    render_certificate.delay(certificate.pk)
    marker = services.certificate_issue(
        mobility=MobilityFactory(project=mobility.project, status="reported"), by=manager_a
    )
    _wait_until(  # one worker, one task at a time: the duplicate ran before the marker
        lambda: Certificate.objects.filter(pk=marker.pk, render_state=RenderState.DONE).exists(),
        f"certificate {marker.pk} was not rendered",
    )
    rendered = Certificate.objects.get(pk=certificate.pk)
    assert (rendered.render_attempts, rendered.rendered_at, rendered.file.name) == (
        1,
        certificate.rendered_at,
        certificate.file.name,
    )
