import pytest
from django.core.exceptions import PermissionDenied

from apps.certificates import services
from apps.certificates.models import BatchState, Certificate, CertificateBatch
from tests.factories import CertificateFactory, MobilityFactory

pytestmark = pytest.mark.django_db


def test_issuing_makes_version_1_current_and_queued(completed_mobility, manager_a):
    certificate = services.certificate_issue(mobility=completed_mobility, by=manager_a, language="pl")
    assert (certificate.version, certificate.status, certificate.render_state) == (1, "current", "queued")
    assert certificate.issued_by == manager_a
    assert certificate.language == "pl"
    assert len(certificate.code) == 12
    assert certificate.display_code.count("-") == 2


def test_reissuing_makes_version_n_plus_1_and_supersedes_the_current_one(completed_mobility, manager_a, officer):
    first = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    second = services.certificate_issue(mobility=completed_mobility, by=officer)
    third = services.certificate_issue(mobility=completed_mobility, by=manager_a)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [first.version, second.version, third.version] == [1, 2, 3]
    assert [first.status, second.status, third.status] == ["superseded", "superseded", "current"]
    assert first.superseded_at is not None and third.superseded_at is None
    assert len({first.code, second.code, third.code}) == 3
    assert Certificate.objects.filter(mobility=completed_mobility, status="current").count() == 1


@pytest.mark.parametrize("status", ["draft", "planned", "confirmed", "ongoing", "cancelled", "force_majeure"])
def test_only_completed_or_reported_mobilities_get_a_certificate(project, manager_a, status):
    mobility = MobilityFactory(project=project, status=status)
    with pytest.raises(services.CertificateError, match="completed or reported"):
        services.certificate_issue(mobility=mobility, by=manager_a)
    assert not Certificate.objects.exists()


def test_a_reported_mobility_gets_one(project, manager_a):
    mobility = MobilityFactory(project=project, status="reported")
    assert services.certificate_issue(mobility=mobility, by=manager_a).version == 1


@pytest.mark.parametrize("who", ["contributor_a", "manager_b", "finance"])
def test_only_managers_and_officers_issue(request, completed_mobility, who):
    with pytest.raises(PermissionDenied):
        services.certificate_issue(mobility=completed_mobility, by=request.getfixturevalue(who))
    assert not Certificate.objects.exists()


def test_rendering_is_enqueued_after_the_commit(completed_mobility, manager_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.certificate_issue(mobility=completed_mobility, by=manager_a)
    assert len(callbacks) == 1


def test_bulk_issue_covers_every_eligible_mobility_without_a_certificate(project, manager_a, completed_mobility):
    reported = MobilityFactory(project=project, status="reported")
    MobilityFactory(project=project, status="ongoing")
    already = CertificateFactory(mobility=MobilityFactory(project=project, status="completed"))
    MobilityFactory(status="completed")  # another project's
    batch = services.certificates_issue_for_project(project=project, by=manager_a)
    assert (batch.total, batch.done, batch.failed, batch.state) == (2, 0, 0, BatchState.RUNNING)
    issued = Certificate.objects.filter(batch=batch)
    assert {c.mobility_id for c in issued} == {completed_mobility.pk, reported.pk}
    assert all(c.version == 1 and c.status == "current" for c in issued)
    assert Certificate.objects.get(pk=already.pk).status == "current"


def test_bulk_issue_with_nothing_to_issue_says_so_and_saves_nothing(project, manager_a):
    MobilityFactory(project=project, status="planned")
    with pytest.raises(services.CertificateError, match="awaits a certificate"):
        services.certificates_issue_for_project(project=project, by=manager_a)
    assert not CertificateBatch.objects.exists()


def test_bulk_issue_is_for_managers_and_officers(project, completed_mobility, contributor_a, officer):
    with pytest.raises(PermissionDenied):
        services.certificates_issue_for_project(project=project, by=contributor_a)
    assert services.certificates_issue_for_project(project=project, by=officer).total == 1


def test_a_code_collision_draws_again(completed_mobility, manager_a, monkeypatch):
    CertificateFactory(code="AAAAAAAAAAAA")
    codes = iter(["AAAAAAAAAAAA", "BBBBBBBBBBBB"])
    monkeypatch.setattr(services, "generate_code", lambda: next(codes))
    assert services.certificate_issue(mobility=completed_mobility, by=manager_a).code == "BBBBBBBBBBBB"


def test_the_participants_first_download_is_recorded_once(participant_user, project):
    certificate = CertificateFactory(mobility__project=project, mobility__participant=participant_user.participant)
    services.certificate_record_download(certificate=certificate, by=participant_user)
    certificate.refresh_from_db()
    first = certificate.downloaded_at
    assert first is not None
    services.certificate_record_download(certificate=certificate, by=participant_user)
    certificate.refresh_from_db()
    assert certificate.downloaded_at == first


def test_someone_elses_download_is_not_recorded(manager_a, project):
    certificate = CertificateFactory(mobility__project=project)
    services.certificate_record_download(certificate=certificate, by=manager_a)
    certificate.refresh_from_db()
    assert certificate.downloaded_at is None


def test_erasing_the_participant_deletes_the_pdfs_once_committed(
    completed_mobility, manager_a, media, django_capture_on_commit_callbacks
):
    from apps.participants.services import participant_erase

    certificate = CertificateFactory(mobility=completed_mobility)
    path = media / certificate.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=completed_mobility.participant, by=manager_a)
    certificate.refresh_from_db()
    assert not path.exists()
    assert (certificate.file.name, certificate.render_state) == ("", "failed")
    assert certificate.status == "current"  # the code still verifies, with the erased name


def test_the_participants_export_lists_their_certificates(completed_mobility, manager_a):
    from apps.participants.services import participant_export

    certificate = CertificateFactory(mobility=completed_mobility, code="7KQ4M2ZDXW9P")
    exported = participant_export(participant=completed_mobility.participant, by=manager_a)
    assert exported["certificates"] == [
        {
            "mobility": completed_mobility.pk,
            "version": 1,
            "verification_code": "7KQ4-M2ZD-XW9P",
            "status": "current",
            "issued_at": certificate.issued_at.isoformat(),
            "superseded_at": None,
            "downloaded_at": None,
        }
    ]
