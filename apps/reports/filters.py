import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.mobility.models import MobilityStatus, ProjectStatus
from apps.reference.models import ActivityType, Country, Region
from apps.reports.selectors import may_filter_by_fewer_opportunities
from apps.reserve_list.models import Call


def _call_years():
    return [(year, year) for year in Call.objects.order_by("year").values_list("year", flat=True).distinct()]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    call_year = django_filters.TypedChoiceFilter(
        label=_("Call year"), field_name="application__call__year", choices=_call_years, coerce=int
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="application__organisation__region", queryset=Region.objects.all()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(agreement_number__icontains=value)
            | Q(application__number__icontains=value)
            | Q(application__organisation__legal_name__icontains=value)
            | Q(application__organisation__short_name__icontains=value)
            | Q(application__organisation__oid__iexact=value)
        )


class MobilityFilter(django_filters.FilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), field_name="project__application__call", queryset=Call.objects.select_related("programme")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region of the sending organisation"),
        field_name="project__application__organisation__region",
        queryset=Region.objects.all(),
    )
    activity_type = django_filters.ModelChoiceFilter(label=_("Activity type"), queryset=ActivityType.objects.all())
    destination_country = django_filters.ModelChoiceFilter(
        label=_("Destination country"), queryset=Country.objects.all(), to_field_name="iso2", method="by_country"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MobilityStatus.choices)
    fewer_opportunities = django_filters.BooleanFilter(
        label=_("Fewer opportunities"), field_name="participant__special_category_data__fewer_opportunities"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Special-category data: the filter is neither offered to nor applied for other agency staff.
        if not may_filter_by_fewer_opportunities(user):
            del self.filters["fewer_opportunities"]

    def by_country(self, queryset, name, value):
        return queryset.filter(destination_country=value.iso2)
