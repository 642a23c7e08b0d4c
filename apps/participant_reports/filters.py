import django_filters
from django.utils.translation import gettext_lazy as _

from apps.participant_reports.models import ReportStatus
from apps.reference.models import Region
from apps.reserve_list.models import Call

NOT_REQUESTED = "not_requested"


class _LateFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        label=_("Overdue (now, or submitted late)"), field_name="late", method="by_late"
    )

    def by_late(self, queryset, name, value):
        return queryset.filter(late=value)


class AgencyReportFilter(_LateFilter):
    """The agency's list of reports (a queryset of ``ParticipantReport`` annotated by ``selectors.with_late``)."""

    status = django_filters.ChoiceFilter(label=_("State"), choices=ReportStatus.choices)
    project = django_filters.CharFilter(
        label=_("Project (agreement number)"),
        field_name="mobility__project__agreement_number",
        lookup_expr="icontains",
    )
    call = django_filters.ModelChoiceFilter(
        label=_("Call"),
        field_name="mobility__project__application__call",
        queryset=Call.objects.select_related("programme"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region of the sending organisation"),
        field_name="mobility__project__application__organisation__region",
        queryset=Region.objects.all(),
    )


class ProjectReportFilter(_LateFilter):
    """A project's mobilities with their report (``selectors.project_report_rows``)."""

    status = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[(NOT_REQUESTED, _("not requested yet")), *ReportStatus.choices],
        method="by_status",
    )

    def by_status(self, queryset, name, value):
        if value == NOT_REQUESTED:
            return queryset.filter(participant_report__isnull=True)
        return queryset.filter(participant_report__status=value)
