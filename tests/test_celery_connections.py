"""A worker process keeps its database connection between tasks, and replaces one that failed or grew old."""

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from mobility_portal.celery import app, replace_unusable_database_connections


def _task(*, eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_celerys_django_fixup_reuses_the_connection_across_tasks():
    # Without CELERY_DB_REUSE_MAX the fix-up closes the connection before and after every task.
    assert DjangoWorkerFixup(app).db_reuse_max == 1000


@pytest.mark.postgres  # SQLite's in-memory test database is never closed
@pytest.mark.django_db(transaction=True)
def test_before_a_worker_task_a_young_connection_is_kept_and_an_old_one_closed():
    connection.ensure_connection()
    raw = connection.connection
    replace_unusable_database_connections(sender=_task(eager=False))
    assert connection.connection is raw

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    replace_unusable_database_connections(sender=_task(eager=False))
    assert connection.connection is None
    connection.ensure_connection()  # the next query opens a new one


@pytest.mark.django_db
def test_an_eager_task_runs_on_the_callers_connection_and_transaction():
    with transaction.atomic():
        raw = connection.connection
        replace_unusable_database_connections(sender=_task(eager=True))
        assert connection.connection is raw and connection.in_atomic_block
