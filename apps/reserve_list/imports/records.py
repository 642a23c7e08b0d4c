"""What an import reads and plans: columns, row errors, typed rows, plans and results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from apps.core.tabular import RowError  # noqa: F401 (re-exported: the imports' row errors)
from apps.reserve_list import rules
from apps.reserve_list.models import (
    Application,
    ApplicationStatus,
)

COLUMNS = rules.RESERVE_LIST_COLUMNS
SCORE_COLUMNS = tuple(rules.CRITERIA_MAX)  # score_relevance, score_quality_design, score_quality_follow_up
# Application fields an import may change (never the call, the organisation or, directly, the status).
UPDATABLE_FIELDS = (
    "score_relevance",
    "score_quality_design",
    "score_quality_follow_up",
    "score_total",
    "requested_grant",
    "planned_learners",
    "planned_staff",
    "submitted_at",
)
# The file's column for each application or organisation field, to put errors where the data came from.
FIELD_COLUMNS = {
    "number": "application_number",
    "requested_grant": "requested_grant_eur",
    "oid": "oid",
    "legal_name": "organisation_name",
    "city": "organisation_city",
    "region": "region",
    "country": "region",
}
# What an import writes when the scores move an application across the threshold (see import_apply).
THRESHOLD_REASON = "import: scores changed"
# django-simple-history's change reason column holds 100 characters.
CHANGE_REASON_MAX = 100
MAX_GRANT = Decimal(10) ** 10  # Application.requested_grant: 12 digits, 2 of them decimals
QUERY_CHUNK = 500  # values per IN (...) lookup, well under every backend's parameter limit

_AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def format_error(error: RowError) -> str:
    if error.column:
        return _("row %(row)s, column %(column)s: %(message)s") % error._asdict()
    return _("row %(row)s: %(message)s") % error._asdict()


class ImportErrors(Exception):
    """The file has errors; nothing was saved. ``errors`` lists them by row and column."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(format_error(e) for e in self.errors[:5]) + ("; …" if len(self.errors) > 5 else ""))


@dataclass(slots=True)
class ImportRow:
    """One valid row of the file, with typed values."""

    row: int
    number: str
    call_year: int
    call_id: int
    oid: str
    organisation_name: str
    organisation_city: str
    region_code: str
    region_id: int
    score_relevance: int
    score_quality_design: int
    score_quality_follow_up: int
    score_total: int
    requested_grant: Decimal
    planned_learners: int
    planned_staff: int
    submitted_at: datetime

    @property
    def passes_threshold(self) -> bool:
        return rules.passes_threshold(
            score_relevance=self.score_relevance,
            score_quality_design=self.score_quality_design,
            score_quality_follow_up=self.score_quality_follow_up,
        )

    @property
    def status(self) -> str:
        """The status of a new application made from this row."""
        return (ApplicationStatus.RESERVE if self.passes_threshold else ApplicationStatus.BELOW_THRESHOLD).value


@dataclass
class ParsedImport:
    """What the file holds: the valid rows and every error found (a row with an error is not in ``rows``)."""

    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PlannedApplication:
    row: int
    number: str
    call_year: int
    oid: str
    passes_threshold: bool
    status: str  # after the import
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field: (old, new), for updates
    status_from: str | None = None  # the status before, when the import moves it

    @property
    def status_changed(self) -> bool:
        return self.status_from is not None


@dataclass
class PlannedOrganisation:
    row: int
    oid: str
    name: str
    city: str
    region_code: str


@dataclass
class ImportPlan:
    """What applying the file would do: nothing is written to compute it."""

    created: list[PlannedApplication] = field(default_factory=list)
    updated: list[PlannedApplication] = field(default_factory=list)
    unchanged: list[PlannedApplication] = field(default_factory=list)
    new_organisations: list[PlannedOrganisation] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # Conflicts with the database found while planning; parse_reserve_list normally reports them first.
    errors: list[RowError] = field(default_factory=list)
    _existing: dict[str, Application] = field(default_factory=dict, repr=False, compare=False)

    @property
    def applications(self) -> list[PlannedApplication]:
        return sorted(self.created + self.updated + self.unchanged, key=lambda p: p.row)

    @property
    def below_threshold(self) -> int:
        """How many of the file's applications are below the threshold (new, updated or unchanged)."""
        return sum(not p.passes_threshold for p in self.created + self.updated + self.unchanged)

    def summary(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "below_threshold": self.below_threshold,
            "new_organisations": len(self.new_organisations),
        }

    def as_dict(self) -> dict:
        """JSON-ready detail (for ``ReserveListImport.summary`` and the preview page)."""

        def application(p: PlannedApplication) -> dict:
            return {
                "row": p.row,
                "number": p.number,
                "call_year": p.call_year,
                "oid": p.oid,
                "passes_threshold": p.passes_threshold,
                "status": p.status,
                "status_from": p.status_from,
                "changes": {name: [str(old), str(new)] for name, (old, new) in p.changes.items()},
            }

        return {
            **self.summary(),
            "applications": {
                "created": [application(p) for p in self.created],
                "updated": [application(p) for p in self.updated],
                "unchanged": [application(p) for p in self.unchanged],
            },
            "organisations": [vars(o).copy() for o in self.new_organisations],
            "warnings": [list(w) for w in self.warnings],
        }


@dataclass
class ImportResult:
    plan: ImportPlan
    source: str

    @property
    def created(self) -> int:
        return len(self.plan.created)

    @property
    def updated(self) -> int:
        return len(self.plan.updated)

    @property
    def unchanged(self) -> int:
        return len(self.plan.unchanged)

    @property
    def below_threshold(self) -> int:
        return self.plan.below_threshold

    @property
    def new_organisations(self) -> int:
        return len(self.plan.new_organisations)

    def summary(self) -> dict[str, int]:
        return self.plan.summary()

    counts = summary
