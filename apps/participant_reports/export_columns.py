"""The participant report's columns in the mobility exports (registered by ``apps.ParticipantReportsConfig``).

The project and agency exports belong to mobility, which may not import this app; it reads these columns
through its hook (``apps.mobility.transfer.extra_columns``). Both are export only: an import ignores them.

- ``participant_report``: the report's state, as the Beneficiary Module records it: ``not_requested`` (no
  report yet: it is requested the day after the physical end date of a confirmed, ongoing or completed
  mobility), ``requested``, ``overdue``, ``submitted``. A requested report whose due date has come reads
  ``overdue`` before the daily sweep (``services.reports_mark_overdue``) stores it, as on the participant's
  own page.
- ``participant_report_submitted_on``: the day it was submitted (in ``TIME_ZONE``); empty until then.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.participant_reports import rules
from apps.participant_reports.models import ParticipantReport, ReportStatus

KEY = "participant_report"
STATUS, SUBMITTED_ON = "participant_report", "participant_report_submitted_on"
NAMES = (STATUS, SUBMITTED_ON)
NOT_REQUESTED = "not_requested"
MISSING = {STATUS: NOT_REQUESTED, SUBMITTED_ON: None}


def report_columns(mobility_ids: Sequence[int]) -> dict[int, dict]:
    """Both columns of the mobilities that have a report, in one query (the others get ``MISSING``)."""
    today = timezone.localdate()
    found = {}
    for mobility_id, status, due_date, submitted_on in (
        ParticipantReport.objects.filter(mobility_id__in=mobility_ids)
        .annotate(submitted_on=TruncDate("submitted_at"))
        .order_by()
        .values_list("mobility_id", "status", "due_date", "submitted_on")
    ):
        if status == ReportStatus.REQUESTED and rules.is_overdue(due_date, today):
            status = ReportStatus.OVERDUE
        found[mobility_id] = {STATUS: str(status), SUBMITTED_ON: submitted_on}
    return found
