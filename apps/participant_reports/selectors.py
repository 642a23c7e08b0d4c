"""Reads of participant reports, scoped to the user: the participant's own, the organisation's, the agency's."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.mobility.models import Mobility, MobilityStatus
from apps.mobility.selectors import get_own_mobility, mobilities_for_user
from apps.mobility.steps import NextStep
from apps.organisations.selectors import visible_organisations
from apps.participant_reports import rules
from apps.participant_reports.models import ParticipantReport, ParticipantReportAnswer, ReportStatus

NEXT_STEP_ORDER = 40
# Mobilities listed on a project's report page: those that may get a report (a draft or cancelled one never).
WITHOUT_REPORT = (MobilityStatus.DRAFT, MobilityStatus.CANCELLED)
REPORT_RELATED = (
    "mobility",
    "mobility__participant",
    "mobility__activity_type",
    "mobility__host",
    "mobility__project",
    "mobility__project__application__organisation",
)


def with_late(queryset, prefix: str = ""):
    """Annotate ``late``: overdue now, or submitted on or after the due date (``prefix``
    "participant_report__" on a queryset of mobilities)."""
    late = Q(**{f"{prefix}status": ReportStatus.OVERDUE}) | (
        Q(**{f"{prefix}status": ReportStatus.SUBMITTED}) & Q(submitted_on__gte=F(f"{prefix}due_date"))
    )
    return queryset.annotate(submitted_on=TruncDate(f"{prefix}submitted_at")).annotate(
        late=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


# --- The participant's own -------------------------------------------------------------------------------------


def get_own_report(*, user, pk: int) -> ParticipantReport:
    """The report of the participant's own mobility ``pk``; 404 for anyone else's and before it is requested."""
    mobility, report = own_mobility_and_report(user=user, pk=pk)
    if report is None:
        raise Http404
    return report


def own_mobility_and_report(*, user, pk: int) -> tuple[Mobility, ParticipantReport | None]:
    """The participant's own mobility ``pk`` (404 for anyone else's) and its report, None before it is requested."""
    mobility = get_own_mobility(user=user, pk=pk)
    report = ParticipantReport.objects.filter(mobility=mobility).first()
    if report is not None:
        report.mobility = mobility
    return mobility, report


def answers_of(report: ParticipantReport) -> list[ParticipantReportAnswer]:
    """The submitted answers with their statements, in the reference data's order."""
    return list(report.answers.select_related("statement").order_by("statement_id"))


def next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]:
    """ "Fill in your participant report" for each mobility whose report is requested or overdue; one query."""
    ids = [mobility.pk for mobility in mobilities]
    if not ids:
        return {}
    today = timezone.localdate()
    steps: dict[int, list[NextStep]] = {}
    for mobility_id, status, due in ParticipantReport.objects.filter(
        mobility_id__in=ids, status__in=(ReportStatus.REQUESTED, ReportStatus.OVERDUE)
    ).values_list("mobility_id", "status", "due_date"):
        steps[mobility_id] = [
            NextStep(
                label=_("Fill in your participant report"),
                url=reverse("participant_reports:own", kwargs={"pk": mobility_id}),
                order=NEXT_STEP_ORDER,
                due=due,
                overdue=status == ReportStatus.OVERDUE or rules.is_overdue(due, today),
            )
        ]
    return steps


# --- The organisation's and the agency's ---------------------------------------------------------------------


def reports_for_user(*, user):
    """Reports of the mobilities of the organisations the user may see (all for agency staff)."""
    return with_late(
        ParticipantReport.objects.filter(
            mobility__project__application__organisation__in=visible_organisations(user=user)
        ).select_related(*REPORT_RELATED, "mobility__project__application__call")
    ).order_by("due_date", "pk")


def get_report_for_user(*, user, mobility_pk: int) -> ParticipantReport:
    """The report of a mobility the user may see (its organisation's members, the agency); 404 otherwise and
    while none is requested."""
    report = reports_for_user(user=user).filter(mobility_id=mobility_pk).first()
    if report is None:
        raise Http404
    return report


def project_report_rows(*, user, project):
    """The project's mobilities that may get a report, each with its report (or None), for the project page."""
    return with_late(
        mobilities_for_user(user=user)
        .filter(project=project)
        .exclude(status__in=WITHOUT_REPORT)
        .select_related("participant_report"),
        prefix="participant_report__",
    ).order_by("end_date", "pk")


def project_report_counts(*, project) -> dict[str, int]:
    """How many of the project's reports are in each state, plus ``not_requested``; one query."""
    counts = (
        Mobility.objects.filter(project=project)
        .exclude(status__in=WITHOUT_REPORT)
        .aggregate(
            not_requested=Count("pk", filter=Q(participant_report__isnull=True)),
            **{status: Count("pk", filter=Q(participant_report__status=status)) for status in ReportStatus.values},
        )
    )
    return counts


def history_of(report: ParticipantReport):
    """The report's status changes, oldest first, with their states' labels (``from_label``, ``to_label``)."""
    labels = dict(ReportStatus.choices)
    changes = list(report.status_changes.select_related("changed_by").order_by("changed_at", "pk"))
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes
