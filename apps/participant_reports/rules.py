"""The participant report's rules as pure functions over plain values (no database).

RULES.md, "Reporting": the report is requested when the physical mobility ends; it is overdue 30 days
after the request; reminders are sent (issue 5: weekly, until it is submitted).
"""

from __future__ import annotations

import datetime

LEARNER = "learner"
RECENT_GRADUATE = "recent_graduate"
STAFF = "staff"

# RULES.md, "Reporting": overdue 30 days after the request.
DUE_AFTER = datetime.timedelta(days=30)
# Issue 5: reminders go out weekly until the report is submitted.
REMIND_EVERY = datetime.timedelta(days=7)


def audience_for(category: str, *, accompanying: bool) -> str:
    """Whose outcome statements (``ReportOutcomeStatement.audience``) the participant answers.

    Learners and recent graduates answer the learners' statements (a recent graduate goes as a learner: the
    activity is a learner mobility, funded at learner rates). Staff answer the staff statements, and so does
    an accompanying person: they go as staff of the sending organisation, funded at staff rates, and the
    learners' statements (employability, further learning...) are not about them.
    """
    if accompanying or category == STAFF:
        return STAFF
    return LEARNER


def due_date_for(requested_on: datetime.date) -> datetime.date:
    """The report is overdue from this day on (30 days after the day of the request)."""
    return requested_on + DUE_AFTER


def is_overdue(due_date: datetime.date, today: datetime.date) -> bool:
    return today >= due_date


def should_request(end_date: datetime.date, today: datetime.date) -> bool:
    """The physical activity is over: its last day has passed."""
    return end_date < today
