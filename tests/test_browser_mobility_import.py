"""End-to-end in a real headless Chromium: a manager imports participants and mobilities into a project.

Organisation A's manager opens the 2024 project, goes to its import page, uploads a CSV whose start date is
not a date, reads the error by row and column (nothing is saved), uploads the corrected file, reads the
preview and confirms: the mobility is on the project page. The city table and the demo data come from
the root conftest and test_browser_mobility; Chromium, pages and sign-in from tests/conftest.py.
"""

# The fixtures imported below are taken as test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from tests.test_browser_mobility import demo  # noqa: F401  (the demo seeded after the cities)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "participant_email,first_name,last_name,birth_date,gender,nationality,category,graduation_date,"
    "fewer_opportunities,accompanying_person,accompanies,activity_type,host_oid,host_name,host_city,host_country,"
    "start_date,end_date,travel_days,green_travel,travel_means,course_days,virtual_component"
)
ROW = (
    "jan.import@school-a.example,Jan,Importowski,2007-02-11,male,PL,learner,,,no,,LM-SHORT-VET,,"
    "Hotel Escola Lisboa,Lisbon,PT,{start},2027-02-05,2,no,plane,,no"
)


def _file(start: str) -> dict:
    return {
        "name": "mobilities.csv",
        "mimeType": "text/csv",
        "buffer": f"{HEADER}\n{ROW.format(start=start)}\n".encode(),
    }


def test_manager_fixes_an_import_error_and_confirms(live_server, new_page, demo, sign_in, settings, tmp_path):
    from apps.mobility.models import Mobility, Project

    settings.MEDIA_ROOT = tmp_path
    project = Project.objects.get(application__organisation=demo["organisation_a"], application__call__year=2024)
    before = project.mobilities.count()

    page = sign_in(new_page(), "manager@school-a.example")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import participants and mobilities")

    # 1. A file whose start date is written the local way: the error names row 2 and the column.
    page.get_by_label("Participants and mobilities (CSV or XLSX)").set_input_files(_file("21/10/2024"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of mobilities.csv")
    expect(page.get_by_role("alert")).to_contain_text("1 error: nothing will be saved until the file is corrected.")
    errors = page.get_by_role("table", name="Errors by row and column")
    error_row = errors.get_by_role("row").filter(has_text="start_date")
    expect(error_row.get_by_role("cell").nth(0)).to_have_text("2")
    expect(error_row.get_by_role("cell").nth(1)).to_have_text("start_date")
    expect(error_row.get_by_role("cell").nth(2)).to_contain_text("Enter a date as YYYY-MM-DD")
    expect(page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    assert project.mobilities.count() == before

    # 2. The corrected file, uploaded from the same page: the preview says what the import will do.
    page.get_by_label("Participants and mobilities (CSV or XLSX)").set_input_files(_file("2027-01-18"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("table", name="Errors by row and column")).to_have_count(0)
    expect(page.locator("#import-summary")).to_contain_text("1 new mobility")
    expect(page.locator("#import-summary")).to_contain_text("1 new participant")
    expect(page.get_by_role("table", name="Rows of the file")).to_contain_text("jan.import@school-a.example")
    assert project.mobilities.count() == before

    # 3. Confirmed: back on the project page, with the new mobility.
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Project {project.agreement_number}")
    expect(page.get_by_role("status")).to_contain_text("Imported. Mobilities: 1")
    expect(page.locator("#mobilities")).to_contain_text("Jan Importowski")
    assert project.mobilities.count() == before + 1
    assert Mobility.objects.filter(project=project, participant__email="jan.import@school-a.example").exists()
