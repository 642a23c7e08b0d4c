"""Import and export of a project's participants and mobilities (apps.mobility.transfer, docs/mobility-columns.md)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.mobility.models import Mobility, MobilityStatus
from apps.mobility.transfer import (
    COLUMNS_V1,
    EXPORT_COLUMNS,
    export_columns,
    export_queryset,
    export_rows,
    import_mobilities,
    parse_mobility_file,
    write_csv,
    write_xlsx,
)
from apps.organisations.models import Organisation
from apps.participants.models import Participant, PersonalDataAccess, SpecialCategoryData
from apps.reference.cities import geonames_cities, load_cities
from tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "data" / "mobility_import_example.csv"


@pytest.fixture(scope="module")
def city_records():
    return [record for record in geonames_cities(500) if record["countrycode"] in ("PL", "PT", "ES")]


@pytest.fixture
def cities(city_records):
    load_cities(countries=["PL", "PT", "ES"], source=city_records)


@pytest.fixture
def sending(cities):
    return OrganisationFactory(legal_name="Zespół Szkół Łączności w Gdańsku", city="Gdańsk")


@pytest.fixture
def project(sending):
    return ProjectFactory(application__organisation=sending, application__call__year=2024)


@pytest.fixture
def manager(sending):
    return MembershipFactory(organisation=sending, role="manager").user


def example_rows() -> list[dict]:
    """The example file's rows; its third (virtual component) given the description and dates it needs."""
    with EXAMPLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[2].update(virtual_description="Online preparation", virtual_start="2024-06-24", virtual_end="2024-06-28")
    return rows


def as_csv(rows: list[dict], columns=None) -> io.BytesIO:
    columns = columns or list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def run(project, by, rows, *, dry_run=False, columns=None):
    parsed = parse_mobility_file(as_csv(rows, columns), "mobilities.csv", project=project)
    return import_mobilities(parsed=parsed, project=project, by=by, dry_run=dry_run)


def errors(result):
    return {(e.row, e.column) for e in result.errors}


# --- Importing ----------------------------------------------------------------------------------------------------


def test_the_example_imports_into_a_project(project, manager):
    result = run(project, manager, example_rows())

    assert result.errors == []
    assert [r.row for r in result.rows] == [2, 3, 4]
    mobilities = {m.participant.email: m for m in Mobility.objects.filter(project=project)}
    assert set(mobilities) == {"anna.nowak@example.org", "piotr.zielinski@example.org", "ewa.kowalska@example.org"}
    anna, piotr, ewa = (mobilities[k] for k in sorted(mobilities, key=lambda e: e[0]))
    assert all(m.status == MobilityStatus.DRAFT for m in mobilities.values())
    # The accompanying person is linked to the learner's mobility.
    piotr = mobilities["piotr.zielinski@example.org"]
    assert piotr.accompanying and piotr.accompanies == mobilities["anna.nowak@example.org"]
    # Participants belong to the sending organisation, with their special-category flag.
    anna_p = Participant.objects.get(email="anna.nowak@example.org")
    assert anna_p.organisation == project.application.organisation and anna_p.last_name == "Nowak"
    assert SpecialCategoryData.objects.get(participant=anna_p).fewer_opportunities is True
    # Hosts: created from OID + name (once for two rows), and from name/city/country with a provisional OID.
    lisbon = Organisation.objects.get(oid="E10234567")
    assert lisbon.legal_name == "Hotel Escola Lisboa" and lisbon.kind == "other"
    assert mobilities["anna.nowak@example.org"].host == piotr.host == lisbon
    seville = mobilities["ewa.kowalska@example.org"].host
    assert seville.legal_name == "Centro de Formación Sevilla" and seville.oid.startswith("E99")
    assert mobilities["ewa.kowalska@example.org"].grant_total > 0
    assert result.summary()["hosts_created"] == 2


def test_the_example_as_published_stops_at_the_virtual_component(project, manager):
    """The example's third row has a virtual component without its description and dates (optional columns)."""
    with EXAMPLE.open("rb") as f:
        parsed = parse_mobility_file(f, EXAMPLE.name, project=project)
    assert parsed.errors == []
    result = import_mobilities(parsed=parsed, project=project, by=manager)
    assert {e.column for e in result.errors} >= {"virtual_description"} and {e.row for e in result.errors} == {4}
    assert not Mobility.objects.exists() and not Participant.objects.exists()


def test_an_existing_host_and_participant_are_matched(project, manager):
    host = OrganisationFactory(oid="E10234567", country="PT", region=None, city="Lisbon", legal_name="Other name")
    seville = OrganisationFactory(legal_name="Centro de Formación Sevilla", city="Seville", country="ES", region=None)
    Participant.objects.create(
        organisation=project.application.organisation,
        email="anna.nowak@example.org",
        first_name="A",
        last_name="N",
        category="learner",
    )
    result = run(project, manager, example_rows())
    assert result.errors == []
    assert Organisation.objects.count() == 3  # the sending organisation and the two hosts: none created
    assert Mobility.objects.get(participant__email="anna.nowak@example.org").host == host
    assert Mobility.objects.get(participant__email="ewa.kowalska@example.org").host == seville
    assert Participant.objects.get(email="anna.nowak@example.org").first_name == "Anna"
    assert result.summary()["participants_updated"] == 1


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"start_date": "02/09/2024"}, "start_date"),
        ({"birth_date": "2006-13-01"}, "birth_date"),
        ({"category": "pupil"}, "category"),
        ({"gender": "f"}, "gender"),
        ({"activity_type": "KA999"}, "activity_type"),
        ({"travel_means": "rocket"}, "travel_means"),
        ({"green_travel": "maybe"}, "green_travel"),
        ({"host_country": "XX"}, "host_country"),
        ({"nationality": "QQ"}, "nationality"),
        ({"host_oid": "123"}, "host_oid"),
        ({"travel_days": "two"}, "travel_days"),
        ({"participant_email": "not-an-email"}, "participant_email"),
        ({"end_date": "2024-08-01"}, "end_date"),  # a service's hard error, mapped to its column
    ],
)
def test_row_errors_by_row_and_column_save_nothing(project, manager, change, column):
    rows = example_rows()
    rows[0].update(change)
    result = run(project, manager, rows)
    assert (2, column) in errors(result)
    assert not Mobility.objects.exists() and not Participant.objects.exists()
    assert Organisation.objects.count() == 1


def test_a_missing_column(project, manager):
    columns = [c for c in example_rows()[0] if c != "host_city"]
    parsed = parse_mobility_file(as_csv(example_rows(), columns), "m.csv", project=project)
    assert [(e.row, e.column) for e in parsed.errors] == [(1, "host_city")]


def test_accompanies_must_name_a_learner_of_the_file_or_project(project, manager):
    rows = example_rows()
    rows[1]["accompanies"] = "nobody@example.org"
    result = run(project, manager, rows)
    assert errors(result) == {(3, "accompanies")}
    assert not Mobility.objects.exists()


def test_accompanies_a_learner_already_in_the_project(project, manager):
    assert run(project, manager, example_rows()[:1]).errors == []
    result = run(project, manager, example_rows()[1:2])
    assert result.errors == []
    piotr = Mobility.objects.get(participant__email="piotr.zielinski@example.org")
    assert piotr.accompanies.participant.email == "anna.nowak@example.org"


def test_duplicates_in_the_file_and_in_the_project(project, manager):
    rows = example_rows()
    result = run(project, manager, [rows[0], rows[0]])
    assert (3, "participant_email") in errors(result)
    assert run(project, manager, rows).errors == []
    again = run(project, manager, rows[2:])
    assert errors(again) == {(2, "participant_email")}


def test_dry_run_saves_nothing_and_reports(project, manager):
    result = run(project, manager, example_rows(), dry_run=True)
    assert result.errors == [] and len(result.rows) == 3
    assert not Mobility.objects.exists() and not Participant.objects.exists()


def test_a_contributor_may_not_set_the_special_category_flag(project, sending):
    contributor = MembershipFactory(organisation=sending, role="contributor").user
    result = run(project, contributor, example_rows())
    assert (2, "fewer_opportunities") in errors(result)
    assert not Mobility.objects.exists()


# --- The command --------------------------------------------------------------------------------------------------


def write_example(tmp_path, rows) -> Path:
    path = tmp_path / "mobilities.csv"
    path.write_bytes(as_csv(rows).getvalue())
    return path


def test_the_command_imports_and_dry_runs(project, manager, tmp_path):
    path = write_example(tmp_path, example_rows())
    out = io.StringIO()
    call_command(
        "import_mobilities",
        "--project",
        project.agreement_number,
        str(path),
        "--dry-run",
        "--by",
        manager.email,
        stdout=out,
    )
    assert "Dry run" in out.getvalue() and not Mobility.objects.exists()
    call_command(
        "import_mobilities",
        "--project",
        project.agreement_number,
        str(path),
        "--by",
        manager.email,
        stdout=io.StringIO(),
    )
    assert Mobility.objects.filter(project=project).count() == 3


def test_the_command_fails_with_status_1_and_saves_nothing(project, manager, tmp_path):
    rows = example_rows()
    rows[1]["start_date"] = "tomorrow"
    path = write_example(tmp_path, rows)
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_mobilities", "--project", project.agreement_number, str(path), "--by", manager.email, stderr=err
        )
    assert failure.value.returncode == 1
    assert "row 3, column start_date:" in err.getvalue()
    assert not Mobility.objects.exists() and not Participant.objects.exists()


def test_the_command_defaults_to_an_agency_administrator(project, tmp_path):
    UserFactory(agency_role="administrator")
    path = write_example(tmp_path, example_rows())
    call_command("import_mobilities", "--project", project.agreement_number, str(path), stdout=io.StringIO())
    assert Mobility.objects.count() == 3


# --- Export and round trip ----------------------------------------------------------------------------------------


def test_round_trip_export_then_import_recreates_the_mobilities(project, manager, sending):
    assert run(project, manager, example_rows()).errors == []
    exported = export_rows(export_queryset(Mobility.objects.filter(project=project)), special_category=True)
    assert list(exported[0]) == list(export_columns()) and list(EXPORT_COLUMNS[: len(COLUMNS_V1)]) == list(COLUMNS_V1)
    assert export_columns()[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS  # the registered columns come last
    other = ProjectFactory(application__organisation=sending, application__call__year=2024)

    for data, name in ((write_csv(exported), "e.csv"), (write_xlsx(exported), "e.xlsx")):
        Mobility.objects.filter(project=other).update(accompanies=None)
        Mobility.objects.filter(project=other).delete()
        parsed = parse_mobility_file(io.BytesIO(data), name, project=other)
        assert parsed.errors == []
        assert import_mobilities(parsed=parsed, project=other, by=manager).errors == []
        again = export_rows(export_queryset(Mobility.objects.filter(project=other)), special_category=True)
        assert sorted(map(_key, again)) == sorted(map(_key, exported))


def _key(row):
    return tuple(str(row[c]) for c in export_columns())


def test_export_leaves_out_the_flag_unless_allowed(project, manager):
    assert run(project, manager, example_rows()).errors == []
    mobilities = export_queryset(Mobility.objects.filter(project=project))
    rows = export_rows(mobilities)
    assert {row["fewer_opportunities"] for row in rows} == {""}
    # Anna has fewer opportunities: her grant without the flag leaves out the inclusion support, which would tell.
    anna = Mobility.objects.get(participant__email="anna.nowak@example.org")
    inclusion = anna.grant_lines.get(item="inclusion_support").amount
    assert inclusion > 0
    by_email = {row["participant_email"]: row for row in rows}
    assert by_email["anna.nowak@example.org"]["grant_total"] == anna.grant_total - inclusion
    full = {r["participant_email"]: r for r in export_rows(mobilities, special_category=True)}
    assert full["anna.nowak@example.org"]["grant_total"] == anna.grant_total


# --- Export pages -------------------------------------------------------------------------------------------------


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_project_export_for_members_and_the_agency(client, project, manager, sending):
    assert run(project, manager, example_rows()).errors == []
    url = f"/projects/{project.pk}/export.csv"
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert list(rows[0]) == list(export_columns()) and len(rows) == 3
    anna = next(r for r in rows if r["participant_email"] == "anna.nowak@example.org")
    assert anna["fewer_opportunities"] == "yes" and anna["host_oid"] == "E10234567"
    assert PersonalDataAccess.objects.filter(action="export").count() == 3  # one per participant
    xlsx = client.get(f"/projects/{project.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    client.force_login(MembershipFactory(organisation=sending, role="contributor").user)
    assert {r["fewer_opportunities"] for r in _csv_rows(client.get(url))} == {""}
    client.force_login(UserFactory(agency_role="officer"))
    assert client.get(url).status_code == 200
    client.force_login(MembershipFactory().user)  # another organisation's member
    assert client.get(url).status_code == 404


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_exports_take_a_constant_number_of_queries(client, project, manager):
    rows = example_rows()
    assert run(project, manager, rows[:1]).errors == []
    client.force_login(manager)
    project_url = f"/projects/{project.pk}/export.csv"
    few = _queries(client, project_url)
    client.force_login(UserFactory(agency_role="officer"))
    agency_few = _queries(client, "/agency/mobilities/export.csv")
    assert run(project, manager, rows[1:]).errors == []
    client.force_login(manager)
    assert _queries(client, project_url) == few
    client.force_login(UserFactory(agency_role="officer"))
    assert _queries(client, "/agency/mobilities/export.csv") == agency_few


def test_the_agency_export_follows_the_list_filters(client, project, manager):
    assert run(project, manager, example_rows()).errors == []
    client.force_login(UserFactory(agency_role="officer"))
    rows = _csv_rows(client.get("/agency/mobilities/export.csv?destination_country=ES"))
    assert [r["participant_email"] for r in rows] == ["ewa.kowalska@example.org"]
    assert len(_csv_rows(client.get("/agency/mobilities/export.csv"))) == 3
    xlsx = client.get("/agency/mobilities/export.xlsx?status=draft")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    client.force_login(UserFactory(agency_role="finance"))
    assert {r["fewer_opportunities"] for r in _csv_rows(client.get("/agency/mobilities/export.csv"))} == {""}
    client.force_login(manager)
    assert client.get("/agency/mobilities/export.csv").status_code == 403


def test_csv_export_defuses_formulas_and_reads_them_back(project, manager):
    rows = example_rows()
    rows[0]["last_name"] = "=HYPERLINK(1)"
    assert run(project, manager, rows).errors == []
    exported = export_rows(export_queryset(Mobility.objects.filter(project=project)), special_category=True)
    data = write_csv(exported).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in data and ",=HYPERLINK" not in data
    other = ProjectFactory(application__organisation=project.application.organisation, application__call__year=2024)
    parsed = parse_mobility_file(io.BytesIO(write_csv(exported)), "e.csv", project=other)
    assert parsed.errors == []
    assert any(row.person.get("last_name") == "=HYPERLINK(1)" for row in parsed.rows)
