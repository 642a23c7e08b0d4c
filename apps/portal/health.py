"""Liveness checks for /healthz: the database always, the broker when one is configured."""

from __future__ import annotations

import logging

from django.db import connection

logger = logging.getLogger(__name__)


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; the reason goes to the log, not to the caller
        logger.exception("health check: database unavailable")
        return "unavailable"
    return "ok"


def broker(url: str | None) -> str:
    if not url:
        return "not configured"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        logger.exception("health check: broker unavailable")
        return "unavailable"
    return "ok"


def run_checks(*, broker_url: str | None) -> dict[str, str]:
    return {"database": database(), "broker": broker(broker_url)}
