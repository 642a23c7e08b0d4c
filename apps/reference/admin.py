from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.reference import models
from apps.reference.cities import index_city_name
from apps.reference.models import CityName
from apps.reference.selectors import city_autocomplete


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso2", "name", "name_pl", "eu_member", "support_group"]
    list_filter = ["support_group", "eu_member"]


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country"]
    list_select_related = ["country"]


@admin.register(models.ActivityType)
class ActivityTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "who", "min_days", "max_days", "course_fees", "in_fers_scope"]


@admin.register(models.KeyCompetence)
class KeyCompetenceAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_pl"]


@admin.register(models.ReportOutcomeStatement)
class ReportOutcomeStatementAdmin(admin.ModelAdmin):
    list_display = ["audience", "code", "statement"]
    list_filter = ["audience"]


@admin.register(models.TravelBand)
class TravelBandAdmin(SimpleHistoryAdmin):
    list_display = ["call_year", "min_km", "max_km", "standard_eur", "green_eur", "status"]
    list_filter = ["call_year", "status"]


@admin.register(models.IndividualSupportRate)
class IndividualSupportRateAdmin(SimpleHistoryAdmin):
    list_display = ["call_year", "rate_category", "support_group", "eur_per_day_1_14", "eur_per_day_from_15", "status"]
    list_filter = ["call_year", "rate_category", "status"]


@admin.register(models.UnitCost)
class UnitCostAdmin(SimpleHistoryAdmin):
    list_display = ["call_year", "item", "eur", "unit", "cap", "status"]
    list_filter = ["call_year", "status"]


class CityNameInline(admin.TabularInline):
    model = CityName
    fields = ["search_key"]
    extra = 0


@admin.register(models.City)
class CityAdmin(admin.ModelAdmin):
    """85,000 rows: searched by the start of any of a city's names (accents and case ignored) or by GeoNames ID,
    on the index; never counted in full."""

    list_display = ["name", "country", "admin1", "population", "latitude", "longitude", "geonameid"]
    list_filter = ["country"]
    search_fields = ["name"]  # shows the search box; get_search_results does the searching
    readonly_fields = ["geonameid", "search_key"]
    inlines = [CityNameInline]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(geonameid=int(term)), False
        matches = [city.pk for city in city_autocomplete(term, limit=500)]
        return queryset.filter(pk__in=matches), False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_city_name(form.instance)
