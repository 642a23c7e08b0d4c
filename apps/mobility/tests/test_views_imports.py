# The fixtures imported from test_transfer are taken as test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811
"""The browser import of a project's participants and mobilities: upload, preview (errors by row and column),
confirm (exactly what was previewed), the template (apps.mobility.imports_web, views/imports.py)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.mobility import imports_web
from apps.mobility.models import Mobility, MobilityStatus, ProjectStatus
from apps.mobility.tests.test_transfer import (  # noqa: F401  (fixtures: a Gdańsk school's 2024 project, the cities)
    cities,
    city_records,
    example_rows,
    manager,
    project,
    sending,
)
from apps.mobility.transfer import COLUMNS_V1, OPTIONAL_COLUMNS_V1
from apps.participants.models import Participant
from tests.factories import MembershipFactory, ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def csv_file(rows: list[dict], name="mobilities.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(n for row in rows for n in row)))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def upload(client, project, file):
    response = client.post(reverse("mobility:project_import", args=[project.pk]), {"file": file})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_an_upload_with_errors_shows_them_by_row_and_column_and_saves_nothing(manager_client, project):
    rows = example_rows()
    rows[1]["start_date"] = "02/09/2024"  # row 3 of the file
    preview = upload(manager_client, project, csv_file(rows))
    page = manager_client.get(preview)

    assert page.status_code == 200
    errors = [(e.row, e.column) for e in page.context["row_errors"]]
    assert (3, "start_date") in errors
    html = page.content.decode()
    assert "Enter a date as YYYY-MM-DD" in html and "<code>start_date</code>" in html
    assert "Confirm the import" not in html  # nothing to confirm: the corrected file is uploaded anew
    assert 'enctype="multipart/form-data"' in html
    assert not Participant.objects.filter(organisation=project.application.organisation).exists()
    assert not Mobility.objects.filter(project=project).exists()

    # Confirming anyway saves nothing.
    response = manager_client.post(preview)
    assert response.status_code == 200
    assert "The file has errors: nothing was saved." in response.content.decode()
    assert not Mobility.objects.filter(project=project).exists()


def test_a_valid_upload_is_previewed_then_confirmed_exactly_once(manager_client, project):
    preview = upload(manager_client, project, csv_file(example_rows()))
    page = manager_client.get(preview)
    html = page.content.decode()

    assert page.context["upload"].summary["mobilities"] == 3
    assert page.context["upload"].summary["participants_created"] == 3
    assert "3 new mobilities" in html and "Confirm the import" in html
    assert [r["row"] for r in page.context["upload"].rows] == [2, 3, 4]
    assert not Mobility.objects.filter(project=project).exists()  # the preview saved nothing

    response = manager_client.post(preview)
    assert response.status_code == 302 and response["Location"] == reverse("mobility:project", args=[project.pk])
    assert Mobility.objects.filter(project=project).count() == 3
    assert set(Mobility.objects.filter(project=project).values_list("status", flat=True)) <= set(MobilityStatus)

    again = manager_client.post(preview)
    assert again.status_code == 200
    assert "This file is already imported." in again.content.decode()
    assert Mobility.objects.filter(project=project).count() == 3


def test_confirming_after_the_project_changed_saves_nothing_and_shows_the_new_preview(manager_client, project):
    preview = upload(manager_client, project, csv_file(example_rows()))
    # Meanwhile someone records one of the file's people by hand: the import would now update her.
    ParticipantFactory(organisation=project.application.organisation, email="anna.nowak@example.org")

    response = manager_client.post(preview)

    assert response.status_code == 200
    assert "The project changed since the preview" in response.content.decode()
    assert not Mobility.objects.filter(project=project).exists()
    assert response.context["upload"].summary["participants_updated"] == 1
    # The new preview is what a second confirmation applies.
    assert manager_client.post(preview).status_code == 302
    assert Mobility.objects.filter(project=project).count() == 3


def test_an_upload_is_found_only_through_its_own_project(manager_client, project, sending):
    stored = imports_web.upload_store(
        project=project, fileobj=io.BytesIO(imports_web.template_csv()), filename="m.csv", by=None
    )
    other = ProjectFactory(application__organisation=sending, application__call__year=2024)
    for pk, token in ((other.pk, stored.token), (project.pk, "x" * 32), (project.pk, "short")):
        assert manager_client.get(reverse("mobility:project_import_preview", args=[pk, token])).status_code == 404


def test_contributors_may_not_import(client, project, sending):
    client.force_login(MembershipFactory(organisation=sending, role="contributor").user)
    assert client.get(reverse("mobility:project_import", args=[project.pk])).status_code == 403


def test_a_withdrawn_project_takes_no_import(manager_client, project):
    project.status = ProjectStatus.WITHDRAWN
    project.save()
    url = reverse("mobility:project_import", args=[project.pk])
    response = manager_client.post(url, {"file": csv_file(example_rows())})
    assert response.status_code == 200
    assert "can no longer be recorded or changed" in response.content.decode()
    assert "Upload and preview" not in response.content.decode()


def test_only_csv_and_xlsx_files_are_taken(manager_client, project):
    url = reverse("mobility:project_import", args=[project.pk])
    response = manager_client.post(url, {"file": SimpleUploadedFile("m.ods", b"x")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_templates_hold_the_header_of_column_set_1(manager_client, project):
    header = list(COLUMNS_V1 + OPTIONAL_COLUMNS_V1)
    response = manager_client.get(reverse("mobility:project_import_template_csv", args=[project.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == header

    response = manager_client.get(reverse("mobility:project_import_template_xlsx", args=[project.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == header
    assert sheet.max_row == 1


def test_the_project_page_links_to_the_import_for_managers_only(client, manager, project, sending):
    url = reverse("mobility:project", args=[project.pk])
    client.force_login(manager)
    assert reverse("mobility:project_import", args=[project.pk]) in client.get(url).content.decode()
    client.force_login(MembershipFactory(organisation=sending, role="contributor").user)
    assert reverse("mobility:project_import", args=[project.pk]) not in client.get(url).content.decode()


def test_an_agency_officer_imports_an_xlsx_file(client, officer, project):
    from openpyxl import Workbook

    rows = example_rows()
    workbook = Workbook()
    sheet = workbook.active
    columns = list(dict.fromkeys(name for row in rows for name in row))
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(name, "") for name in columns])
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(officer)

    preview = upload(client, project, SimpleUploadedFile("mobilities.xlsx", out.getvalue()))
    assert client.get(preview).context["upload"].summary["mobilities"] == 3
    assert client.post(preview).status_code == 302
    assert Mobility.objects.filter(project=project).count() == 3
