"""Reading and checking a reserve-list file (CSV or XLSX), cell by cell and against the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.tabular import cell_integer, cell_text, is_blank, read_table
from apps.organisations.models import Organisation, oid_validator
from apps.reference.models import Region
from apps.reserve_list import rules
from apps.reserve_list.imports.records import (
    _AMOUNT,
    COLUMNS,
    MAX_GRANT,
    QUERY_CHUNK,
    ImportRow,
    ParsedImport,
    RowError,
)
from apps.reserve_list.models import (
    Application,
    Call,
    application_number_validator,
)

# --- Reading the file (apps.core.tabular) and the cells it does not read ------------------


def _read_table(fileobj: IO, filename: str) -> tuple[list[list[Any]] | None, list[RowError]]:
    """The file's rows as lists of cell values (CSV: strings; XLSX: as stored), or an error."""
    return read_table(
        fileobj, filename, unsupported=_("Upload the reserve list as a CSV (.csv) or Excel (.xlsx) file.")
    )


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest decimal that round-trips: 96200.5, not 96200.500000000001
    elif _AMOUNT.fullmatch(text := cell_text(value)):
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
    code = cell_text(value)
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
    numbered = [(number, cells) for number, cells in enumerate(table, start=1) if not all(map(is_blank, cells))]
    if not numbered:
        parsed.errors = [RowError(1, "", _("The file is empty: it needs a header row and one row per application."))]
        return parsed
    header_row, header = numbered[0]
    if header_row != 1:
        parsed.errors = [RowError(1, "", _("The first row must be the header with the column names."))]
        return parsed

    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = cell_text(cell).removeprefix("\ufeff").strip().casefold()
        if name in COLUMNS and name in positions:
            parsed.errors.append(
                RowError(1, name, _("The column “%(column)s” appears more than once.") % {"column": name})
            )
        positions.setdefault(name, position)
    missing = [name for name in COLUMNS if name not in positions]
    if missing and len(header) == 1 and ";" in cell_text(header[0]):
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
        years = {y for _n, cells in records if (y := cell_integer(cells["call_year"])) is not None}
        calls = _calls_by_year(years)
        countries = {str(call.programme.sending_country) for call in calls.values()} or {"PL"}
        regions = {(r.country_id, r.code): r for r in Region.objects.filter(country_id__in=countries)}
        numbers = [cell_text(cells["application_number"]) for _n, cells in records]
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
        if is_blank(cells[name]):
            error(name, _("This value is missing."))
    present = {name for name in COLUMNS if not is_blank(cells[name])}

    app_number = cell_text(cells["application_number"])
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
    call_year = cell_integer(cells["call_year"]) if "call_year" in present else None
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

    oid = cell_text(cells["oid"])
    if "oid" in present:
        try:
            oid_validator(oid)
        except ValidationError as exc:
            error("oid", exc.messages[0])

    for name, model_field in (("organisation_name", "legal_name"), ("organisation_city", "city")):
        limit = Organisation._meta.get_field(model_field).max_length
        if len(cell_text(cells[name])) > limit:
            error(
                name,
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": limit, "length": len(cell_text(cells[name]))},
            )

    region_code = _region_code(cells["region"])
    region = context.region(call, region_code) if "region" in present else None
    if "region" in present and region is None:
        error(
            "region",
            _("Unknown region code “%(code)s”: use the two-digit TERYT code of the voivodeship, e.g. 30.")
            % {"code": cell_text(cells["region"])},
        )

    scores: dict[str, int] = {}
    for name, maximum in rules.CRITERIA_MAX.items():
        if name not in present:
            continue
        value = cell_integer(cells[name])
        if value is None or value < 0:
            error(name, _("Enter a whole number of points from 0 to %(max)s.") % {"max": maximum})
        elif value > maximum:
            error(
                name,
                _("%(value)s is above this criterion’s maximum of %(max)s points.") % {"value": value, "max": maximum},
            )
        else:
            scores[name] = value
    total = cell_integer(cells["score_total"]) if "score_total" in present else None
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
            value = cell_integer(cells[name])
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
            organisation_name=cell_text(cells["organisation_name"]),
            organisation_city=cell_text(cells["organisation_city"]),
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
