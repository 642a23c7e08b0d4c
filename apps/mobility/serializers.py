"""The grant-quote API's request and response, as DRF serializers (validation and the OpenAPI schema).

The schema's descriptions (``help_text``) are in English, like Swagger UI around them; the error
messages a client gets follow its ``Accept-Language``.

Fields take JSON's own types only: a number is not accepted as a string, nor ``"true"`` as a boolean,
nor ``1`` as a day count of ``1.0``; a key the API does not know is an error rather than silently ignored
(a misspelt ``"fewer_oportunities"`` would otherwise change the quote without a word).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from apps.mobility.grant import GrantItem
from apps.mobility.quote import MAX_DISTANCE_KM, PARTICIPANT_CATEGORIES

# Dates the API accepts: wide enough for any graduation and mobility of the programme,
# narrow enough that date arithmetic (a graduate's 12 months) never leaves Python's calendar.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_DAYS = 365
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StrictCharField(serializers.CharField):
    """A JSON string only (DRF's CharField also takes numbers)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: not a string, a boolean or a fraction."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only (DRF's BooleanField also takes "yes", 1, "on", ...)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` string of a real date between 2000 and 2100."""

    default_error_messages = {"out_of_range": _("Give a date from {min} to {max}.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _ISO_DATE.fullmatch(data):
            self.fail("invalid", format="YYYY-MM-DD")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("invalid", format="YYYY-MM-DD")
        if not MIN_DATE <= value <= MAX_DATE:
            self.fail("out_of_range", min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat())
        return value


class DistanceField(serializers.IntegerField):
    """A JSON number of km, rounded down to whole km like the computed distance."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
            self.fail("invalid")
        return math.floor(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it has no field for, each with its own error."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors = {key: [ErrorDetail(str(_("Unknown field.")), code="unknown_field")] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise
            raise ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise ValidationError(errors)
        return value


class PlaceSerializer(StrictSerializer):
    city = StrictCharField(max_length=200, help_text="City name, as written locally or in English.")
    country = StrictCharField(
        min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2 code of one of the programme's countries."
    )

    def validate_country(self, value: str) -> str:
        if not value.isascii() or not value.isalpha():
            raise ValidationError(_("Give a two-letter country code, e.g. PL."), code="invalid")
        return value.upper()


class GrantQuoteRequestSerializer(StrictSerializer):
    call_year = StrictIntegerField(help_text="Call year whose rate tables apply, e.g. 2024.")
    activity_type = StrictCharField(max_length=20, help_text="Activity type code, e.g. LM-SHORT-VET.")
    participant_category = serializers.ChoiceField(choices=[value for value, _label in PARTICIPANT_CATEGORIES])
    start_date = StrictDateField(help_text="First day of the physical activity (travel days excluded).")
    end_date = StrictDateField(help_text="Last day of the physical activity (travel days excluded).")
    origin = PlaceSerializer(help_text="The sending organisation's city.")
    destination = PlaceSerializer(help_text="The host's city.")
    travel_days = StrictIntegerField(
        required=False, default=0, min_value=0, max_value=MAX_DAYS, help_text="Travel days declared (0 if absent)."
    )
    green_travel = StrictBooleanField(required=False, default=False)
    fewer_opportunities = StrictBooleanField(required=False, default=False)
    course_days = StrictIntegerField(
        required=False, default=0, min_value=0, max_value=MAX_DAYS, help_text="Course days (courses and training)."
    )
    graduation_date = StrictDateField(
        required=False, allow_null=True, default=None, help_text="Graduation date of a recent graduate."
    )
    distance_km = DistanceField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=MAX_DISTANCE_KM,
        help_text="One-way distance in km; replaces the distance between the two cities (which are not looked up).",
    )


# --- Responses (for the schema) ---------------------------------------------------------------------------------


class QuoteErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted JSON path of the field, e.g. origin.city; null for the whole request."
    )
    code = serializers.CharField(help_text="Machine-readable code, e.g. required, unknown_city, too_long.")
    message = serializers.CharField()


class GrantLineSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=[item.value for item in GrantItem])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR, two decimals.")
    explanation = serializers.CharField(help_text="How the amount was computed (band, days, rate, call year).")


class GrantQuoteSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    errors = QuoteErrorSerializer(many=True)
    distance_km = serializers.IntegerField(allow_null=True)
    distance_band = serializers.CharField(allow_null=True, help_text="e.g. 2000-2999, or 8000+.")
    duration_days = serializers.IntegerField(
        allow_null=True, help_text="Days of physical activity, start and end included, travel days excluded."
    )
    funded_travel_days = serializers.IntegerField()
    lines = GrantLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR, two decimals.")


class ErrorsSerializer(serializers.Serializer):
    errors = QuoteErrorSerializer(many=True)
