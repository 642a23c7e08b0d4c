import django_filters
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import Organisation, OrganisationType
from apps.organisations.selectors import organisation_search
from apps.reference.models import Country, Region


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=OrganisationType.choices)
    country = django_filters.ModelChoiceFilter(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2", method="by_country"
    )

    class Meta:
        model = Organisation
        fields = ["q", "region", "kind", "country"]

    def search(self, queryset, name, value):
        return organisation_search(queryset, value.strip())

    def by_country(self, queryset, name, value):
        return queryset.filter(country=value.iso2)
