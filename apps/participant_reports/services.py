"""The participant report's writes: requesting it, marking it overdue, reminding, submitting.

Status pipeline (``REPORT_TRANSITIONS``): requested → submitted; requested → overdue → submitted. Each move
writes a ``ParticipantReportStatusChange`` (who, when, from, to, why); so does the request (from nothing to
requested). Notifications leave through ``notifications.services.notify``, whose e-mail is enqueued when the
transaction commits.

The three sweeps (``reports_request_due``, ``reports_mark_overdue``, ``reports_remind_due``) run daily from
Celery beat, handle each report in its own transaction and can run twice: the request is one row per
mobility (a unique key), the overdue move re-checks the locked row, and a reminder is claimed by a
conditional UPDATE of ``last_reminded_at`` so that two runs (or a redelivered task) never send two
reminders in the same week.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.mobility.mobilities import MobilityError, mobility_set_status
from apps.mobility.models import Mobility, MobilityStatus
from apps.notifications.services import notify
from apps.participant_reports import rules
from apps.participant_reports.models import (
    ParticipantReport,
    ParticipantReportAnswer,
    ParticipantReportStatusChange,
    Recognition,
    ReportStatus,
)
from apps.reference.models import ReportOutcomeStatement

logger = logging.getLogger(__name__)

R = ReportStatus

REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.SUBMITTED, R.OVERDUE}),
    R.OVERDUE: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset(),
}
OPEN = (R.REQUESTED, R.OVERDUE)

# Mobilities whose participant is asked for the report once the physical end date has passed. A planned
# mobility was never confirmed (it may not have taken place); draft, cancelled and force-majeure ones are
# left out, and a reported one is done.
REQUESTED_FOR = (MobilityStatus.CONFIRMED, MobilityStatus.ONGOING, MobilityStatus.COMPLETED)

KIND_REQUESTED = "participant_report_requested"
KIND_REMINDER = "participant_report_reminder"


class ReportError(Exception):
    """A move the report's pipeline does not allow."""


def statement_field(code: str) -> str:
    """The form field (and ``ValidationError`` key) of one outcome statement."""
    return f"statement_{code}"


# --- Requesting -----------------------------------------------------------------------------------------------


def reports_request_due(*, today: datetime.date | None = None) -> int:
    """Request the report of every mobility whose physical end date has passed and that has none yet.

    Returns how many were requested. Each in its own transaction; a second run finds nothing to do.
    """
    today = today or timezone.localdate()
    due = Mobility.objects.filter(
        status__in=REQUESTED_FOR, end_date__lt=today, participant_report__isnull=True
    ).values_list("pk", flat=True)
    requested = 0
    for mobility_id in list(due):
        try:
            with transaction.atomic():
                if report_request(mobility_id=mobility_id, today=today) is not None:
                    requested += 1
        except IntegrityError:  # another run requested it meanwhile
            continue
        except ReportError:  # its status changed since the query
            continue
    return requested


@transaction.atomic
def report_request(*, mobility_id: int, today: datetime.date | None = None) -> ParticipantReport | None:
    """Request one mobility's report and tell the participant; None when it already has one.

    A participant without an account yet is not notified: the request waits and shows on /me/ once they
    sign in (``selectors.next_steps``), and the weekly reminders reach them from then on.
    """
    today = today or timezone.localdate()
    mobility = Mobility.objects.select_related("participant", "participant__user").get(pk=mobility_id)
    if ParticipantReport.objects.filter(mobility_id=mobility_id).exists():
        return None
    if mobility.status not in REQUESTED_FOR or not rules.should_request(mobility.end_date, today):
        raise ReportError(_("The report is requested only after the end of a mobility that took place."))
    report = ParticipantReport.objects.create(
        mobility=mobility,
        audience=rules.audience_for(mobility.participant.category, accompanying=mobility.accompanying),
        requested_at=timezone.now(),
        due_date=rules.due_date_for(today),
    )
    ParticipantReportStatusChange.objects.create(
        report=report, from_status="", to_status=R.REQUESTED, reason=_("The mobility has ended")
    )
    _notify(report, mobility, kind=KIND_REQUESTED)
    return report


def _notify(report: ParticipantReport, mobility: Mobility, *, kind: str) -> bool:
    user = mobility.participant.user
    if user is None:
        return False
    notify(
        kind=kind,
        recipient=user,
        context={"participant": mobility.participant, "mobility": mobility, "report": report},
        url=reverse("participant_reports:own", kwargs={"pk": mobility.pk}),
    )
    return True


# --- Overdue and reminders ---------------------------------------------------------------------------------


def reports_mark_overdue(*, today: datetime.date | None = None) -> int:
    """Mark overdue every requested report whose due date has come (30 days after the request)."""
    today = today or timezone.localdate()
    marked = 0
    for report_id in list(
        ParticipantReport.objects.filter(status=R.REQUESTED, due_date__lte=today).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            report = ParticipantReport.objects.select_for_update().get(pk=report_id)
            if report.status != R.REQUESTED:  # submitted meanwhile
                continue
            _set_status(
                report,
                R.OVERDUE,
                by=None,
                reason=_("Not submitted within %(days)s days") % {"days": rules.DUE_AFTER.days},
            )
            marked += 1
    return marked


def reports_remind_due(*, now: datetime.datetime | None = None) -> int:
    """Remind each participant whose report is still open, a week after the request or the last reminder.

    The reminder is claimed by a conditional UPDATE of ``last_reminded_at`` (still older than a week, and
    the report still open): a second run on the same day, or a redelivered task, finds nothing to claim.
    Participants without an account are skipped until they have one.
    """
    now = now or timezone.now()
    cutoff = now - rules.REMIND_EVERY
    due_now = Q(last_reminded_at__isnull=True, requested_at__lte=cutoff) | Q(last_reminded_at__lte=cutoff)
    candidates = ParticipantReport.objects.filter(due_now, status__in=OPEN, mobility__participant__user__isnull=False)
    sent = 0
    for report_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = ParticipantReport.objects.filter(due_now, pk=report_id, status__in=OPEN).update(
                last_reminded_at=now, reminders_sent=F("reminders_sent") + 1
            )
            if not claimed:
                continue
            report = ParticipantReport.objects.select_related(
                "mobility", "mobility__participant", "mobility__participant__user"
            ).get(pk=report_id)
            if _notify(report, report.mobility, kind=KIND_REMINDER):
                sent += 1
    return sent


# --- Submitting ------------------------------------------------------------------------------------------------


def statements_for(report: ParticipantReport) -> list[ReportOutcomeStatement]:
    return list(ReportOutcomeStatement.objects.filter(audience=report.audience).order_by("pk"))


@transaction.atomic
def report_submit(
    *,
    report: ParticipantReport,
    by,
    satisfaction: int | None,
    agreements: dict[str, int | None],
    recognition: str,
    recognition_details: str = "",
    comments: str = "",
) -> ParticipantReport:
    """The participant submits their report; it is read-only from then on.

    ``agreements`` maps each outcome statement's code (of the report's audience) to 1–5. Missing or wrong
    answers raise ``ValidationError`` keyed by field (``satisfaction``, ``statement_<code>``,
    ``recognition``) and save nothing. A completed mobility then becomes reported (through the mobility's
    own pipeline); a mobility not yet marked completed stays as it is, for its organisation to move on.
    """
    report = ParticipantReport.objects.select_for_update().select_related("mobility").get(pk=report.pk)
    if by is None or report.mobility.participant.user_id != getattr(by, "pk", None):
        raise ReportError(_("Only the participant submits their report."))
    if report.status not in OPEN:
        raise ReportError(_("This report has already been submitted."))
    statements = statements_for(report)
    errors = {}
    if not _on_scale(satisfaction):
        errors["satisfaction"] = _("Choose how satisfied you are, from 1 to 5.")
    for statement in statements:
        if not _on_scale(agreements.get(statement.code)):
            errors[statement_field(statement.code)] = _("Choose how much you agree, from 1 to 5.")
    if recognition not in Recognition.values:
        errors["recognition"] = _("Say whether your learning outcomes were recognised.")
    if errors:
        raise ValidationError(errors)
    ParticipantReportAnswer.objects.bulk_create(
        ParticipantReportAnswer(report=report, statement=statement, agreement=agreements[statement.code])
        for statement in statements
    )
    report.satisfaction = satisfaction
    report.recognition = recognition
    report.recognition_details = (recognition_details or "").strip()
    report.comments = (comments or "").strip()
    report.submitted_at = timezone.now()
    report.submitted_by = by
    _set_status(report, R.SUBMITTED, by=by)
    _mobility_reported(report.mobility, by=by)
    return report


def _on_scale(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in range(1, 6)


def _mobility_reported(mobility: Mobility, *, by) -> None:
    if mobility.status != MobilityStatus.COMPLETED:
        return
    try:
        mobility_set_status(
            mobility=mobility, to=MobilityStatus.REPORTED, by=by, reason=_("Participant report submitted")
        )
    except MobilityError as exc:
        # The report stands (it is the participant's); a mobility that now breaks a rule stays completed
        # until its organisation corrects it and moves it on by hand. Its savepoint is rolled back.
        logger.warning("Mobility %s stays completed after its report: %s", mobility.pk, exc)


# --- The pipeline ----------------------------------------------------------------------------------------------


def _set_status(report: ParticipantReport, to: str, *, by, reason: str = "") -> None:
    if to not in REPORT_TRANSITIONS[report.status]:
        raise ReportError(
            _("A %(from)s report cannot become %(to)s.") % {"from": R(report.status).label, "to": R(to).label}
        )
    ParticipantReportStatusChange.objects.create(
        report=report, from_status=report.status, to_status=to, changed_by=by, reason=reason
    )
    report.status = to
    report.save()
