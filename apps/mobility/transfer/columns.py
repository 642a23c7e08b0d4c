"""The import and export's column set (version 1), what reading a row gives, and an import's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from apps.core.tabular import RowError
from apps.reference.models import ActivityType

VERSION = 1
COLUMNS_V1 = (
    "participant_email",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "nationality",
    "category",
    "graduation_date",
    "fewer_opportunities",
    "accompanying_person",
    "accompanies",
    "activity_type",
    "host_oid",
    "host_name",
    "host_city",
    "host_country",
    "start_date",
    "end_date",
    "travel_days",
    "green_travel",
    "travel_means",
    "course_days",
    "virtual_component",
)
# Optional in version 1: a mobility with a virtual component needs them (the example file has none).
OPTIONAL_COLUMNS_V1 = ("virtual_description", "virtual_start", "virtual_end")
# Written by an export after the input columns; ignored by an import.
COMPUTED_COLUMNS = ("status", "distance_km", "distance_band", "grant_total")
EXPORT_COLUMNS = COLUMNS_V1 + OPTIONAL_COLUMNS_V1 + COMPUTED_COLUMNS
# An export then writes the columns the apps above mobility register (``extra_columns.export_columns()``), also
# computed and ignored by an import.
REQUIRED = ("participant_email", "first_name", "last_name", "category", "activity_type", "start_date", "end_date")
PERSON_COLUMNS = ("first_name", "last_name", "birth_date", "gender", "nationality", "category", "graduation_date")
# Where a service's field error goes in the file.
FIELD_COLUMNS = {
    "email": "participant_email",
    "first_name": "first_name",
    "last_name": "last_name",
    "birth_date": "birth_date",
    "gender": "gender",
    "nationality": "nationality",
    "category": "category",
    "graduation_date": "graduation_date",
    "reasons": "fewer_opportunities",
    "participant": "participant_email",
    "activity_type": "activity_type",
    "accompanying": "accompanying_person",
    "accompanies": "accompanies",
    "host": "host_oid",
    "oid": "host_oid",
    "legal_name": "host_name",
    "city": "host_city",
    "country": "host_country",
    "region": "host_country",
    "destination_city": "host_city",
    "destination_country": "host_country",
    "start_date": "start_date",
    "end_date": "end_date",
    "virtual_component": "virtual_component",
    "virtual_description": "virtual_description",
    "virtual_start": "virtual_start",
    "virtual_end": "virtual_end",
    "travel_days": "travel_days",
    "green_travel": "green_travel",
    "travel_means": "travel_means",
    "course_days": "course_days",
}
YES, NO = "yes", "no"
_BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}
# Hosts recorded without an OID get a provisional one from this range (the model requires an OID).
PROVISIONAL_OID_PREFIX = "E99"
MAX_DAYS = 365
QUERY_CHUNK = 500  # values per IN (...) lookup, well under every backend's parameter limit
INCLUSION = "inclusion_support"  # grant.GrantItem: left out of grant_total for those who may not see the flag


@dataclass
class MobilityRow:
    """One valid row of the file, with typed values."""

    row: int
    email: str
    person: dict[str, Any]
    fewer_opportunities: bool | None  # None: not given, left as it is
    accompanying: bool
    accompanies: str  # the accompanied learner's e-mail, "" when none
    activity_type: ActivityType
    host_oid: str
    host_name: str
    host_city: str
    host_country: str
    mobility: dict[str, Any]


@dataclass
class Parsed:
    filename: str
    rows: list[MobilityRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class RowOutcome:
    row: int
    email: str
    participant: str  # "created" or "updated"
    host: str  # "matched" or "created"
    mobility_id: int | None
    violations: list[str]


@dataclass
class Result:
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        return {
            "mobilities": len(self.rows),
            "participants_created": len({r.email for r in self.rows if r.participant == "created"}),
            "participants_updated": len({r.email for r in self.rows if r.participant == "updated"}),
            "hosts_created": sum(1 for r in self.rows if r.host == "created"),
            "in_draft_with_broken_rules": sum(1 for r in self.rows if r.violations),
        }


def _chunks(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _field_errors(row: int, exc: ValidationError, *, default: str) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(row, default, message) for message in exc.messages]
    found = []
    for name, messages in exc.message_dict.items():
        column = default if name == NON_FIELD_ERRORS else FIELD_COLUMNS.get(name, default)
        found.extend(RowError(row, column, message) for message in messages)
    return found
