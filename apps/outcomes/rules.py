"""When a participant may rate their key competences: pure functions over plain values, no database.

- Before the mobility: while it is planned or confirmed, up to and including its start date.
- After the mobility: from its physical end date on, for ``AFTER_WINDOW_DAYS`` days, unless it was cancelled,
  ended by force majeure or is still a draft. The after-assessment stays open that long so that it can be
  done with the participant report (overdue 30 days after its request) and changed for a while after.

A submitted assessment may be changed while its window is open; after that it is read-only.
"""

from __future__ import annotations

import datetime

from apps.mobility.models import MobilityStatus

AFTER_WINDOW_DAYS = 60
BEFORE_STATUSES = frozenset({MobilityStatus.PLANNED, MobilityStatus.CONFIRMED})
NO_AFTER_STATUSES = frozenset({MobilityStatus.DRAFT, MobilityStatus.CANCELLED, MobilityStatus.FORCE_MAJEURE})


def before_window_open(*, status: str, start_date: datetime.date, today: datetime.date) -> bool:
    return status in BEFORE_STATUSES and today <= start_date


def after_window_open(*, status: str, end_date: datetime.date, today: datetime.date) -> bool:
    return status not in NO_AFTER_STATUSES and end_date <= today <= after_window_closes(end_date)


def after_window_closes(end_date: datetime.date) -> datetime.date:
    """The last day on which the after-assessment can be submitted or changed."""
    return end_date + datetime.timedelta(days=AFTER_WINDOW_DAYS)


def window_open(*, phase: str, status: str, start_date: datetime.date, end_date: datetime.date, today) -> bool:
    if phase == "before":
        return before_window_open(status=status, start_date=start_date, today=today)
    return after_window_open(status=status, end_date=end_date, today=today)


def window_last_day(*, phase: str, start_date: datetime.date, end_date: datetime.date) -> datetime.date:
    return start_date if phase == "before" else after_window_closes(end_date)
