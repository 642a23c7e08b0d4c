"""Import and export of a project's participants and mobilities as CSV or XLSX (docs/mobility-columns.md).

Version 1 of the column set is the Beneficiary Module's fields as in ``mobility_import_example.csv``
(``COLUMNS_V1``, in any order), plus three optional columns for the virtual component
(``OPTIONAL_COLUMNS_V1``). An export writes them in that order, then the computed columns
(``COMPUTED_COLUMNS``), which an import ignores.

1. ``parse_mobility_file`` reads the file (with the reserve-list import's reading helpers) and checks
   every cell, and the rows against the database: each problem is a ``RowError(row, column, message)``
   with the spreadsheet's row number (header = 1).
2. ``import_mobilities`` writes the rows in one transaction through the services (participants,
   special-category data, host organisations, mobilities); any error rolls everything back. A dry run
   rolls back at the end and says what the import would do. Broken eligibility rules are not errors:
   such mobilities stay in draft and the rules are reported per row.

This module's own messages are English only for now: the Polish catalogue (locale/) does not hold them
yet. The services' messages it passes on are translated as usual.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_countries import countries

from apps.core.tabular import RowError, cell_integer, cell_text, is_blank, read_table
from apps.mobility.models import GrantLine, Mobility, MobilityStatus, Project, TravelMeans
from apps.organisations.models import Organisation, oid_validator
from apps.participants.models import (
    AccessAction,
    Gender,
    ParticipantCategory,
    PersonalDataAccess,
)
from apps.reference.models import ActivityType, Country
from apps.reserve_list.imports.records import ImportErrors, format_error

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


# --- Reading and checking -----------------------------------------------------------------------------------------


class _Bad(Exception):
    pass


def _date(value: Any) -> datetime.date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(cell_text(value))
    except ValueError:
        raise _Bad(_("Enter a date as YYYY-MM-DD, e.g. 2024-09-02.")) from None


def _yes_no(value: Any, *, default: bool | None) -> bool | None:
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    found = _BOOLEANS.get(cell_text(value).casefold())
    if found is None:
        raise _Bad(_("Enter yes or no."))
    return found


def _choice(value: Any, choices, what: str) -> str:
    text = cell_text(value).casefold()
    if text and text not in choices.values:
        raise _Bad(
            _("Unknown %(what)s “%(value)s”: use one of %(choices)s.")
            % {"what": what, "value": cell_text(value), "choices": ", ".join(choices.values)}
        )
    return text


def _days(value: Any) -> int:
    if is_blank(value):
        return 0
    days = cell_integer(value)
    if days is None or not 0 <= days <= MAX_DAYS:
        raise _Bad(_("Enter a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS})
    return days


def parse_mobility_file(fileobj: IO, filename: str, *, project: Project) -> Parsed:
    """Read and check a mobility file (CSV in UTF-8 or the first sheet of an XLSX) for ``project``."""
    parsed = Parsed(filename=filename)
    if Path(filename or "").suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        parsed.errors = [RowError(1, "", _("Upload the mobilities as a CSV (.csv) or Excel (.xlsx) file."))]
        return parsed
    table, errors = read_table(fileobj, filename)
    if errors:
        parsed.errors = errors
        return parsed
    numbered = [(n, cells) for n, cells in enumerate(table, start=1) if not all(map(is_blank, cells))]
    if not numbered or numbered[0][0] != 1:
        parsed.errors = [RowError(1, "", _("The first row must be the header with the column names."))]
        return parsed
    known = COLUMNS_V1 + OPTIONAL_COLUMNS_V1
    positions: dict[str, int] = {}
    for position, cell in enumerate(numbered[0][1]):
        name = cell_text(cell).removeprefix("\ufeff").strip().casefold()
        if name in known and name in positions:
            parsed.errors.append(RowError(1, name, _("The column “%(name)s” appears more than once.") % {"name": name}))
        positions.setdefault(name, position)
    for name in COLUMNS_V1:
        if name not in positions:
            parsed.errors.append(RowError(1, name, _("The column “%(name)s” is missing.") % {"name": name}))
    if parsed.errors:
        return parsed
    if len(numbered) == 1:
        parsed.errors = [RowError(2, "", _("The file has a header row but no mobilities."))]
        return parsed

    records = [
        (
            n,
            {
                name: cells[positions[name]] if name in positions and positions[name] < len(cells) else None
                for name in known
            },
        )
        for n, cells in numbered[1:]
    ]
    context = _Context.load(project, host_oids={cell_text(cells["host_oid"]).upper() for _n, cells in records})
    rows: list[MobilityRow] = []
    for number, cells in records:
        row, row_errors = _parse_row(number, cells, context)
        parsed.errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    parsed.errors.extend(_check_rows(rows, records, context))
    failed = {error.row for error in parsed.errors}
    parsed.rows = [row for row in rows if row.row not in failed]
    order = {name: index for index, name in enumerate(known)}
    parsed.errors.sort(key=lambda e: (e.row, order.get(e.column, -1), e.message))
    return parsed


@dataclass
class _Context:
    project: Project
    activity_types: dict[str, ActivityType]
    countries: set[str]
    # (e-mail, activity type pk, start date) of the project's mobilities that are not cancelled
    existing: set[tuple[str, str, datetime.date]]
    # e-mail → the project's learner mobilities that can be accompanied
    accompaniable: dict[str, list[Mobility]]
    nationalities: set[str]  # ISO 3166 alpha-2 codes
    known_oids: set[str]  # the file's host OIDs that the portal knows

    @classmethod
    def load(cls, project: Project, *, host_oids=()) -> _Context:
        """Everything the rows are checked against, in a few queries whatever the number of rows."""
        return cls(
            project=project,
            activity_types={a.code.casefold(): a for a in ActivityType.objects.all()},
            countries=set(Country.objects.values_list("iso2", flat=True)),
            nationalities=set(dict(countries)),
            known_oids=_known_oids(host_oids),
            **_project_mobilities(project),
        )


def _chunks(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _known_oids(oids) -> set[str]:
    """The OIDs among ``oids`` of organisations recorded in the portal (one query per 500)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(oid for oid in oids if oid)):
        found.update(Organisation.objects.filter(oid__in=chunk).values_list("oid", flat=True))
    return found


def _project_mobilities(project: Project) -> dict:
    """The project's mobilities that are not cancelled: ``existing`` keys and ``accompaniable`` learners."""
    mobilities = list(
        Mobility.objects.filter(project=project).exclude(status=MobilityStatus.CANCELLED).select_related("participant")
    )
    accompaniable: dict[str, list[Mobility]] = {}
    for mobility in mobilities:
        if not mobility.accompanying:
            accompaniable.setdefault(mobility.participant.email.lower(), []).append(mobility)
    return {
        "existing": {(m.participant.email.lower(), m.activity_type_id, m.start_date) for m in mobilities},
        "accompaniable": accompaniable,
    }


def _parse_row(number: int, cells: dict, context: _Context) -> tuple[MobilityRow | None, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    def read(column: str, reader, *args, **kwargs):
        try:
            return reader(cells[column], *args, **kwargs)
        except _Bad as exc:
            error(column, str(exc))
            return None

    for name in REQUIRED:
        if is_blank(cells[name]):
            error(name, _("This value is missing."))
    email = cell_text(cells["participant_email"]).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("participant_email", _("Enter a valid e-mail address."))
    person = {
        "first_name": cell_text(cells["first_name"]),
        "last_name": cell_text(cells["last_name"]),
        "birth_date": read("birth_date", _date),
        "gender": read("gender", _choice, Gender, ("gender")) or "",
        "category": read("category", _choice, ParticipantCategory, ("category")) or "",
        "graduation_date": read("graduation_date", _date),
    }
    nationality = cell_text(cells["nationality"]).upper()
    if nationality and nationality not in context.nationalities:
        error(
            "nationality", _("Unknown country code “%(code)s”: use ISO 3166 alpha-2, e.g. PL.") % {"code": nationality}
        )
    person["nationality"] = nationality
    fewer = read("fewer_opportunities", _yes_no, default=None)
    accompanying = read("accompanying_person", _yes_no, default=False)
    accompanies = cell_text(cells["accompanies"]).lower()
    if accompanies and not accompanying:
        error("accompanies", _("Only an accompanying person (accompanying_person = yes) accompanies someone."))

    code = cell_text(cells["activity_type"]).casefold()
    activity = context.activity_types.get(code)
    if code and activity is None:
        error("activity_type", _("Unknown activity type “%(code)s”.") % {"code": cell_text(cells["activity_type"])})

    host_oid = cell_text(cells["host_oid"]).upper()
    if host_oid:
        try:
            oid_validator(host_oid)
        except ValidationError as exc:
            error("host_oid", exc.messages[0])
    host_country = cell_text(cells["host_country"]).upper()
    if host_country and host_country not in context.countries:
        error("host_country", _("“%(code)s” is not one of the programme's countries.") % {"code": host_country})
    host_name, host_city = cell_text(cells["host_name"]), cell_text(cells["host_city"])
    known_host = host_oid and host_oid in context.known_oids
    if not known_host:
        for name, value in (("host_name", host_name), ("host_city", host_city), ("host_country", host_country)):
            if not value:
                error(name, _("Give the host's name, city and country, or the OID of a known organisation."))

    start = read("start_date", _date)
    end = read("end_date", _date)
    mobility = {
        "start_date": start,
        "end_date": end,
        "travel_days": read("travel_days", _days),
        "green_travel": read("green_travel", _yes_no, default=False),
        "travel_means": read("travel_means", _choice, TravelMeans, ("means of travel")) or "",
        "course_days": read("course_days", _days),
        "virtual_component": read("virtual_component", _yes_no, default=False),
        "virtual_description": cell_text(cells["virtual_description"]),
        "virtual_start": read("virtual_start", _date),
        "virtual_end": read("virtual_end", _date),
    }
    if errors:
        return None, errors
    return (
        MobilityRow(
            row=number,
            email=email,
            person=person,
            fewer_opportunities=fewer,
            accompanying=accompanying,
            accompanies=accompanies,
            activity_type=activity,
            host_oid=host_oid,
            host_name=host_name,
            host_city=host_city,
            host_country=host_country,
            mobility=mobility,
        ),
        [],
    )


def _check_rows(rows: list[MobilityRow], records, context: _Context) -> list[RowError]:
    """Checks across rows: duplicates, one person's data the same in every row, whom accompanying persons name."""
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    people: dict[str, MobilityRow] = {}
    learners: dict[str, list[MobilityRow]] = {}
    all_emails = {cell_text(cells["participant_email"]).lower() for _n, cells in records}
    for row in rows:
        key = (row.email, row.activity_type.pk, row.mobility["start_date"])
        if key in seen:
            errors.append(
                RowError(
                    row.row,
                    "participant_email",
                    _("The same mobility (participant, activity type, start date) is already in row %(row)s.")
                    % {"row": seen[key]},
                )
            )
        elif key in context.existing:
            errors.append(
                RowError(
                    row.row,
                    "participant_email",
                    _("The project already has this mobility (participant, activity type, start date)."),
                )
            )
        seen.setdefault(key, row.row)
        first = people.setdefault(row.email, row)
        for name in PERSON_COLUMNS:
            if row.person[name] != first.person[name]:
                errors.append(
                    RowError(
                        row.row,
                        name,
                        _("%(email)s has another %(column)s in row %(row)s.")
                        % {"email": row.email, "column": name, "row": first.row},
                    )
                )
        if row.fewer_opportunities != first.fewer_opportunities:
            errors.append(
                RowError(
                    row.row,
                    "fewer_opportunities",
                    _("%(email)s has another %(column)s in row %(row)s.")
                    % {"email": row.email, "column": "fewer_opportunities", "row": first.row},
                )
            )
        if not row.accompanying:
            learners.setdefault(row.email, []).append(row)
    for row in rows:
        if not row.accompanies:
            continue
        in_file = learners.get(row.accompanies, [])
        in_project = context.accompaniable.get(row.accompanies, [])
        if len(in_file) + len(in_project) == 1:
            continue
        if len(in_file) + len(in_project) > 1:
            message = "%(email)s has several mobilities: the one accompanied is ambiguous."
        elif row.accompanies in all_emails:
            message = "%(email)s is not a learner's mobility in this file or project."
        else:
            message = "%(email)s is not a participant in this file or of this project."
        errors.append(RowError(row.row, "accompanies", message % {"email": row.accompanies}))
    return errors


# --- Importing ----------------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _field_errors(row: int, exc: ValidationError, *, default: str) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(row, default, message) for message in exc.messages]
    found = []
    for name, messages in exc.message_dict.items():
        column = default if name == NON_FIELD_ERRORS else FIELD_COLUMNS.get(name, default)
        found.extend(RowError(row, column, message) for message in messages)
    return found


def import_mobilities(*, parsed: Parsed, project: Project, by, dry_run: bool = False) -> Result:
    """Write the parsed rows in one transaction; with any error (or a dry run) nothing is saved.

    Each row is recorded as ``mobility_create`` would record it, in bulk (``transfer_bulk``): a few queries
    whatever the number of rows.
    """
    from apps.mobility.transfer_bulk import write_rows

    result = Result(dry_run=dry_run, errors=list(parsed.errors))
    if result.errors:
        return result
    ordered = sorted(parsed.rows, key=lambda r: (r.accompanying, r.row))  # learners before those accompanying them
    try:
        with transaction.atomic():
            write_rows(rows=ordered, project=project, by=by, result=result, dry_run=dry_run)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if result.errors:
        result.rows = []
        result.errors.sort(key=lambda e: (e.row, e.column))
    result.rows.sort(key=lambda r: r.row)
    return result


def import_file(*, path_or_file, filename: str, project: Project, by, dry_run: bool = False) -> Result:
    """Parse and import in one go (the command); ``ImportErrors`` when the file has errors."""
    if isinstance(path_or_file, str | Path):
        with open(path_or_file, "rb") as fileobj:
            parsed = parse_mobility_file(fileobj, filename, project=project)
    else:
        parsed = parse_mobility_file(path_or_file, filename, project=project)
    result = import_mobilities(parsed=parsed, project=project, by=by, dry_run=dry_run)
    if result.errors:
        raise ImportErrors(result.errors)
    return result


# --- Exporting ----------------------------------------------------------------------------------------------------


def export_queryset(mobilities):
    """What ``export_rows`` reads, joined in: a constant number of queries whatever the number of rows."""
    return mobilities.select_related(
        "participant",
        "participant__special_category_data",
        "activity_type",
        "host",
        "accompanies__participant",
    ).prefetch_related(Prefetch("grant_lines", queryset=GrantLine.objects.filter(item=INCLUSION), to_attr="_inclusion"))


def _visible_grant(mobility, *, special_category: bool):
    """The stored grant; without ``special_category`` less the inclusion support, which would tell who has
    fewer opportunities."""
    if special_category:
        return mobility.grant_total
    lines = getattr(mobility, "_inclusion", None)
    if lines is None:
        lines = mobility.grant_lines.filter(item=INCLUSION)
    return mobility.grant_total - sum((line.amount for line in lines), Decimal("0.00"))


def _yn(value: bool) -> str:
    return YES if value else NO


def export_rows(mobilities, *, special_category: bool = False) -> list[dict]:
    """One dict per mobility, keyed by ``EXPORT_COLUMNS`` in order. ``fewer_opportunities`` is special-category
    data: it is filled only with ``special_category`` (the caller checks who may see it and logs the export);
    without it ``grant_total`` leaves out the inclusion support, which would tell the same."""
    rows = []
    for m in mobilities:
        p = m.participant
        if special_category:
            data = getattr(p, "special_category_data", None)
            fewer = _yn(bool(data and data.fewer_opportunities))
        else:
            fewer = ""
        values = {
            "participant_email": p.email,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date,
            "gender": p.gender,
            "nationality": str(p.nationality or ""),
            "category": p.category,
            "graduation_date": p.graduation_date,
            "fewer_opportunities": fewer,
            "accompanying_person": _yn(m.accompanying),
            "accompanies": m.accompanies.participant.email if m.accompanies_id else "",
            "activity_type": m.activity_type.code,
            "host_oid": m.host.oid,
            "host_name": m.host.legal_name,
            "host_city": m.host.city,
            "host_country": m.host.country.code,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "travel_days": m.travel_days,
            "green_travel": _yn(m.green_travel),
            "travel_means": m.travel_means,
            "course_days": m.course_days,
            "virtual_component": _yn(m.virtual_component),
            "virtual_description": m.virtual_description,
            "virtual_start": m.virtual_start,
            "virtual_end": m.virtual_end,
            "status": m.status,
            "distance_km": m.distance_km,
            "distance_band": m.distance_band,
            "grant_total": _visible_grant(m, special_category=special_category),
        }
        rows.append({name: values[name] for name in EXPORT_COLUMNS})
    return rows


def log_special_category_export(mobilities, *, by, context: str) -> None:
    """Log, once per participant, that their special-category data left the portal in an export (one query)."""
    participant_ids = sorted({m.participant_id for m in mobilities})
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                participant_id=pk,
                user=by,
                action=AccessAction.EXPORT,
                fields=["fewer_opportunities"],
                context=context[:200],
            )
            for pk in participant_ids
        ]
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: list[dict]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel's “CSV UTF-8”), header first."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (reading strips it)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def write_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = f"mobilities v{VERSION}"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([row[name] for name in EXPORT_COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


__all__ = [
    "COLUMNS_V1",
    "COMPUTED_COLUMNS",
    "EXPORT_COLUMNS",
    "OPTIONAL_COLUMNS_V1",
    "ImportErrors",
    "Parsed",
    "Result",
    "RowError",
    "export_queryset",
    "export_rows",
    "format_error",
    "import_file",
    "import_mobilities",
    "log_special_category_export",
    "parse_mobility_file",
    "write_csv",
    "write_xlsx",
]
