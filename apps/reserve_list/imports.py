"""Reserve-list import: read a CSV or XLSX file, check it, preview what it changes, apply it.

Three steps, each usable on its own (the web view stores the file and runs them
on upload and on confirmation; the ``import_reserve_list`` command runs them in
one go):

1. ``parse_reserve_list`` reads the file and checks every cell, and the rows
   against the database (calls, regions, applications already imported). Each
   problem is a ``RowError(row, column, message)`` with the spreadsheet's row
   number (header = 1).
2. ``import_preview`` says, without writing, what applying would do.
3. ``import_apply`` writes it in one transaction; with any error nothing is
   saved (DESIGN.md §4, "Bad input").

The database wins over the file for organisations that already exist: their
name, city and region are never changed by an import. Applications never move
between calls or organisations, and an import only moves an application's
status between ``reserve`` and ``below_threshold`` (RULES.md: an application
below the threshold is never on the reserve list).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.organisations.models import Organisation, OrganisationType, oid_validator
from apps.organisations.services import organisation_create
from apps.reference.models import Region
from apps.reserve_list import rules
from apps.reserve_list.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Call,
    ImportStatus,
    ReserveListImport,
    application_number_validator,
)

COLUMNS = (
    "application_number",
    "call_year",
    "oid",
    "organisation_name",
    "organisation_city",
    "region",
    "score_relevance",
    "score_quality_design",
    "score_quality_follow_up",
    "score_total",
    "requested_grant_eur",
    "planned_learners",
    "planned_staff",
    "submitted_at",
)
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

_INTEGER = re.compile(r"[+-]?\d+(\.0*)?")
_AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class RowError(NamedTuple):
    """A problem in the file: the spreadsheet's row (header = 1), the column's name ("" for the whole file)."""

    row: int
    column: str
    message: str


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


# --- Reading the file -----------------------------------------------------------------


def _read_table(fileobj: IO, filename: str) -> tuple[list[list[Any]] | None, list[RowError]]:
    """The file's rows as lists of cell values (CSV: strings; XLSX: as stored), or an error."""
    suffix = Path(filename or "").suffix.lower()
    data = fileobj.read()
    if suffix == ".csv":
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return None, [RowError(1, "", _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))]
        data = data.removeprefix("\ufeff")
        try:
            return list(csv.reader(io.StringIO(data, newline=""))), []
        except csv.Error:
            return None, [RowError(1, "", _("The file could not be read as CSV (comma-separated values)."))]
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data if isinstance(data, bytes) else data.encode())
    return None, [RowError(1, "", _("Upload the reserve list as a CSV (.csv) or Excel (.xlsx) file."))]


def _read_xlsx(data: bytes) -> tuple[list[list[Any]] | None, list[RowError]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None, [RowError(1, "", _("The file could not be read as an Excel (.xlsx) workbook."))]
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong sheet dimensions; read every row there is
        return [list(row) for row in sheet.iter_rows(values_only=True)], []
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else None
    text = _text(value)
    return int(Decimal(text)) if _INTEGER.fullmatch(text) else None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest decimal that round-trips: 96200.5, not 96200.500000000001
    elif _AMOUNT.fullmatch(text := _text(value)):
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    return amount if amount.is_finite() else None


def _moment(value: Any) -> datetime | None:
    """An aware datetime; naive values are taken in settings.TIME_ZONE."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:  # a bare number: openpyxl already turns cells formatted as dates into datetimes
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _region_code(value: Any) -> str:
    code = _text(value)
    # Spreadsheets drop the leading zero of 02..08: take "2" as "02".
    return f"0{code}" if len(code) == 1 and code.isdigit() else code


def _chunks(values: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_applications(numbers: Iterable[str], *, lock: bool = False) -> dict[str, Application]:
    found: dict[str, Application] = {}
    for chunk in _chunks(sorted(set(numbers))):
        queryset = Application.objects.filter(number__in=chunk).select_related("call", "organisation")
        if lock and connection.features.has_select_for_update_of:
            queryset = queryset.select_for_update(of=("self",))
        elif lock:
            queryset = queryset.select_for_update()
        found.update((application.number, application) for application in queryset)
    return found


def _existing_organisations(oids: Iterable[str]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for chunk in _chunks(sorted(set(oids))):
        found.update((o.oid, o) for o in Organisation.objects.filter(oid__in=chunk).only("pk", "oid", "legal_name"))
    return found


def _calls_by_year(years: Iterable[int]) -> dict[int, Call]:
    """The call of each year; with several programmes, the newest programme's (as the ranking pages do)."""
    calls: dict[int, Call] = {}
    for call in Call.objects.filter(year__in=set(years)).select_related("programme").order_by("year", "-programme_id"):
        calls.setdefault(call.year, call)
    return calls


def _conflicts(row: int, number: str, call_year: int, oid: str, existing: Application | None) -> list[RowError]:
    """An application never moves between calls or organisations."""
    if existing is None:
        return []
    errors = []
    if existing.call.year != call_year:
        errors.append(
            RowError(
                row,
                "call_year",
                _("Application %(number)s is already in the call %(year)s; it cannot move to another call.")
                % {"number": number, "year": existing.call.year},
            )
        )
    if existing.organisation.oid != oid:
        errors.append(
            RowError(
                row,
                "oid",
                _("Application %(number)s belongs to the organisation %(oid)s; it cannot move to another organisation.")
                % {"number": number, "oid": existing.organisation.oid},
            )
        )
    return errors


def parse_reserve_list(fileobj: IO, filename: str) -> ParsedImport:
    """Read and check a reserve-list file (CSV in UTF-8, with or without BOM, or the first sheet of an XLSX)."""
    parsed = ParsedImport(filename=filename)
    table, errors = _read_table(fileobj, filename)
    if errors:
        parsed.errors = errors
        return parsed

    # Empty rows are skipped wherever they are (spreadsheets keep formatted but empty rows at the end).
    numbered = [(number, cells) for number, cells in enumerate(table, start=1) if not all(map(_blank, cells))]
    if not numbered:
        parsed.errors = [RowError(1, "", _("The file is empty: it needs a header row and one row per application."))]
        return parsed
    header_row, header = numbered[0]
    if header_row != 1:
        parsed.errors = [RowError(1, "", _("The first row must be the header with the column names."))]
        return parsed

    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = _text(cell).removeprefix("\ufeff").strip().casefold()
        if name in COLUMNS and name in positions:
            parsed.errors.append(
                RowError(1, name, _("The column “%(column)s” appears more than once.") % {"column": name})
            )
        positions.setdefault(name, position)
    missing = [name for name in COLUMNS if name not in positions]
    if missing and len(header) == 1 and ";" in _text(header[0]):
        parsed.errors.append(
            RowError(1, "", _("The columns must be separated by commas; this file seems to use semicolons."))
        )
        return parsed
    for name in missing:
        parsed.errors.append(RowError(1, name, _("The column “%(column)s” is missing.") % {"column": name}))
    if parsed.errors:
        return parsed
    if len(numbered) == 1:
        parsed.errors = [RowError(2, "", _("The file has a header row but no applications."))]
        return parsed

    records = [
        (number, {name: cells[positions[name]] if positions[name] < len(cells) else None for name in COLUMNS})
        for number, cells in numbered[1:]
    ]
    context = _Context.load(records)
    seen: dict[str, int] = {}
    for number, cells in records:
        row, row_errors = _parse_row(number, cells, context, seen)
        parsed.errors.extend(row_errors)
        if row is not None and not row_errors:
            parsed.rows.append(row)
    order = {name: index for index, name in enumerate(COLUMNS)}
    parsed.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
    return parsed


@dataclass
class _Context:
    """What the rows are checked against, each loaded in one query (or a few for long files)."""

    calls: dict[int, Call]
    regions: dict[tuple[str, str], Region]  # (country, code)
    applications: dict[str, Application]
    default_country: str = "PL"

    @classmethod
    def load(cls, records: list[tuple[int, dict]]) -> _Context:
        years = {y for _n, cells in records if (y := _integer(cells["call_year"])) is not None}
        calls = _calls_by_year(years)
        countries = {str(call.programme.sending_country) for call in calls.values()} or {"PL"}
        regions = {(r.country_id, r.code): r for r in Region.objects.filter(country_id__in=countries)}
        numbers = [_text(cells["application_number"]) for _n, cells in records]
        return cls(
            calls=calls,
            regions=regions,
            applications=_existing_applications(numbers),
            default_country=sorted(countries)[0],
        )

    def region(self, call: Call | None, code: str) -> Region | None:
        country = str(call.programme.sending_country) if call else self.default_country
        return self.regions.get((country, code))


def _parse_row(number: int, cells: dict, context: _Context, seen: dict[str, int]):
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for name in COLUMNS:
        if _blank(cells[name]):
            error(name, _("This value is missing."))
    present = {name for name in COLUMNS if not _blank(cells[name])}

    app_number = _text(cells["application_number"])
    if "application_number" in present:
        try:
            application_number_validator(app_number)
        except ValidationError as exc:
            error("application_number", exc.messages[0])
            app_number = ""
        else:
            if app_number in seen:
                error(
                    "application_number",
                    _("Application %(number)s is already in row %(row)s.")
                    % {"number": app_number, "row": seen[app_number]},
                )
            else:
                seen[app_number] = number

    call = None
    call_year = _integer(cells["call_year"]) if "call_year" in present else None
    if "call_year" in present:
        if call_year is None:
            error("call_year", _("Enter the call year, e.g. 2023."))
        elif (call := context.calls.get(call_year)) is None:
            error("call_year", _("There is no call %(year)s in the programme.") % {"year": call_year})
        if app_number and call_year is not None and app_number[:4] != str(call_year):
            error(
                "application_number",
                _("The application number is from the call %(number_year)s, not %(call_year)s.")
                % {"number_year": app_number[:4], "call_year": call_year},
            )

    oid = _text(cells["oid"])
    if "oid" in present:
        try:
            oid_validator(oid)
        except ValidationError as exc:
            error("oid", exc.messages[0])

    for name, model_field in (("organisation_name", "legal_name"), ("organisation_city", "city")):
        limit = Organisation._meta.get_field(model_field).max_length
        if len(_text(cells[name])) > limit:
            error(
                name,
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": limit, "length": len(_text(cells[name]))},
            )

    region_code = _region_code(cells["region"])
    region = context.region(call, region_code) if "region" in present else None
    if "region" in present and region is None:
        error(
            "region",
            _("Unknown region code “%(code)s”: use the two-digit TERYT code of the voivodeship, e.g. 30.")
            % {"code": _text(cells["region"])},
        )

    scores: dict[str, int] = {}
    for name, maximum in rules.CRITERIA_MAX.items():
        if name not in present:
            continue
        value = _integer(cells[name])
        if value is None or value < 0:
            error(name, _("Enter a whole number of points from 0 to %(max)s.") % {"max": maximum})
        elif value > maximum:
            error(
                name,
                _("%(value)s is above this criterion’s maximum of %(max)s points.") % {"value": value, "max": maximum},
            )
        else:
            scores[name] = value
    total = _integer(cells["score_total"]) if "score_total" in present else None
    if "score_total" in present:
        if total is None or total < 0:
            error("score_total", _("Enter the total as a whole number of points."))
        elif len(scores) == len(rules.CRITERIA_MAX) and total != sum(scores.values()):
            error(
                "score_total",
                _("The total %(total)s is not the sum of the criteria (%(sum)s).")
                % {"total": total, "sum": sum(scores.values())},
            )

    requested = _amount(cells["requested_grant_eur"]) if "requested_grant_eur" in present else None
    if "requested_grant_eur" in present:
        if requested is None:
            error("requested_grant_eur", _("Enter the requested grant in euro, e.g. 118500.00."))
        elif requested <= 0:
            error("requested_grant_eur", _("The requested grant must be more than 0."))
        elif requested != requested.quantize(rules.CENT):
            error("requested_grant_eur", _("An amount in euro has at most 2 decimal places."))
        elif requested >= MAX_GRANT:
            error("requested_grant_eur", _("The requested grant is too large."))

    counts: dict[str, int] = {}
    for name in ("planned_learners", "planned_staff"):
        if name in present:
            value = _integer(cells[name])
            if value is None or value < 0:
                error(name, _("Enter a whole number of participants, 0 or more."))
            else:
                counts[name] = value

    submitted_at = _moment(cells["submitted_at"]) if "submitted_at" in present else None
    if "submitted_at" in present and submitted_at is None:
        error(
            "submitted_at",
            _("Enter the date and time of submission in ISO 8601, e.g. 2023-02-21T10:15:00+01:00."),
        )

    if app_number and call_year is not None and "oid" in present:
        errors.extend(_conflicts(number, app_number, call_year, oid, context.applications.get(app_number)))
    if errors:
        return None, errors
    return (
        ImportRow(
            row=number,
            number=app_number,
            call_year=call_year,
            call_id=call.pk,
            oid=oid,
            organisation_name=_text(cells["organisation_name"]),
            organisation_city=_text(cells["organisation_city"]),
            region_code=region_code,
            region_id=region.pk,
            score_total=total,
            requested_grant=requested.quantize(rules.CENT),
            submitted_at=submitted_at,
            **scores,
            **counts,
        ),
        [],
    )


# --- Preview ----------------------------------------------------------------------------


def _row_values(row: ImportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in UPDATABLE_FIELDS}


def _build_plan(parsed: ParsedImport, *, lock: bool = False) -> ImportPlan:
    plan = ImportPlan()
    existing = _existing_applications((r.number for r in parsed.rows), lock=lock)
    organisations = _existing_organisations(r.oid for r in parsed.rows)
    new_oids: set[str] = set()
    for row in parsed.rows:
        organisation = organisations.get(row.oid)
        if organisation is None and row.oid not in new_oids:
            new_oids.add(row.oid)
            plan.new_organisations.append(
                PlannedOrganisation(row.row, row.oid, row.organisation_name, row.organisation_city, row.region_code)
            )
        elif organisation is not None and organisation.legal_name != row.organisation_name:
            plan.warnings.append(
                RowError(
                    row.row,
                    "organisation_name",
                    _("Organisation %(oid)s is in the portal as “%(name)s”; the name in the file is not used.")
                    % {"oid": row.oid, "name": organisation.legal_name},
                )
            )

        application = existing.get(row.number)
        planned = PlannedApplication(row.row, row.number, row.call_year, row.oid, row.passes_threshold, row.status)
        if application is None:
            plan.created.append(planned)
            continue
        conflicts = _conflicts(row.row, row.number, row.call_year, row.oid, application)
        if conflicts:
            plan.errors.extend(conflicts)
            continue
        plan._existing[row.number] = application
        planned.changes = {
            name: (getattr(application, name), new)
            for name, new in _row_values(row).items()
            if getattr(application, name) != new
        }
        planned.status = application.status
        if application.status in (ApplicationStatus.RESERVE, ApplicationStatus.BELOW_THRESHOLD):
            if application.status != row.status:
                planned.status_from, planned.status = application.status, row.status
        elif not row.passes_threshold:
            plan.warnings.append(
                RowError(
                    row.row,
                    "score_total",
                    _(
                        "The scores are below the threshold, but application %(number)s is %(status)s; "
                        "its status stays as it is."
                    )
                    % {"number": row.number, "status": application.get_status_display()},
                )
            )
        (plan.updated if planned.changes or planned.status_changed else plan.unchanged).append(planned)
    return plan


def import_preview(parsed: ParsedImport) -> ImportPlan:
    """What ``import_apply`` would do with the file's valid rows; writes nothing."""
    return _build_plan(parsed)


# --- Apply ------------------------------------------------------------------------------


def _change_reason(source: str) -> str:
    if len(source) <= CHANGE_REASON_MAX:
        return source
    return source[: CHANGE_REASON_MAX - 1] + "…"


def _organisation_errors(row: int, exc: ValidationError) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(row, "oid", message) for message in exc.messages]
    return [
        RowError(row, FIELD_COLUMNS.get(name, "oid"), message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def import_apply(*, parsed: ParsedImport, by=None, source: str) -> ImportResult:
    """Write the file: new organisations and applications, changed applications. All or nothing.

    Raises ``ImportErrors`` (saving nothing) when the file has errors, or when
    creating an organisation fails. ``source`` is kept as the change reason of
    every application version the import writes (name the file in it).
    """
    if parsed.errors:
        raise ImportErrors(parsed.errors)
    reason = _change_reason(source)
    rows = {row.number: row for row in parsed.rows}
    with transaction.atomic():
        # Rounds lock their call before reading the ranking; an import changes the ranking, so it
        # takes the same locks first (in primary-key order) and then locks the applications it reads.
        calls = {
            call.pk: call
            for call in Call.objects.select_for_update()
            .select_related("programme")
            .filter(pk__in={row.call_id for row in parsed.rows})
            .order_by("pk")
        }
        plan = _build_plan(parsed, lock=True)
        if plan.errors:
            raise ImportErrors(plan.errors)

        errors: list[RowError] = []
        by_row = {row.row: row for row in parsed.rows}
        regions = Region.objects.in_bulk({by_row[p.row].region_id for p in plan.new_organisations})
        for planned in plan.new_organisations:
            row = by_row[planned.row]
            try:
                organisation_create(
                    oid=planned.oid,
                    legal_name=planned.name,
                    kind=OrganisationType.OTHER,
                    country=str(calls[row.call_id].programme.sending_country),
                    region=regions[row.region_id],
                    city=planned.city,
                )
            except ValidationError as exc:
                errors.extend(_organisation_errors(planned.row, exc))
        if errors:
            raise ImportErrors(errors)
        organisations = {o.oid: o.pk for o in _existing_organisations(p.oid for p in plan.created).values()}

        from simple_history.utils import bulk_create_with_history

        created = bulk_create_with_history(
            [
                Application(
                    number=planned.number,
                    call_id=rows[planned.number].call_id,
                    organisation_id=organisations[planned.oid],
                    status=planned.status,
                    **_row_values(rows[planned.number]),
                )
                for planned in plan.created
            ],
            Application,
            batch_size=QUERY_CHUNK,
            default_user=by,
            default_change_reason=reason,
        )
        ApplicationStatusChange.objects.bulk_create(
            [ApplicationStatusChange(application=a, to_status=a.status, changed_by=by, reason=reason) for a in created],
            batch_size=QUERY_CHUNK,
        )

        for planned in plan.updated:
            application = plan._existing[planned.number]
            for name, (_old, new) in planned.changes.items():
                setattr(application, name, new)
            fields = list(planned.changes)
            if planned.status_changed:
                # application_set_status refuses reserve <-> below_threshold: that pair is not a workflow
                # step but the threshold rule applied to new scores, so the import records the move itself.
                ApplicationStatusChange.objects.create(
                    application=application,
                    from_status=planned.status_from,
                    to_status=planned.status,
                    changed_by=by,
                    reason=THRESHOLD_REASON,
                )
                application.status = planned.status
                fields.append("status")
            if planned.changes:
                application._change_reason = reason
                if by is not None:  # else simple-history takes the request's user, if any
                    application._history_user = by
                application.save(update_fields=fields)
            else:  # only the status moved: no new version of the data (history excludes the status)
                Application.objects.filter(pk=application.pk).update(status=application.status)
    return ImportResult(plan=plan, source=reason)


def import_file(
    *, path_or_file, filename: str | None = None, by=None, dry_run: bool = False, source: str | None = None
) -> tuple[ParsedImport, ImportPlan | ImportResult]:
    """Parse a file (a path or an open binary file) and preview it (``dry_run``) or apply it.

    Applying a file with errors raises ``ImportErrors``; a dry run returns the
    plan of the valid rows and leaves the errors in ``parsed.errors``.
    """
    if isinstance(path_or_file, str | Path):
        filename = filename or Path(path_or_file).name
        with open(path_or_file, "rb") as fileobj:
            parsed = parse_reserve_list(fileobj, filename)
    else:
        filename = filename or Path(getattr(path_or_file, "name", "") or "").name
        parsed = parse_reserve_list(path_or_file, filename)
    if dry_run:
        return parsed, import_preview(parsed)
    return parsed, import_apply(parsed=parsed, by=by, source=source or f"import: {filename}")


# --- Uploads through the web: store, preview, apply on confirmation -------------------------


def _stored_summary(parsed: ParsedImport, plan: ImportPlan) -> dict:
    return {
        **plan.summary(),
        "valid_rows": len(parsed.rows),
        "errors": [list(e) for e in parsed.errors],
        "warnings": [list(w) for w in plan.warnings],
    }


def import_upload_store(*, fileobj: IO, filename: str, by) -> ReserveListImport:
    """Keep an uploaded file (through the storage API) with the summary of its preview; writes no application."""
    data = fileobj.read()
    parsed = parse_reserve_list(io.BytesIO(data), filename)
    plan = import_preview(parsed)
    record = ReserveListImport(original_name=Path(filename).name[:255], uploaded_by=by)
    record.file.save(Path(filename).name, ContentFile(data), save=False)
    record.summary = _stored_summary(parsed, plan)
    record.save()
    return record


def _parse_stored(record: ReserveListImport) -> ParsedImport:
    with record.file.open("rb") as fileobj:
        return parse_reserve_list(fileobj, record.original_name)


def import_upload_preview(*, record: ReserveListImport) -> tuple[ParsedImport, ImportPlan]:
    """Read the stored file again and say what applying it would do now."""
    parsed = _parse_stored(record)
    return parsed, import_preview(parsed)


def import_upload_apply(*, record: ReserveListImport, by) -> ImportResult:
    """Apply a previewed upload (all or nothing); raises ``ImportErrors`` when the file has errors."""
    with transaction.atomic():
        record = ReserveListImport.objects.select_for_update().get(pk=record.pk)
        parsed = _parse_stored(record)
        result = import_apply(parsed=parsed, by=by, source=f"import: {record.original_name}")
        if record.status != ImportStatus.APPLIED:  # applying twice changes nothing the second time
            record.status, record.applied_at = ImportStatus.APPLIED, timezone.now()
        record.summary = {**_stored_summary(parsed, result.plan), "applied_by": getattr(by, "pk", None)}
        record.save(update_fields=["status", "applied_at", "summary"])
    return result
