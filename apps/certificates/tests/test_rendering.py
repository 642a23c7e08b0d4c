"""Rendering the PDF: its text (extracted with pypdf), idempotence, failures and the batch's counters."""

import io

import pytest
from pypdf import PdfReader

from apps.certificates import rendering, services
from apps.certificates.models import Certificate, CertificateBatch
from apps.certificates.tasks import render_certificate
from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
from apps.reference.models import KeyCompetence
from tests.factories import MobilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes(completed_mobility, manager_a):
    digital = KeyCompetence.objects.get(number=4)
    languages = KeyCompetence.objects.get(number=2)
    for competence, before, after in ((digital, 2, 4), (languages, 1, 3)):
        CompetenceAssessment.objects.create(
            mobility=completed_mobility, competence=competence, phase="before", level=before
        )
        CompetenceAssessment.objects.create(
            mobility=completed_mobility, competence=competence, phase="after", level=after
        )
    CompetenceOutcome.objects.create(
        mobility=completed_mobility, competence=digital, text="Configured a point-of-sale system", mentor_level=4
    )
    LearningOutcomes.objects.create(
        mobility=completed_mobility,
        vocational_outcomes="Served guests in a hotel restaurant",
        mentor_name="Joana Silva",
        mentor_overall=4,
        updated_by=manager_a,
    )
    return completed_mobility


def pdf_text(certificate: Certificate) -> str:
    certificate.refresh_from_db()
    with certificate.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_shows_participant_organisations_dates_activity_outcomes_and_code(outcomes, manager_a):
    certificate = services.certificate_issue(mobility=outcomes, by=manager_a)
    assert rendering.certificate_render(certificate_id=certificate.pk) is True
    certificate.refresh_from_db()
    assert certificate.render_state == "done" and certificate.rendered_at is not None
    assert certificate.file.name == f"certificates/{outcomes.pk}/{certificate.code}-v1.pdf"
    text = pdf_text(certificate)
    for expected in (
        "Anna Kowalska",
        "Organisation A",
        "Poznań, Poland",
        "Escola Profissional de Lisboa",
        "Lisbon, Portugal",
        "2 September 2024",
        "29 September 2024",
        "Short-term learning mobility",
        "Served guests in a hotel restaurant",
        "Configured a point-of-sale system",
        "Digital competence",
        "Multilingual competence",
        "Joana Silva",
        certificate.display_code,
        f"https://mobility.test/verify/{certificate.display_code}/",
    ):
        assert expected in text, expected


def test_the_pdf_in_polish(outcomes, manager_a):
    certificate = services.certificate_issue(mobility=outcomes, by=manager_a, language="pl")
    rendering.certificate_render(certificate_id=certificate.pk)
    text = pdf_text(certificate)
    assert "Kompetencje cyfrowe" in text
    assert "2 września 2024" in text


def test_each_fact_and_each_line_of_a_text_is_a_line_of_the_pdf(outcomes, manager_a):
    outcomes.virtual_component = True
    outcomes.virtual_start, outcomes.virtual_end = outcomes.start_date, outcomes.start_date
    outcomes.save()
    LearningOutcomes.objects.filter(mobility=outcomes).update(
        vocational_outcomes="Served guests in a hotel restaurant\nKept the HACCP log <b>daily</b>"
    )
    certificate = services.certificate_issue(mobility=outcomes, by=manager_a)
    rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    with certificate.file.open("rb") as stored:
        lines = [
            " ".join(line.split()) for line in PdfReader(io.BytesIO(stored.read())).pages[0].extract_text().splitlines()
        ]
    starts = (
        "Activity:",
        "Dates:",
        "Destination:",
        "Virtual component:",
        "Sending organisation:",
        "Host organisation:",
    )
    for start in (*starts, "Project:", "Kept the HACCP log <b>daily</b>", "Digital competence: 2 → 4"):
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert "Vocational outcomes: Served guests in a hotel restaurant" in lines


def test_the_qr_code_encodes_the_verification_address(completed_mobility, manager_a):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    context = rendering.certificate_context(
        Certificate.objects.select_related("mobility__project__application__organisation").get(pk=certificate.pk)
    )
    assert context["verification_url"] == f"https://mobility.test/verify/{certificate.display_code}/"
    assert context["qr_code"].startswith("data:image/png;base64,")


def test_running_the_task_twice_renders_once(completed_mobility, manager_a, monkeypatch):
    calls = []
    real = rendering.render_pdf
    monkeypatch.setattr(rendering, "render_pdf", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    render_certificate.apply(args=[certificate.pk])
    certificate.refresh_from_db()
    first_file, first_rendered = certificate.file.name, certificate.rendered_at
    assert render_certificate.apply(args=[certificate.pk]).get() is False
    certificate.refresh_from_db()
    assert len(calls) == 1
    assert (certificate.file.name, certificate.rendered_at, certificate.render_attempts) == (
        first_file,
        first_rendered,
        1,
    )


def test_issuing_enqueues_the_render_on_commit(completed_mobility, manager_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    certificate.refresh_from_db()
    assert certificate.is_ready


def test_a_failure_is_recorded_and_a_retry_renders_it(completed_mobility, manager_a, monkeypatch):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    real = rendering.render_pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with pytest.raises(rendering.CertificateRenderError):
        rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.render_state == "failed"
    assert "disk full" in certificate.render_error
    monkeypatch.setattr(rendering, "render_pdf", real)
    assert rendering.certificate_render(certificate_id=certificate.pk) is True
    certificate.refresh_from_db()
    assert (certificate.render_state, certificate.render_error, certificate.render_attempts) == ("done", "", 2)


def test_the_task_retries_a_failed_render(completed_mobility, manager_a, monkeypatch):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    attempts = []
    real = rendering.render_pdf

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("storage unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", flaky)
    render_certificate.apply(args=[certificate.pk], throw=False)  # eager: the retry runs at once
    certificate.refresh_from_db()
    assert len(attempts) == 2
    assert certificate.render_state == "done"


def test_a_claim_left_by_a_dead_worker_is_taken_over(completed_mobility, manager_a, time_machine):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    Certificate.objects.filter(pk=certificate.pk).update(
        render_state="rendering", render_started_at="2026-01-01T10:00Z"
    )
    time_machine.move_to("2026-01-01T10:05Z")
    assert rendering.certificate_render(certificate_id=certificate.pk) is False  # another worker may be at it
    time_machine.move_to("2026-01-01T10:11Z")
    assert rendering.certificate_render(certificate_id=certificate.pk) is True


def test_rendering_again_overwrites_the_file(completed_mobility, manager_a, media):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    rendering.certificate_render(certificate_id=certificate.pk)
    Certificate.objects.filter(pk=certificate.pk).update(render_state="failed")
    rendering.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.file.name == f"certificates/{completed_mobility.pk}/{certificate.code}-v1.pdf"
    assert len(list((media / "certificates" / str(completed_mobility.pk)).iterdir())) == 1


def test_the_batch_counts_rendered_and_failed_certificates(project, manager_a, monkeypatch):
    for _ in range(3):
        MobilityFactory(project=project, status="completed")
    batch = services.certificates_issue_for_project(project=project, by=manager_a)
    first, second, third = Certificate.objects.filter(batch=batch).order_by("pk")
    monkeypatch.setattr(rendering, "render_pdf", lambda *args, **kwargs: b"%PDF stub")
    rendering.certificate_render(certificate_id=first.pk)
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.state, batch.percent) == (1, 0, "running", 33)

    def broken(*args, **kwargs):
        raise ValueError("bad template")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with pytest.raises(rendering.CertificateRenderError):
        rendering.certificate_render(certificate_id=second.pk)
    monkeypatch.setattr(rendering, "render_pdf", lambda *args, **kwargs: b"%PDF stub")
    rendering.certificate_render(certificate_id=third.pk)
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.state) == (2, 1, "finished")
    assert batch.finished_at is not None
    rendering.certificate_render(certificate_id=second.pk)  # a retry succeeds
    batch = CertificateBatch.objects.get(pk=batch.pk)
    assert (batch.done, batch.failed, batch.state) == (3, 0, "finished")


def test_the_participant_is_told_once_that_the_certificate_is_ready(
    completed_mobility, manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    from apps.notifications.models import Notification
    from tests.factories import UserFactory

    participant = completed_mobility.participant
    participant.user = UserFactory(email=participant.email)
    participant.save(update_fields=["user"])
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        render_certificate.apply(args=[certificate.pk])
        render_certificate.apply(args=[certificate.pk])  # redelivered: nothing to claim, nothing sent

    sent = Notification.objects.filter(kind="certificate_ready", recipient=participant.user)
    assert [n.url for n in sent] == [f"/me/mobilities/{completed_mobility.pk}/certificate/"]
    assert [message.subject for message in mailoutbox] == ["Your certificate of mobility is ready"]
    assert "Escola Profissional de Lisboa" in mailoutbox[0].body


def test_no_notification_without_an_account(completed_mobility, manager_a):
    from apps.notifications.models import Notification

    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    render_certificate.apply(args=[certificate.pk])
    assert not Notification.objects.filter(kind="certificate_ready").exists()


def test_the_certificate_and_all_its_pdf_shows_are_read_in_two_queries(
    completed_mobility, manager_a, django_assert_num_queries
):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    with django_assert_num_queries(2):
        loaded = rendering.certificate_for_pdf(certificate.pk)
    with django_assert_num_queries(0):
        mobility = loaded.mobility
        assert loaded.issued_by == manager_a
        assert (mobility.participant.last_name, mobility.activity_type.code) == ("Kowalska", "LM-SHORT-VET")
        assert mobility.host.legal_name and mobility.destination_city_id == completed_mobility.destination_city_id
        assert mobility.project.application.organisation.pk == completed_mobility.project.application.organisation_id


def test_a_taken_over_claim_is_counted_once_whichever_worker_finishes(project, manager_a, monkeypatch, time_machine):
    monkeypatch.setattr(rendering, "render_pdf", lambda *args, **kwargs: b"%PDF stub")
    for _ in range(2):
        MobilityFactory(project=project, status="completed")
    time_machine.move_to("2026-01-01T10:00Z")
    batch = services.certificates_issue_for_project(project=project, by=manager_a)
    first, second = Certificate.objects.filter(batch=batch).order_by("pk")
    for certificate in (first, second):  # a worker claims it and stalls (its first attempt)
        assert rendering._claim(certificate.pk)
    stalled_first, stalled_second = (rendering.certificate_for_pdf(c.pk) for c in (first, second))
    time_machine.move_to("2026-01-01T10:11Z")  # past STALE_CLAIM: another worker takes both over

    # The second worker finishes the first certificate before the stalled worker does ...
    assert rendering.certificate_render(certificate_id=first.pk) is True
    rendering._finish(stalled_first, "done", file="late.pdf")
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.state) == (1, 0, "running")
    # ... and the stalled worker finishes the second one while the other is still rendering it.
    assert rendering._claim(second.pk)
    rendering._finish(stalled_second, "done", file="early.pdf")
    rendering._finish(rendering.certificate_for_pdf(second.pk), "done", file="later.pdf")
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.state) == (2, 0, "finished") and batch.finished_at is not None
