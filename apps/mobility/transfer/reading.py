"""Reading an import file and checking every cell and row against the database (``parse_mobility_file``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_countries import countries

from apps.core.tabular import RowError, cell_integer, cell_text, is_blank, read_table
from apps.mobility.models import Mobility, MobilityStatus, Project, TravelMeans
from apps.mobility.transfer.columns import (
    _BOOLEANS,
    COLUMNS_V1,
    MAX_DAYS,
    OPTIONAL_COLUMNS_V1,
    PERSON_COLUMNS,
    REQUIRED,
    MobilityRow,
    Parsed,
    _chunks,
)
from apps.organisations.models import Organisation, oid_validator
from apps.participants.models import (
    Gender,
    ParticipantCategory,
)
from apps.reference.models import ActivityType, Country

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


_CHOICE_VALUES: dict = {}  # choices class → its values, as a frozenset (``Choices.values`` builds a list per read)


def _choice(value: Any, choices, what: str) -> str:
    text = cell_text(value).casefold()
    values = _CHOICE_VALUES.get(choices)
    if values is None:
        values = _CHOICE_VALUES[choices] = frozenset(choices.values)
    if text and text not in values:
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
