"""The participant report's state in the mobility exports (export_columns.py, through mobility's hook)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.mobility.transfer import EXPORT_COLUMNS, export_columns, parse_mobility_file
from apps.mobility.transfer import extra_columns as hook
from apps.participant_reports.export_columns import KEY
from tests.factories import (
    MobilityFactory,
    ParticipantReportFactory,
    ProjectFactory,
    SubmittedParticipantReportFactory,
)

from .conftest import at

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 10, 15)
REQUESTED_ON = datetime.date(2024, 9, 30)
AGENCY_URL = "/agency/mobilities/export"


def _report(project, email, factory=ParticipantReportFactory, **fields):
    mobility = MobilityFactory(project=project, participant__email=email, status="completed")
    return factory(mobility=mobility, requested_at=at(REQUESTED_ON, 6), **fields)


@pytest.fixture
def mobilities(project):
    """One mobility in each of the report's states, by the participant's e-mail."""
    MobilityFactory(project=project, participant__email="none@test.example", status="planned")
    _report(project, "requested@test.example", due_date=TODAY + datetime.timedelta(days=5))
    _report(project, "overdue@test.example", status="overdue", due_date=TODAY - datetime.timedelta(days=5))
    # Past its due date, not yet swept by reports_mark_overdue: it is overdue all the same.
    _report(project, "due-today@test.example", due_date=TODAY)
    # Submitted at 00:30 in Warsaw, still the day before in UTC: the column holds the local day.
    _report(
        project,
        "submitted@test.example",
        factory=SubmittedParticipantReportFactory,
        due_date=TODAY + datetime.timedelta(days=15),
        submitted_at=at(datetime.date(2024, 10, 13), 0, 30),
    )


EXPECTED = {
    "none@test.example": ("not_requested", ""),
    "requested@test.example": ("requested", ""),
    "overdue@test.example": ("overdue", ""),
    "due-today@test.example": ("overdue", ""),
    "submitted@test.example": ("submitted", "2024-10-13"),
}


def _get(client, url):
    with time_machine.travel(at(TODAY, 12), tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _csv(client, url) -> dict[str, tuple[str, str]]:
    text = _get(client, url).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(EXPORT_COLUMNS) + ["participant_report", "participant_report_submitted_on"]
    return {r["participant_email"]: (r["participant_report"], r["participant_report_submitted_on"]) for r in rows}


def _xlsx(client, url) -> dict[str, tuple[str, str]]:
    sheet = load_workbook(io.BytesIO(_get(client, url).content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    at_ = {name: header.index(name) for name in ("participant_email", "participant_report")}
    submitted = header.index("participant_report_submitted_on")
    assert header[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS and submitted == len(header) - 1

    def day(value):
        return value.date().isoformat() if value else ""

    return {r[at_["participant_email"]]: (r[at_["participant_report"]], day(r[submitted])) for r in rows}


def test_the_project_export_shows_each_mobility_s_report_state(client, project, manager_a, mobilities):
    client.force_login(manager_a)
    assert _csv(client, f"/projects/{project.pk}/export.csv") == EXPECTED
    assert _xlsx(client, f"/projects/{project.pk}/export.xlsx") == EXPECTED


def test_the_agency_export_shows_each_mobility_s_report_state(client, officer, mobilities):
    client.force_login(officer)
    assert _csv(client, f"{AGENCY_URL}.csv") == EXPECTED
    assert _xlsx(client, f"{AGENCY_URL}.xlsx") == EXPECTED
    # With the list's filters: only the planned mobility.
    assert _csv(client, f"{AGENCY_URL}.csv?status=planned") == {"none@test.example": ("not_requested", "")}


def test_an_export_with_the_report_columns_reads_back_as_an_import(client, project, manager_a, mobilities):
    """An import ignores the computed columns: the exported file is a valid import file for another project."""
    client.force_login(manager_a)
    other = ProjectFactory(application__organisation=project.application.organisation)
    for fmt in ("csv", "xlsx"):
        data = _get(client, f"/projects/{project.pk}/export.{fmt}").content
        parsed = parse_mobility_file(io.BytesIO(data), f"e.{fmt}", project=other)
        assert parsed.errors == [] and len(parsed.rows) == 5


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured)


def test_the_report_columns_cost_one_query_whatever_the_rows(client, project, manager_a, officer, monkeypatch):
    project_url = f"/projects/{project.pk}/export.csv"
    _report(project, "first@test.example")

    def counts():
        client.force_login(manager_a)
        mine = _queries(client, project_url)
        client.force_login(officer)
        return mine, _queries(client, f"{AGENCY_URL}.csv")

    few = counts()
    for n in range(4):
        _report(project, f"more-{n}@test.example")
    MobilityFactory(project=project, participant__email="none@test.example", status="planned")
    assert counts() == few
    monkeypatch.delitem(hook._registry, KEY)
    assert "participant_report" not in export_columns()
    assert counts() == (few[0] - 1, few[1] - 1)
