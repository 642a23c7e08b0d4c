"""Mobilities: the input fields, parsed field by field (types and existence); ``ValidationError`` keyed by field."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.mobility.mobilities.base import MAX_DAYS
from apps.mobility.models import Mobility, TravelMeans
from apps.organisations.models import Organisation
from apps.participants.models import Participant
from apps.reference.models import ActivityType, City

INPUT_FIELDS = (
    "participant",
    "activity_type",
    "accompanying",
    "accompanies",
    "host",
    "destination_city",
    "destination_country",
    "start_date",
    "end_date",
    "virtual_component",
    "virtual_description",
    "virtual_start",
    "virtual_end",
    "travel_days",
    "green_travel",
    "travel_means",
    "course_days",
)
REQUIRED_ON_CREATE = ("participant", "activity_type", "host", "start_date", "end_date")


class _Invalid(ValueError):
    pass


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    raise _Invalid(_("Enter yes or no."))


def _as_days(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(_("Enter a whole number of days."))
    if not 0 <= value <= MAX_DAYS:
        raise _Invalid(_("Enter a number of days from 0 to %(max)s.") % {"max": MAX_DAYS})
    return value


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(_("Enter a valid date (YYYY-MM-DD)."))


def _as_optional_date(value) -> datetime.date | None:
    return None if value in (None, "") else _as_date(value)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    raise _Invalid(_("Enter text."))


def _as_means(value) -> str:
    value = _as_text(value)
    if value and value not in TravelMeans.values:
        raise _Invalid(
            _("Choose one of: %(means)s.") % {"means": ", ".join(str(label) for label in TravelMeans.labels)}
        )
    return value


def _as_country(value) -> str:
    value = _as_text(value).upper()
    if len(value) != 2 or not value.isalpha():
        raise _Invalid(_("Enter a two-letter country code."))
    return value


def _instance(model, value, message: str, *, code_field: str | None = None):
    if isinstance(value, model) and value.pk is not None:
        return value
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = model.objects.filter(pk=value).first()
    elif code_field and isinstance(value, str) and value.strip():
        found = model.objects.filter(**{code_field: value.strip()}).first()
    if found is None:
        raise _Invalid(message)
    return found


def _as_participant(value) -> Participant:
    return _instance(Participant, value, _("Choose a participant."))


def _as_activity_type(value) -> ActivityType:
    return _instance(ActivityType, value, _("Choose an activity type."), code_field="code")


def _as_host(value) -> Organisation:
    return _instance(Organisation, value, _("Choose a host organisation."))


def _as_accompanies(value) -> Mobility | None:
    if value in (None, ""):
        return None
    return _instance(Mobility, value, _("Choose the mobility of the learner who is accompanied."))


def _as_city(value) -> City | str | None:
    """A ``City``, or a name still to resolve in the host's country, or None (the host's city)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value.strip()
    return _instance(City, value, _("Choose a city."))


_PARSERS = {
    "participant": _as_participant,
    "activity_type": _as_activity_type,
    "accompanying": _as_bool,
    "accompanies": _as_accompanies,
    "host": _as_host,
    "destination_city": _as_city,
    "destination_country": _as_country,
    "start_date": _as_date,
    "end_date": _as_date,
    "virtual_component": _as_bool,
    "virtual_description": _as_text,
    "virtual_start": _as_optional_date,
    "virtual_end": _as_optional_date,
    "travel_days": _as_days,
    "green_travel": _as_bool,
    "travel_means": _as_means,
    "course_days": _as_days,
}


def _parse(fields: Mapping[str, Any], *, missing: list[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(INPUT_FIELDS))
    if unknown:
        raise TypeError(f"unexpected mobility fields: {', '.join(unknown)}")
    errors: dict[str, list[str]] = {name: [_("This field is required.")] for name in missing}
    parsed = {}
    for name, value in fields.items():
        if name in missing:
            continue
        try:
            parsed[name] = _PARSERS[name](value)
        except _Invalid as exc:
            errors.setdefault(name, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return parsed
