# The fixtures imported from test_transfer are taken as test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811
"""The lifecycle of an uploaded import file (apps.mobility.imports_web, ``MobilityImport``): the record of
recent uploads, discarding, the retention purge (beat task) and the erasure of a participant. The file and the
row-level preview are personal data: each path deletes them, keeping who uploaded what and the counts."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.mobility import imports_web
from apps.mobility.models import ImportStatus, Mobility, MobilityImport
from apps.mobility.tasks import purge_import_files
from apps.mobility.tests.test_views_imports import (  # noqa: F401  (fixtures: a Gdańsk school's 2024 project, ...)
    cities,
    city_records,
    csv_file,
    example_rows,
    manager,
    manager_client,
    media,
    project,
    sending,
)
from apps.participants.models import PersonalDataAccess
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def stored(project, manager, name="mobilities.csv") -> MobilityImport:
    file = csv_file(example_rows(), name=name)
    return imports_web.upload_store(project=project, fileobj=file, filename=name, by=manager)


def file_path(media, upload: MobilityImport):
    return media / upload.file.name


def test_an_upload_is_recorded_with_its_file_and_preview(project, manager, media):
    upload = stored(project, manager)

    assert upload.status == ImportStatus.PREVIEWED
    assert file_path(media, upload).read_bytes() == csv_file(example_rows()).read()
    assert (upload.uploaded_by, upload.original_name, upload.error_count) == (manager, "mobilities.csv", 0)
    assert [row["row"] for row in upload.rows] == [2, 3, 4]
    assert upload.summary["mobilities"] == 3


def test_a_failing_preview_leaves_no_file_behind(project, manager, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports_web.transfer, "import_mobilities", broken)
    with pytest.raises(RuntimeError):
        stored(project, manager)
    assert not MobilityImport.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_the_import_page_lists_recent_uploads_in_constant_queries(manager_client, project, manager):
    url = reverse("mobility:project_import", args=[project.pk])
    stored(project, manager, "first.csv")
    manager_client.get(url)  # warm caches (session, site, translations)
    with CaptureQueriesContext(connection) as one:
        response = manager_client.get(url)
    assert "first.csv" in response.content.decode()
    for n in range(4):
        stored(project, manager, f"more-{n}.csv")
    with CaptureQueriesContext(connection) as five:
        response = manager_client.get(url)
    page = response.content.decode()
    assert all(f"more-{n}.csv" in page for n in range(4))
    assert len(five) == len(one)


def test_discarding_deletes_the_file_and_preview_and_it_can_no_longer_be_applied(
    manager_client, project, manager, media, django_capture_on_commit_callbacks
):
    upload = stored(project, manager)
    path = file_path(media, upload)
    discard = reverse("mobility:project_import_discard", args=[project.pk, upload.token])
    preview = reverse("mobility:project_import_preview", args=[project.pk, upload.token])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(discard)

    assert response.status_code == 302
    upload.refresh_from_db()
    assert (upload.status, upload.file.name, upload.rows, upload.errors) == (ImportStatus.DISCARDED, "", [], [])
    assert upload.purged_at is not None and upload.summary["mobilities"] == 3  # the counts stay
    assert not path.exists()
    page = manager_client.get(preview).content.decode()
    assert "The file and its preview were deleted" in page
    assert "Confirm the import" not in page
    response = manager_client.post(preview, follow=True)
    assert "discarded or has expired" in response.content.decode()
    assert not Mobility.objects.filter(project=project).exists()


def test_an_applied_upload_cannot_be_discarded(manager_client, project, manager):
    upload = stored(project, manager)
    imports_web.upload_apply(project=project, upload=upload, by=manager)

    manager_client.post(reverse("mobility:project_import_discard", args=[project.pk, upload.token]))

    upload.refresh_from_db()
    assert upload.status == ImportStatus.APPLIED and upload.file.name
    assert Mobility.objects.filter(project=project).count() == 3


def test_the_retention_purge_deletes_old_files_and_expires_unconfirmed_previews(
    project, manager, media, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.IMPORT_RETENTION_DAYS = 30
    time_machine.move_to("2026-01-01T10:00Z")
    old_preview = stored(project, manager, "old-preview.csv")
    old_applied = stored(project, manager, "old-applied.csv")
    imports_web.upload_apply(project=project, upload=old_applied, by=manager)
    paths = {u.pk: file_path(media, u) for u in (old_preview, old_applied)}
    time_machine.move_to("2026-01-30T10:00Z")
    recent = stored(project, manager, "recent.csv")

    time_machine.move_to("2026-01-31T10:01Z")  # the first two are 30 days and a minute old
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_import_files() == 2  # the beat task

    for upload in (old_preview, old_applied, recent):
        upload.refresh_from_db()
    assert old_preview.status == ImportStatus.EXPIRED and old_preview.purged
    assert old_applied.status == ImportStatus.APPLIED and old_applied.purged
    assert old_applied.summary["mobilities"] == 3 and old_applied.applied_by == manager
    assert not any(path.exists() for path in paths.values())
    assert recent.status == ImportStatus.PREVIEWED and not recent.purged and file_path(media, recent).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_web.uploads_purge() == 0  # nothing twice
    with pytest.raises(imports_web.UploadClosed):
        imports_web.upload_apply(project=project, upload=old_preview, by=manager)


def test_a_rolled_back_purge_keeps_the_files(project, manager, media, settings, django_capture_on_commit_callbacks):
    upload = stored(project, manager)
    settings.IMPORT_RETENTION_DAYS = 0
    now = upload.uploaded_at + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the commit never comes
        assert imports_web.uploads_purge(now=now) == 1
    assert callbacks and file_path(media, upload).exists()


def test_erasing_a_participant_deletes_the_organisations_upload_files(
    project, manager, media, django_capture_on_commit_callbacks
):
    from apps.participants.services import participant_erase

    upload = stored(project, manager)
    path = file_path(media, upload)
    participant = ParticipantFactory(organisation=project.application.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=participant, by=manager)

    upload.refresh_from_db()
    assert upload.purged and upload.status == ImportStatus.EXPIRED and not path.exists()
    entry = PersonalDataAccess.objects.filter(participant=participant).latest("pk")
    assert "import_files" in entry.fields


def test_uploads_of_another_organisation_survive_an_erasure(project, manager, media):
    from apps.participants.services import participant_erase

    upload = stored(project, manager)
    participant = ParticipantFactory()  # of another organisation
    participant_erase(participant=participant, by=UserFactory(agency_role="officer"))
    upload.refresh_from_db()
    assert not upload.purged


def test_the_template_upload_is_a_bytes_stream(project, manager):
    upload = imports_web.upload_store(
        project=project, fileobj=io.BytesIO(imports_web.template_csv()), filename="empty.csv", by=manager
    )
    assert upload.file.name.endswith(".csv") and upload.token in upload.file.name
