"""The participant reports' part of a participant's data export and of their erasure (DESIGN.md §4).

Connected in ``ParticipantReportsConfig.ready()``: the participants app may not import this app
(DESIGN.md §3), so it calls ``report_export`` through its export-section registry and
``participant_reports_erase`` through its ``participant_erased`` signal.

Erasure (docs/decisions.md): the free texts (comments, about the recognition) go, and so does every link
to the participant's former account (who submitted, who moved the status); the numeric answers, the
recognition choice, the state and the dates stay, for the programme's statistics. They name nobody: what
links them to a person is the mobility, whose participant the erasure has just anonymised.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch

from apps.participant_reports.models import ParticipantReport, ParticipantReportAnswer, ParticipantReportStatusChange

SECTION = "participant_reports"
# What the export's entry in the access log names (``participants.services.export_section_register``).
EXPORT_FIELDS = (
    "report_satisfaction",
    "report_answers",
    "report_recognition",
    "report_recognition_details",
    "report_comments",
)
FREE_TEXT = ("recognition_details", "comments")


def _iso(value):
    return value.isoformat() if value else None


def report_export(participant) -> list[dict]:
    """The participant's reports (one per mobility) with their answers and history, for their data export
    (``participants.services.participant_export`` checks who may and logs it). Who moved a report's status
    is left out: that is a member's data, not the participant's. Three queries."""
    reports = (
        ParticipantReport.objects.filter(mobility__participant=participant)
        .prefetch_related(
            Prefetch("answers", queryset=ParticipantReportAnswer.objects.select_related("statement")),
            Prefetch("status_changes", queryset=ParticipantReportStatusChange.objects.order_by("changed_at", "pk")),
        )
        .order_by("mobility_id")
    )
    return [
        {
            "mobility": report.mobility_id,
            "audience": report.audience,
            "status": report.status,
            "requested_at": _iso(report.requested_at),
            "due_date": _iso(report.due_date),
            "submitted_at": _iso(report.submitted_at),
            "reminders_sent": report.reminders_sent,
            "last_reminded_at": _iso(report.last_reminded_at),
            "satisfaction": report.satisfaction,
            "answers": [
                {"statement": answer.statement.code, "text": answer.statement.statement, "agreement": answer.agreement}
                for answer in sorted(report.answers.all(), key=lambda answer: answer.statement_id)
            ],
            "recognition": report.recognition,
            "recognition_details": report.recognition_details,
            "comments": report.comments,
            "history": [
                {
                    "at": _iso(change.changed_at),
                    "from": change.from_status,
                    "to": change.to_status,
                    "reason": change.reason,
                }
                for change in report.status_changes.all()
            ],
        }
        for report in reports
    ]


@transaction.atomic
def participant_reports_erase(*, participant, former_user_id: int | None = None) -> list[str]:
    """Erase what the reports hold about an erased participant; the names of the fields erased.

    Called inside ``participants.services.participant_erase`` (which checks who may, and logs the erasure
    with the names returned here). The free texts are emptied; the former account is unlinked from the
    report (``submitted_by``) and from its history (``changed_by``). Satisfaction, the agreements, the
    recognition choice, the state and the dates stay, so the programme's figures still count the report.
    """
    reports = ParticipantReport.objects.filter(mobility__participant=participant)
    erased = []
    for field in FREE_TEXT:
        if reports.exclude(**{field: ""}).update(**{field: ""}):
            erased.append(f"report_{field}")
    unlinked = reports.filter(submitted_by__isnull=False).update(submitted_by=None)
    if former_user_id is not None:
        unlinked += ParticipantReportStatusChange.objects.filter(
            report__mobility__participant=participant, changed_by_id=former_user_id
        ).update(changed_by=None)
    if unlinked:
        erased.append("report_submitted_by")
    return erased
