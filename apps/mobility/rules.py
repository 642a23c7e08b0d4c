"""Project and mobility rules as pure functions (RULES.md)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

# Short-term project duration (RULES.md, "Applications and the reserve list").
PROJECT_MIN_MONTHS = 6
PROJECT_MAX_MONTHS = 18


def project_duration_ok(start: date, end: date) -> bool:
    """A short-term project lasts from 6 to 18 months (end at least 6 and at most 18 months after start)."""
    return start + relativedelta(months=PROJECT_MIN_MONTHS) <= end <= start + relativedelta(months=PROJECT_MAX_MONTHS)
