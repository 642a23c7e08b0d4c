"""The participant's report pages (form, read-only, PDF) and the organisation's and agency's lists."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from apps.participant_reports import services
from apps.participant_reports.models import ParticipantReport, ReportStatus
from apps.reference.models import ReportOutcomeStatement
from tests.factories import (
    MobilityFactory,
    ParticipantReportFactory,
    ProjectFactory,
    SubmittedParticipantReportFactory,
)

from .conftest import END, at

pytestmark = pytest.mark.django_db
REQUEST_DAY = END + datetime.timedelta(days=1)


@pytest.fixture
def report(mobility):
    with time_machine.travel(at(REQUEST_DAY, 6), tick=False):
        services.reports_request_due()
    return ParticipantReport.objects.get(mobility=mobility)


def own_url(mobility, name="own"):
    return reverse(f"participant_reports:{name}", kwargs={"pk": mobility.pk})


def form_data(report, **changes):
    data = {"satisfaction": "4", "recognition": "yes", "recognition_details": "", "comments": "Lisbon was great."}
    for statement in ReportOutcomeStatement.objects.filter(audience=report.audience):
        data[f"statement_{statement.code}"] = "5" if statement.code == "employability" else "3"
    return {**data, **changes}


# --- The participant -------------------------------------------------------------------------------------------------


def test_form_has_a_fieldset_and_legend_per_question(client, participant_user, report, mobility):
    client.force_login(participant_user)
    response = client.get(own_url(mobility))
    html = response.content.decode()
    assert response.status_code == 200
    # satisfaction + 10 learner statements + recognition
    assert html.count("<fieldset") == 12 and html.count("<legend") == 12
    assert "My employability and career prospects improved" in html
    assert 'type="radio" name="statement_employability"' in html
    assert "Please submit it before" in html


def test_form_errors_name_the_question_and_nothing_is_saved(client, participant_user, report, mobility):
    client.force_login(participant_user)
    data = form_data(report)
    del data["statement_employability"]
    del data["recognition"]
    response = client.post(own_url(mobility), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_statement_employability"' in html
    assert "Say whether your learning outcomes were recognised." in html
    assert html.count("checked") == 10  # the answers given are kept (satisfaction and 9 statements)
    report.refresh_from_db()
    assert report.status == ReportStatus.REQUESTED and not report.answers.exists()


def test_submit_then_read_only_then_pdf(client, participant_user, report, mobility):
    client.force_login(participant_user)
    assert client.get(own_url(mobility, "own_pdf")).status_code == 404  # nothing to download before

    response = client.post(own_url(mobility), form_data(report, recognition="partly", recognition_details="ECVET"))
    assert response.status_code == 302 and response["Location"] == own_url(mobility)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    page = client.get(own_url(mobility))
    html = page.content.decode()
    assert "participant_reports/own_submitted.html" in [t.name for t in page.templates]
    assert 'name="satisfaction"' not in html and 'id="download"' in html
    assert "4 / 5" in html and "partly" in html

    # A second POST changes nothing.
    response = client.post(own_url(mobility), form_data(report, satisfaction="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.satisfaction == 4

    pdf = client.get(own_url(mobility, "own_pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    assert "Participant report" in text
    assert f"{mobility.participant.first_name} {mobility.participant.last_name}" in text
    assert "4 out of 5" in text
    assert "My employability and career prospects improved 5 / 5" in text
    assert "I am more aware of other cultures 3 / 5" in text
    assert "partly" in text and "ECVET" in text and "Lisbon was great." in text


def test_another_participants_report_is_404(client, participant_user, project):
    other = ParticipantReportFactory(mobility=MobilityFactory(project=project, status="completed"))
    client.force_login(participant_user)
    assert client.get(own_url(other.mobility)).status_code == 404
    assert client.get(own_url(other.mobility, "own_pdf")).status_code == 404


def test_before_the_request_the_page_says_when_and_there_is_no_pdf(client, participant_user, mobility):
    client.force_login(participant_user)
    response = client.get(own_url(mobility))
    assert response.status_code == 200
    assert "participant_reports/own_pending.html" in [t.name for t in response.templates]
    assert 'id="pending"' in response.content.decode()
    assert client.post(own_url(mobility), {"satisfaction": "5"}).status_code == 302
    assert not ParticipantReport.objects.exists()
    assert client.get(own_url(mobility, "own_pdf")).status_code == 404


# --- The organisation and the agency ---------------------------------------------------------------------------------


def _project_rows(project, count):
    for index in range(count):
        mobility = MobilityFactory(project=project, status="completed")
        if index % 3 == 0:
            SubmittedParticipantReportFactory(mobility=mobility)
        elif index % 3 == 1:
            ParticipantReportFactory(mobility=mobility, status="overdue")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_project_page_lists_states_with_constant_queries(client, manager_a, project):
    client.force_login(manager_a)
    url = reverse("participant_reports:project", kwargs={"pk": project.pk})
    _project_rows(project, 2)
    small = _count_queries(client, url)
    _project_rows(project, 8)
    assert _count_queries(client, url) == small
    response = client.get(url)
    assert response.context["counts"] == {"not_requested": 2, "requested": 0, "overdue": 4, "submitted": 4}
    assert len(response.context["rows"]) == 10


def test_project_page_filters(client, manager_a, project):
    _project_rows(project, 6)
    MobilityFactory(project=project, status="draft")  # never listed
    client.force_login(manager_a)
    url = reverse("participant_reports:project", kwargs={"pk": project.pk})
    by_state = {
        state: len(client.get(url, {"status": state}).context["rows"])
        for state in ("not_requested", "requested", "overdue", "submitted")
    }
    assert by_state == {"not_requested": 2, "requested": 0, "overdue": 2, "submitted": 2}
    assert len(client.get(url, {"overdue": "true"}).context["rows"]) == 2
    assert len(client.get(url).context["rows"]) == 6


def test_submitted_late_counts_as_overdue(client, officer, project):
    report = SubmittedParticipantReportFactory(mobility=MobilityFactory(project=project, status="completed"))
    ParticipantReport.objects.filter(pk=report.pk).update(due_date=datetime.date(2020, 1, 1))
    client.force_login(officer)
    url = reverse("participant_reports:agency")
    assert [r.pk for r in client.get(url, {"overdue": "true"}).context["page"]] == [report.pk]
    assert list(client.get(url, {"overdue": "false"}).context["page"]) == []


def test_other_organisation_gets_404(client, manager_b, project):
    report = SubmittedParticipantReportFactory(mobility=MobilityFactory(project=project, status="completed"))
    client.force_login(manager_b)
    assert client.get(reverse("participant_reports:project", kwargs={"pk": project.pk})).status_code == 404
    assert client.get(reverse("participant_reports:mobility", kwargs={"pk": report.mobility_id})).status_code == 404


def test_organisation_reads_a_submitted_report(client, manager_a, project):
    report = SubmittedParticipantReportFactory(
        mobility=MobilityFactory(project=project, status="reported"), comments="Thanks a lot"
    )
    client.force_login(manager_a)
    response = client.get(reverse("participant_reports:mobility", kwargs={"pk": report.mobility_id}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thanks a lot" in html and "I am more aware of other cultures" in html


def test_open_report_shows_its_state_but_no_answers(client, manager_a, project):
    report = ParticipantReportFactory(mobility=MobilityFactory(project=project, status="completed"))
    client.force_login(manager_a)
    response = client.get(reverse("participant_reports:mobility", kwargs={"pk": report.mobility_id}))
    assert response.status_code == 200
    assert response.context["answers"] == []
    assert 'id="not-submitted"' in response.content.decode()


def test_agency_list_filters_and_constant_queries(client, officer, organisation_a, organisation_b):
    from apps.reference.models import Region

    region = Region.objects.order_by("pk").first()
    organisation_a.region = region
    organisation_a.save()
    project_a = ProjectFactory(application__organisation=organisation_a)
    project_b = ProjectFactory(application__organisation=organisation_b, application__call__year=2023)
    client.force_login(officer)
    url = reverse("participant_reports:agency")

    def add(count):
        for _ in range(count):
            ParticipantReportFactory(mobility=MobilityFactory(project=project_a, status="completed"))
            SubmittedParticipantReportFactory(mobility=MobilityFactory(project=project_b, status="completed"))

    add(1)
    small = _count_queries(client, url)
    add(4)
    assert _count_queries(client, url) == small
    page = client.get(url).context["page"]
    assert page.paginator.count == 10
    assert client.get(url, {"status": "submitted"}).context["page"].paginator.count == 5
    assert client.get(url, {"region": region.pk}).context["page"].paginator.count == 5
    call_b = project_b.application.call
    assert client.get(url, {"call": call_b.pk}).context["page"].paginator.count == 5
    number = project_a.agreement_number
    assert client.get(url, {"project": number[-12:]}).context["page"].paginator.count == 5


def test_agency_list_paginates(client, officer, project, monkeypatch):
    from apps.participant_reports import views

    for _ in range(3):
        ParticipantReportFactory(mobility=MobilityFactory(project=project, status="completed"))
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(officer)
    response = client.get(reverse("participant_reports:agency"), {"page": 2})
    assert response.context["page"].number == 2 and len(response.context["page"]) == 1


def test_me_shows_the_request_with_its_due_date(client, participant_user, report, mobility):
    client.force_login(participant_user)
    html = client.get(reverse("portal:participant_mobility", kwargs={"pk": mobility.pk})).content.decode()
    assert "Fill in your participant report" in html
    assert own_url(mobility) in html
