from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.reference import models


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
