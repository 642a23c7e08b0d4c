import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.certificates import selectors
from apps.certificates.models import Certificate, CertificateBatch
from tests.factories import CertificateFactory, MobilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_completed(project, participant_user):
    return MobilityFactory(project=project, participant=participant_user.participant, status="completed")


# --- The participant ---------------------------------------------------------------------------------------


def test_the_participant_downloads_their_current_certificate(client, participant_user, own_completed):
    CertificateFactory(mobility=own_completed, status="superseded", code="AAAABBBBCCCC")
    current = CertificateFactory(mobility=own_completed, version=2)
    client.force_login(participant_user)
    page = client.get(reverse("certificates:own", kwargs={"pk": own_completed.pk}))
    assert page.status_code == 200
    assert current.display_code in page.content.decode()
    response = client.get(reverse("certificates:own_pdf", kwargs={"pk": own_completed.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert f"v{current.version}" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 stub certificate"
    current.refresh_from_db()
    assert current.downloaded_at is not None


def test_the_participant_is_told_when_nothing_is_issued_or_ready(client, participant_user, own_completed):
    client.force_login(participant_user)
    page = client.get(reverse("certificates:own", kwargs={"pk": own_completed.pk}))
    assert "has not issued your certificate yet" in page.content.decode()
    assert client.get(reverse("certificates:own_pdf", kwargs={"pk": own_completed.pk})).status_code == 404
    CertificateFactory(mobility=own_completed, render_state="rendering", file="")
    page = client.get(reverse("certificates:own", kwargs={"pk": own_completed.pk}))
    assert "being prepared" in page.content.decode()
    assert client.get(reverse("certificates:own_pdf", kwargs={"pk": own_completed.pk})).status_code == 404


def test_another_participants_certificate_answers_404(client, participant_user, completed_mobility, manager_a):
    CertificateFactory(mobility=completed_mobility)
    for user in (participant_user, manager_a):
        client.force_login(user)
        for name in ("certificates:own", "certificates:own_pdf"):
            assert client.get(reverse(name, kwargs={"pk": completed_mobility.pk})).status_code == 404


def test_next_step_until_the_participant_downloads_it(
    participant_user, own_completed, project, django_assert_num_queries
):
    other = MobilityFactory(project=project, participant=participant_user.participant, status="planned")
    certificate = CertificateFactory(mobility=own_completed)
    participant = participant_user.participant
    with django_assert_num_queries(1):
        steps = selectors.next_steps(participant=participant, mobilities=[own_completed, other])
    assert list(steps) == [own_completed.pk]
    (step,) = steps[own_completed.pk]
    assert (step.label, step.order) == ("Download your certificate", 50)
    assert step.url == reverse("certificates:own", kwargs={"pk": own_completed.pk})
    Certificate.objects.filter(pk=certificate.pk).update(downloaded_at="2024-10-01T10:00:00Z")
    assert selectors.next_steps(participant=participant, mobilities=[own_completed, other]) == {}


def test_no_next_step_while_rendering(participant_user, own_completed):
    CertificateFactory(mobility=own_completed, render_state="queued", file="")
    assert selectors.next_steps(participant=participant_user.participant, mobilities=[own_completed]) == {}


# --- The sending organisation and the agency -------------------------------------------------------------


def test_the_manager_issues_and_reissues_from_the_mobility_page(
    client, manager_a, completed_mobility, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.certificates import rendering

    monkeypatch.setattr(rendering, "render_pdf", lambda template, context, **options: b"%PDF stub")
    monkeypatch.setattr(rendering, "certificate_context", lambda certificate: {})
    client.force_login(manager_a)
    url = reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    page = client.get(url)
    text = page.content.decode()
    versions = list(page.context["certificates"])
    assert [(c.version, c.status, c.render_state) for c in versions] == [
        (2, "current", "done"),
        (1, "superseded", "done"),
    ]
    assert "Re-issue the certificate" in text
    download = client.get(reverse("certificates:download", kwargs={"pk": completed_mobility.pk, "version": 1}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF stub"


def test_issuing_a_planned_mobility_is_refused_with_a_message(client, manager_a, project):
    mobility = MobilityFactory(project=project, status="planned")
    client.force_login(manager_a)
    response = client.post(reverse("certificates:mobility", kwargs={"pk": mobility.pk}), follow=True)
    assert "completed or reported" in response.content.decode()
    assert not Certificate.objects.exists()


def test_contributors_see_certificates_but_do_not_issue(client, contributor_a, completed_mobility):
    CertificateFactory(mobility=completed_mobility)
    client.force_login(contributor_a)
    url = reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="issue"' not in page.content.decode()
    assert client.post(url).status_code == 403
    assert client.post(reverse("certificates:project", kwargs={"pk": completed_mobility.project_id})).status_code == 403


def test_a_version_not_rendered_cannot_be_downloaded(client, manager_a, completed_mobility):
    CertificateFactory(mobility=completed_mobility, render_state="failed", file="", render_error="boom")
    client.force_login(manager_a)
    url = reverse("certificates:download", kwargs={"pk": completed_mobility.pk, "version": 1})
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("certificates:download", kwargs={"pk": completed_mobility.pk, "version": 7})).status_code
        == 404
    )
    page = client.get(reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk}))
    assert "boom" in page.content.decode()


def test_bulk_issue_from_the_project_page_and_its_progress(
    client, manager_a, project, completed_mobility, django_capture_on_commit_callbacks
):
    MobilityFactory(project=project, status="reported")
    client.force_login(manager_a)
    url = reverse("certificates:project", kwargs={"pk": project.pk})
    page = client.get(url)
    assert "Issue 2 certificates" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False):  # no worker: the batch stays queued
        response = client.post(url, follow=True)
    assert "2 certificates are issued" in response.content.decode()
    batch = CertificateBatch.objects.get()
    progress = client.get(reverse("certificates:project_progress", kwargs={"pk": project.pk}))
    text = progress.content.decode()
    assert "0 of 2 rendered" in text
    assert 'hx-trigger="every 2s"' in text  # still polling
    assert f'href="{url}"' in text  # the no-JS refresh link
    Certificate.objects.filter(batch=batch).update(render_state="done")
    from apps.certificates.rendering import batch_refresh

    batch_refresh(batch_id=batch.pk)
    text = client.get(reverse("certificates:project_progress", kwargs={"pk": project.pk})).content.decode()
    assert "2 of 2 rendered" in text and "Finished" in text
    assert "hx-trigger" not in text  # polling stops
    again = client.post(url, follow=True)
    assert "awaits a certificate" in again.content.decode()


def test_officers_read_and_issue(client, officer, completed_mobility):
    client.force_login(officer)
    assert client.get(reverse("certificates:project", kwargs={"pk": completed_mobility.project_id})).status_code == 200
    client.post(reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk}))
    assert Certificate.objects.filter(mobility=completed_mobility, issued_by=officer).exists()


def test_finance_reads_but_does_not_issue(client, finance, completed_mobility):
    client.force_login(finance)
    url = reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403


# --- Query counts ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_project_page_takes_as_many_queries_for_10_rows_as_for_2(client, manager_a, project):
    def add(n):
        for _ in range(n):
            CertificateFactory(mobility=MobilityFactory(project=project, status="completed"))
            MobilityFactory(project=project, status="planned")

    client.force_login(manager_a)
    url = reverse("certificates:project", kwargs={"pk": project.pk})
    add(1)
    few = _queries(client, url)
    add(4)
    assert _queries(client, url) == few


def test_the_versions_list_takes_as_many_queries_for_10_versions_as_for_2(client, manager_a, completed_mobility):
    def add(first, last):
        for version in range(first, last + 1):
            CertificateFactory(mobility=completed_mobility, version=version, status="superseded", issued_by=manager_a)

    client.force_login(manager_a)
    url = reverse("certificates:mobility", kwargs={"pk": completed_mobility.pk})
    add(1, 2)
    few = _queries(client, url)
    add(3, 10)
    assert _queries(client, url) == few
