"""Reserve-list import: every kind of bad input by row and column, and what a good file writes."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from apps.organisations.models import Organisation
from apps.reserve_list import imports
from apps.reserve_list.imports import (
    COLUMNS,
    ImportErrors,
    RowError,
    import_apply,
    import_file,
    import_preview,
    parse_reserve_list,
)
from apps.reserve_list.models import Application, ApplicationStatusChange, Call
from apps.reserve_list.selectors import application_field_changes
from apps.reserve_list.services import programme_ensure
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "data" / "reserve_list_example.csv"
ROW = {
    "application_number": "2023-1-PL01-KA122-VET-000111001",
    "call_year": "2023",
    "oid": "E10012345",
    "organisation_name": "Zespół Szkół Technicznych nr 1",
    "organisation_city": "Poznań",
    "region": "30",
    "score_relevance": "26",
    "score_quality_design": "33",
    "score_quality_follow_up": "24",
    "score_total": "83",
    "requested_grant_eur": "118500.00",
    "planned_learners": "24",
    "planned_staff": "4",
    "submitted_at": "2023-02-21T10:15:00+01:00",
}
ROW_2 = {
    **ROW,
    "application_number": "2023-1-PL01-KA122-VET-000111002",
    "oid": "E10023456",
    "organisation_name": "Centrum Kształcenia Zawodowego",
    "organisation_city": "Lublin",
    "region": "06",
    "score_relevance": "25",
    "score_quality_design": "30",
    "score_quality_follow_up": "22",
    "score_total": "77",
    "requested_grant_eur": "96200.50",
    "planned_learners": "18",
    "planned_staff": "2",
    "submitted_at": "2023-02-22T16:40:00+01:00",
}


@pytest.fixture(autouse=True)
def calls(db):
    programme_ensure(
        name="Test programme",
        sending_country="PL",
        target_learners=14175,
        target_staff=675,
        starts_on=date(2023, 6, 1),
        ends_on=date(2027, 5, 31),
        envelopes={2022: Decimal("1000000.00"), 2023: Decimal("1000000.00"), 2024: Decimal("1000000.00")},
    )
    return {call.year: call for call in Call.objects.all()}


def csv_bytes(rows, columns=COLUMNS, header=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header or columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode()


def parse(rows, columns=COLUMNS, header=None, filename="list.csv"):
    return parse_reserve_list(io.BytesIO(csv_bytes(rows, columns, header)), filename)


def apply(rows, filename="list.csv", by=None):
    parsed = parse(rows, filename=filename)
    return import_apply(parsed=parsed, by=by, source=f"import: {filename}")


def history_count() -> int:
    return Application.history.count()


# --- Bad input: one test per kind, with its row, column and message ---------------------------


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"score_total": "84"}, "score_total", "The total 84 is not the sum of the criteria (83)."),
        ({"score_total": "many"}, "score_total", "Enter the total as a whole number of points."),
        (
            {"score_relevance": "31", "score_total": "88"},
            "score_relevance",
            "31 is above this criterion’s maximum of 30 points.",
        ),
        (
            {"score_quality_design": "41", "score_total": "91"},
            "score_quality_design",
            "41 is above this criterion’s maximum of 40 points.",
        ),
        ({"score_quality_follow_up": "-1"}, "score_quality_follow_up", "Enter a whole number of points from 0 to 30."),
        ({"score_relevance": "25.5"}, "score_relevance", "Enter a whole number of points from 0 to 30."),
        ({"score_quality_design": "high"}, "score_quality_design", "Enter a whole number of points from 0 to 40."),
        (
            {"call_year": "2019", "application_number": "2019-1-PL01-KA122-VET-000111001"},
            "call_year",
            "There is no call 2019 in the programme.",
        ),
        ({"call_year": "last year"}, "call_year", "Enter the call year, e.g. 2023."),
        ({"oid": "E1234567"}, "oid", "An OID is the letter E followed by 8 digits, e.g. E10012345."),
        ({"oid": "X10012345"}, "oid", "An OID is the letter E followed by 8 digits, e.g. E10012345."),
        (
            {"application_number": "2023-1-PL01-KA121-VET-000111001"},
            "application_number",
            "An application number looks like 2023-1-PL01-KA122-VET-000111001.",
        ),
        (
            {"application_number": "2022-1-PL01-KA122-VET-000111001"},
            "application_number",
            "The application number is from the call 2022, not 2023.",
        ),
        ({"requested_grant_eur": "0"}, "requested_grant_eur", "The requested grant must be more than 0."),
        ({"requested_grant_eur": "-100.00"}, "requested_grant_eur", "The requested grant must be more than 0."),
        (
            {"requested_grant_eur": "118 500 EUR"},
            "requested_grant_eur",
            "Enter the requested grant in euro, e.g. 118500.00.",
        ),
        ({"requested_grant_eur": "100.555"}, "requested_grant_eur", "An amount in euro has at most 2 decimal places."),
        ({"requested_grant_eur": "12345678901.00"}, "requested_grant_eur", "The requested grant is too large."),
        ({"planned_learners": "-1"}, "planned_learners", "Enter a whole number of participants, 0 or more."),
        ({"planned_staff": "2.5"}, "planned_staff", "Enter a whole number of participants, 0 or more."),
        (
            {"submitted_at": "21.02.2023 10:15"},
            "submitted_at",
            "Enter the date and time of submission in ISO 8601, e.g. 2023-02-21T10:15:00+01:00.",
        ),
        (
            {"submitted_at": "2023-02-30T10:15:00+01:00"},
            "submitted_at",
            "Enter the date and time of submission in ISO 8601, e.g. 2023-02-21T10:15:00+01:00.",
        ),
        (
            {"region": "99"},
            "region",
            "Unknown region code “99”: use the two-digit TERYT code of the voivodeship, e.g. 30.",
        ),
        ({"region": "wielkopolskie"}, "region", "Unknown region code “wielkopolskie”"),
        ({"region": ""}, "region", "This value is missing."),
        ({"requested_grant_eur": "  "}, "requested_grant_eur", "This value is missing."),
        ({"organisation_name": "x" * 256}, "organisation_name", "At most 255 characters (this one has 256)."),
        ({"organisation_city": "y" * 101}, "organisation_city", "At most 100 characters (this one has 101)."),
    ],
)
def test_bad_cell_is_reported_by_row_and_column(changes, column, message):
    parsed = parse([ROW_2, {**ROW, **changes}])
    assert [(e.row, e.column) for e in parsed.errors] == [(3, column)]
    assert message in parsed.errors[0].message
    assert [r.row for r in parsed.rows] == [2]  # the good row is still read (for the preview)


def test_missing_column_is_reported_on_the_header_row():
    columns = [c for c in COLUMNS if c not in ("score_total", "region")]
    parsed = parse([ROW], columns=columns)
    assert parsed.errors == [
        RowError(1, "region", "The column “region” is missing."),
        RowError(1, "score_total", "The column “score_total” is missing."),
    ]
    assert parsed.rows == []


def test_duplicate_application_number_names_the_first_row():
    parsed = parse([ROW, ROW_2, {**ROW, "requested_grant_eur": "1000.00"}])
    assert parsed.errors == [
        RowError(4, "application_number", "Application 2023-1-PL01-KA122-VET-000111001 is already in row 2.")
    ]


def test_several_errors_are_all_reported_in_row_order():
    parsed = parse([{**ROW, "oid": "bad", "score_total": "1"}, ROW_2, {**ROW_2, "application_number": "x"}])
    assert [(e.row, e.column) for e in parsed.errors] == [
        (2, "oid"),
        (2, "score_total"),
        (4, "application_number"),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "error"),
    [
        (b"", "list.csv", RowError(1, "", "The file is empty: it needs a header row and one row per application.")),
        (
            b"\n\n,,,\n",
            "list.csv",
            RowError(1, "", "The file is empty: it needs a header row and one row per application."),
        ),
        (csv_bytes([]), "list.csv", RowError(2, "", "The file has a header row but no applications.")),
        (csv_bytes([]) + b",,,,\n\n", "list.csv", RowError(2, "", "The file has a header row but no applications.")),
        (
            ";".join(COLUMNS).encode() + b"\n",
            "list.csv",
            RowError(1, "", "The columns must be separated by commas; this file seems to use semicolons."),
        ),
        ("Poznań".encode("cp1250"), "list.csv", RowError(1, "", "The file is not UTF-8 text. Save it as “CSV UTF-8”.")),
        (b"not a workbook", "list.xlsx", RowError(1, "", "The file could not be read as an Excel (.xlsx) workbook.")),
        (b"a" * 200_000, "list.csv", RowError(1, "", "The file could not be read as CSV (comma-separated values).")),
        (b"x", "list.pdf", RowError(1, "", "Upload the reserve list as a CSV (.csv) or Excel (.xlsx) file.")),
    ],
)
def test_file_level_errors(content, filename, error):
    parsed = parse_reserve_list(io.BytesIO(content), filename)
    assert parsed.errors == [error]
    assert parsed.rows == []


def test_application_cannot_move_to_another_call():
    apply([ROW])
    parsed = parse([{**ROW, "call_year": "2024"}])
    assert parsed.errors == [
        RowError(2, "application_number", "The application number is from the call 2023, not 2024."),
        RowError(
            2,
            "call_year",
            "Application 2023-1-PL01-KA122-VET-000111001 is already in the call 2023; it cannot move to another call.",
        ),
    ]


def test_application_cannot_move_to_another_organisation():
    apply([ROW])
    parsed = parse([{**ROW, "oid": "E10099999"}])
    assert parsed.errors == [
        RowError(
            2,
            "oid",
            "Application 2023-1-PL01-KA122-VET-000111001 belongs to the organisation E10012345; "
            "it cannot move to another organisation.",
        )
    ]


def test_existing_organisation_with_another_name_is_not_an_error_and_keeps_its_name():
    organisation = OrganisationFactory(oid="E10012345", legal_name="ZST nr 1 im. M. Kopernika")
    parsed = parse([ROW])
    assert parsed.errors == []
    plan = import_preview(parsed)
    assert plan.new_organisations == []
    assert plan.warnings[0].row == 2 and "ZST nr 1 im. M. Kopernika" in plan.warnings[0].message
    import_apply(parsed=parsed, source="import: list.csv")
    organisation.refresh_from_db()
    assert organisation.legal_name == "ZST nr 1 im. M. Kopernika"
    assert Application.objects.get().organisation == organisation


def test_region_without_its_leading_zero_is_accepted():
    parsed = parse([{**ROW_2, "region": "6"}, {**ROW, "region": "2", "organisation_city": "Wrocław"}])
    assert parsed.errors == []
    assert [r.region_code for r in parsed.rows] == ["06", "02"]


def test_naive_submission_time_is_taken_in_warsaw():
    parsed = parse([{**ROW, "submitted_at": "2023-02-21 10:15:00"}, {**ROW_2, "submitted_at": "2023-07-01T12:00"}])
    assert parsed.errors == []
    assert parsed.rows[0].submitted_at == datetime(2023, 2, 21, 9, 15, tzinfo=UTC)  # CET
    assert parsed.rows[1].submitted_at == datetime(2023, 7, 1, 10, 0, tzinfo=UTC)  # CEST


def test_an_error_anywhere_saves_nothing():
    organisations = Organisation.objects.count()
    parsed = parse([ROW, ROW_2, {**ROW_2, "application_number": "2023-1-PL01-KA122-VET-000111003", "oid": "E1"}])
    assert len(parsed.rows) == 2 and len(parsed.errors) == 1
    with pytest.raises(ImportErrors) as excinfo:
        import_apply(parsed=parsed, source="import: list.csv")
    assert excinfo.value.errors == parsed.errors
    assert Application.objects.count() == 0
    assert Organisation.objects.count() == organisations


def test_an_organisation_the_service_refuses_becomes_a_row_error_and_rolls_everything_back(monkeypatch):
    real_create = imports.applying.organisation_create

    def refuse_lublin(**fields):
        if fields["city"] == "Lublin":
            raise ValidationError({"city": ["No such city."], "legal_name": ["Name taken."]})
        return real_create(**fields)

    monkeypatch.setattr(imports.applying, "organisation_create", refuse_lublin)
    organisations = Organisation.objects.count()
    parsed = parse([ROW, ROW_2])
    with pytest.raises(ImportErrors) as excinfo:
        import_apply(parsed=parsed, source="import: list.csv")
    assert sorted(excinfo.value.errors) == [
        RowError(3, "organisation_city", "No such city."),
        RowError(3, "organisation_name", "Name taken."),
    ]
    assert Organisation.objects.count() == organisations  # Poznań's organisation was rolled back too
    assert not Organisation.objects.filter(oid="E10012345").exists()
    assert Application.objects.count() == 0


# --- Good files --------------------------------------------------------------------------


def test_example_file_imports(officer):
    with EXAMPLE.open("rb") as fileobj:
        parsed = parse_reserve_list(fileobj, EXAMPLE.name)
    assert parsed.errors == []
    assert [r.row for r in parsed.rows] == [2, 3]

    plan = import_preview(parsed)
    assert plan.summary() == {"created": 2, "updated": 0, "unchanged": 0, "below_threshold": 0, "new_organisations": 2}
    assert Application.objects.count() == 0  # the preview writes nothing

    result = import_apply(parsed=parsed, by=officer, source=f"import: {EXAMPLE.name}")
    assert (result.created, result.updated, result.unchanged, result.new_organisations) == (2, 0, 0, 2)

    first, second = Application.objects.order_by("number")
    assert first.call.year == 2023 and first.status == "reserve"
    assert (first.score_relevance, first.score_quality_design, first.score_quality_follow_up) == (26, 33, 24)
    assert first.score_total == 83 and first.requested_grant == Decimal("118500.00")
    assert (first.planned_learners, first.planned_staff) == (24, 4)
    assert first.submitted_at == datetime(2023, 2, 21, 9, 15, tzinfo=UTC)
    assert second.requested_grant == Decimal("96200.50")
    organisation = second.organisation
    assert (organisation.oid, organisation.legal_name, organisation.city) == (
        "E10023456",
        "Centrum Kształcenia Zawodowego",
        "Lublin",
    )
    assert (organisation.kind, str(organisation.country), organisation.region.code) == ("other", "PL", "06")

    version = first.history.get()
    assert version.history_change_reason == "import: reserve_list_example.csv"
    assert version.history_user == officer
    change = first.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "reserve", officer)


def xlsx_bytes(tmp_path, rows, *, typed=True) -> Path:
    """The rows as a workbook, with numbers and dates as a spreadsheet stores them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        values = dict(row)
        if typed:
            for column in COLUMNS:
                if column.startswith(("score_", "planned_")) or column in ("call_year", "region"):
                    values[column] = int(row[column])  # region 06 becomes 6
            values["requested_grant_eur"] = float(row["requested_grant_eur"])
            local = datetime.fromisoformat(row["submitted_at"]).replace(tzinfo=None)  # Warsaw time, as typed in
            values["submitted_at"] = local
        sheet.append([values[column] for column in COLUMNS])
    sheet.append([None] * len(COLUMNS))  # an empty, formatted row at the end
    path = tmp_path / "reserve_list.xlsx"
    workbook.save(path)
    return path


def test_xlsx_with_numbers_and_dates_reads_like_the_csv(tmp_path):
    from_csv = parse([ROW, ROW_2])
    path = xlsx_bytes(tmp_path, [ROW, ROW_2])
    with path.open("rb") as fileobj:
        from_xlsx = parse_reserve_list(fileobj, path.name)
    assert from_xlsx.errors == []
    assert from_xlsx.rows == from_csv.rows
    assert from_xlsx.rows[1].region_code == "06" and from_xlsx.rows[1].requested_grant == Decimal("96200.50")


def test_xlsx_with_text_cells_imports(tmp_path):
    path = xlsx_bytes(tmp_path, [ROW, ROW_2], typed=False)
    parsed, result = import_file(path_or_file=path, by=None, dry_run=False)
    assert parsed.errors == [] and result.created == 2


def test_xlsx_errors_use_spreadsheet_rows(tmp_path):
    path = xlsx_bytes(tmp_path, [ROW, {**ROW_2, "score_total": "70"}])
    with path.open("rb") as fileobj:
        parsed = parse_reserve_list(fileobj, path.name)
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "score_total")]


def test_columns_in_another_order_with_extra_columns_and_loose_headers():
    columns = [*reversed(COLUMNS), "notes"]
    header = [f"  {c.upper()} " if i % 2 else c for i, c in enumerate(columns)]
    parsed = parse([{**ROW, "notes": "called 3 March"}, ROW_2], columns=columns, header=header)
    assert parsed.errors == []
    assert parsed.rows == parse([ROW, ROW_2]).rows


def test_utf8_bom_and_trailing_empty_rows_are_fine():
    content = b"\xef\xbb\xbf" + csv_bytes([ROW, ROW_2]) + b",,,,,,,,,,,,,\n\n"
    parsed = parse_reserve_list(io.BytesIO(content), "list.csv")
    assert parsed.errors == [] and len(parsed.rows) == 2
    assert parsed.rows[0].organisation_name == "Zespół Szkół Technicznych nr 1"


def test_importing_the_same_file_twice_writes_nothing_the_second_time():
    apply([ROW, ROW_2])
    counts = (history_count(), ApplicationStatusChange.objects.count(), Organisation.objects.count())
    result = apply([ROW, ROW_2])
    assert (result.created, result.updated, result.unchanged, result.new_organisations) == (0, 0, 2, 0)
    assert (history_count(), ApplicationStatusChange.objects.count(), Organisation.objects.count()) == counts


def test_changed_values_update_the_application_with_a_history_row_naming_the_file(officer):
    apply([ROW, ROW_2], filename="list-v1.csv")
    changed = {**ROW, "requested_grant_eur": "120000.00", "planned_staff": "5"}

    plan = import_preview(parse([changed, ROW_2]))
    assert [(p.number, p.changes) for p in plan.updated] == [
        (
            ROW["application_number"],
            {"requested_grant": (Decimal("118500.00"), Decimal("120000.00")), "planned_staff": (4, 5)},
        )
    ]
    assert [p.number for p in plan.unchanged] == [ROW_2["application_number"]]
    detail = json.loads(json.dumps(plan.as_dict()))  # ready for ReserveListImport.summary
    assert detail["updated"] == 1
    assert detail["applications"]["updated"][0]["changes"]["requested_grant"] == ["118500.00", "120000.00"]

    result = apply([changed, ROW_2], filename="list-v2.csv", by=officer)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    application = Application.objects.get(number=ROW["application_number"])
    assert application.requested_grant == Decimal("120000.00") and application.planned_staff == 5
    latest = application.history.latest()
    assert latest.history_change_reason == "import: list-v2.csv"
    assert latest.history_user == officer
    [entry] = application_field_changes(application=application)
    assert {change.field for change in entry["changes"]} == {"requested_grant", "planned_staff"}
    assert Application.objects.get(number=ROW_2["application_number"]).history.count() == 1


def test_below_threshold_application_is_never_on_the_reserve_list():
    # Relevance 14 is under half of 30, although the total (84) is over 60.
    low = {
        **ROW_2,
        "score_relevance": "14",
        "score_quality_design": "40",
        "score_quality_follow_up": "30",
        "score_total": "84",
    }
    plan = import_preview(parse([ROW, low]))
    assert [(p.number, p.passes_threshold) for p in plan.created] == [
        (ROW["application_number"], True),
        (ROW_2["application_number"], False),
    ]
    assert plan.below_threshold == 1
    result = apply([ROW, low])
    assert result.below_threshold == 1
    application = Application.objects.get(number=ROW_2["application_number"])
    assert application.status == "below_threshold"
    assert application.status_changes.get().to_status == "below_threshold"


def test_new_scores_move_an_application_across_the_threshold(officer):
    apply([ROW])
    low = {**ROW, "score_quality_design": "10", "score_total": "60"}
    result = apply([low], filename="rescored.csv", by=officer)
    assert result.updated == 1
    application = Application.objects.get()
    assert application.status == "below_threshold"
    change = application.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "reserve",
        "below_threshold",
        "import: scores changed",
        officer,
    )

    apply([ROW], filename="corrected.csv")
    application.refresh_from_db()
    assert application.status == "reserve"
    assert application.status_changes.order_by("-pk").first().from_status == "below_threshold"


def test_import_never_touches_the_status_of_an_application_past_the_reserve_list():
    apply([ROW])
    Application.objects.update(status="offered")
    changes = ApplicationStatusChange.objects.count()
    low = {**ROW, "score_quality_design": "10", "score_total": "60"}
    parsed = parse([low])
    plan = import_preview(parsed)
    assert "its status stays as it is" in plan.warnings[0].message
    import_apply(parsed=parsed, source="import: low.csv")
    application = Application.objects.get()
    assert application.status == "offered" and application.score_quality_design == 10
    assert ApplicationStatusChange.objects.count() == changes


def test_import_file_dry_run_writes_nothing():
    _parsed, plan = import_file(path_or_file=io.BytesIO(csv_bytes([ROW, ROW_2])), filename="l.csv", dry_run=True)
    assert plan.summary()["created"] == 2
    assert Application.objects.count() == 0 and not Organisation.objects.filter(oid="E10012345").exists()


def test_long_file_names_fit_the_change_reason():
    result = apply([ROW], filename="x" * 150 + ".csv")
    assert len(Application.objects.get().history.get().history_change_reason) == 100
    assert result.source.endswith("…")


# --- The management command ----------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_reserve_list", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_a_summary():
    out, _err = run_command(EXAMPLE)
    assert "created:            2" in out
    assert "new organisations:  2" in out
    assert Application.objects.count() == 2
    out, _err = run_command(EXAMPLE)
    assert "created:            0" in out and "unchanged:          2" in out


def test_command_reports_each_error_and_exits_with_status_1(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([ROW, {**ROW_2, "score_total": "78", "region": "99"}]))
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_reserve_list", str(path), stdout=io.StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    assert "nothing was imported" in str(excinfo.value)
    assert err.getvalue().splitlines() == [
        "row 3, column region: Unknown region code “99”: use the two-digit TERYT code of the voivodeship, e.g. 30.",
        "row 3, column score_total: The total 78 is not the sum of the criteria (77).",
    ]
    assert Application.objects.count() == 0
    assert not Organisation.objects.filter(oid="E10012345").exists()


def test_command_dry_run_writes_nothing():
    out, _err = run_command(EXAMPLE, "--dry-run")
    assert "created:            2" in out and "Dry run: nothing was saved" in out
    assert Application.objects.count() == 0
    assert not Organisation.objects.filter(oid__in=["E10012345", "E10023456"]).exists()


def test_command_dry_run_with_errors_fails_too(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([{**ROW, "oid": "E1"}]))
    with pytest.raises(CommandError):
        call_command("import_reserve_list", str(path), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())


def test_command_attributes_the_changes_to_a_user(officer):
    run_command(EXAMPLE, "--by", officer.email)
    assert {v.history_user for v in Application.history.all()} == {officer}


# --- Web uploads: stored, previewed, applied on confirmation ---------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_upload_is_stored_and_previewed_without_writing_applications(media, officer):
    with EXAMPLE.open("rb") as fileobj:
        record = imports.import_upload_store(fileobj=fileobj, filename=EXAMPLE.name, by=officer)
    assert (record.status, record.original_name, record.uploaded_by) == ("previewed", EXAMPLE.name, officer)
    assert record.summary["created"] == 2 and record.summary["errors"] == []
    assert Path(record.file.path).read_bytes() == EXAMPLE.read_bytes()
    assert Application.objects.count() == 0
    parsed, plan = imports.import_upload_preview(record=record)
    assert parsed.errors == [] and len(plan.created) == 2


def test_upload_applied_on_confirmation(media, officer):
    with EXAMPLE.open("rb") as fileobj:
        record = imports.import_upload_store(fileobj=fileobj, filename=EXAMPLE.name, by=officer)
    result = imports.import_upload_apply(record=record, by=officer)
    assert result.counts()["created"] == 2
    record.refresh_from_db()
    assert record.status == "applied" and record.applied_at is not None
    assert Application.history.first().history_change_reason == f"import: {EXAMPLE.name}"


def test_upload_with_errors_is_kept_but_never_applied(media, officer):
    content = csv_bytes([ROW, {**ROW_2, "score_total": "1"}])
    record = imports.import_upload_store(fileobj=io.BytesIO(content), filename="bad.csv", by=officer)
    assert record.summary["errors"] == [[3, "score_total", "The total 1 is not the sum of the criteria (77)."]]
    with pytest.raises(ImportErrors):
        imports.import_upload_apply(record=record, by=officer)
    record.refresh_from_db()
    assert record.status == "previewed"
    assert Application.objects.count() == 0
