"""A project's import through the web: the upload kept, previewed, and applied on confirmation.

The same three steps as the reserve-list upload (``reserve_list.imports.import_upload_store``, ``..._preview``,
``..._apply``), over ``transfer``'s public functions (the ``import_mobilities`` command uses them too):

1. ``upload_store`` keeps the file (a ``MobilityImport`` row, the file through Django's storage API) and runs
   the import as a dry run (``transfer.import_mobilities(dry_run=True)``: everything is written, then rolled
   back), keeping what it would do (per row: the participant created or updated, the host matched or
   created, the rules broken) or every error by row and column.
2. The preview page shows what was kept; nothing is saved while any row fails.
3. ``upload_apply`` runs the import on the same stored file, in one transaction, and compares what it did
   with the preview: when the project changed in between (another import, a mobility recorded by hand), it
   rolls the import back, keeps the new preview and raises ``PreviewChanged``, so that confirming applies
   exactly what the user saw.

The file and the row-level preview hold personal data. They are deleted (``_purge``) when the user discards
the upload, ``IMPORT_RETENTION_DAYS`` after the upload in any case (``uploads_purge``, daily on beat: a
preview never confirmed then expires), and when a participant of the organisation is erased. The row stays:
who uploaded which file when, and what the import did.

An upload is found by its random token through its project, which the caller has already loaded for the user.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import secrets
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation

from apps.mobility import transfer
from apps.mobility.models import ImportStatus, MobilityImport, Project

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
RECENT = 10  # uploads listed on the project's import page
# What an import file holds (docs/mobility-columns.md, version 1): the template's header.
TEMPLATE_COLUMNS = transfer.COLUMNS_V1 + transfer.OPTIONAL_COLUMNS_V1


class PreviewChanged(Exception):
    """Applying the upload would not do what its preview said (the project changed): nothing was saved."""


class AlreadyApplied(Exception):
    """The upload is already imported: applying it again would record its mobilities twice."""


class UploadClosed(Exception):
    """The upload was discarded or has expired (its file is deleted): it can no longer be applied."""


class _Rollback(Exception):
    pass


def row_errors(upload: MobilityImport) -> list[transfer.RowError]:
    return [transfer.RowError(*error) for error in upload.errors]


def _keep_outcome(upload: MobilityImport, result: transfer.Result) -> None:
    upload.errors = [list(error) for error in result.errors]
    upload.error_count = len(upload.errors)
    upload.rows = [] if result.errors else [_outcome(row) for row in result.rows]
    upload.summary = {} if result.errors else result.summary()


def _outcome(row: transfer.RowOutcome) -> dict:
    return {
        "row": row.row,
        "email": row.email,
        "participant": row.participant,
        "host": row.host,
        "violations": [str(violation) for violation in row.violations],
    }


def _run(upload: MobilityImport, project: Project, *, by, dry_run: bool) -> transfer.Result:
    """The import of the stored file, in the language of the preview (its messages are compared)."""
    with upload.file.open("rb") as fileobj, translation.override(upload.language):
        parsed = transfer.parse_mobility_file(fileobj, upload.original_name, project=project)
        return transfer.import_mobilities(parsed=parsed, project=project, by=by, dry_run=dry_run)


# --- Uploading, previewing, applying --------------------------------------------------------------------------------


def upload_store(*, project: Project, fileobj: IO, filename: str, by) -> MobilityImport:
    """Keep an uploaded file with the preview of its import (a dry run: nothing of the project changes)."""
    original = Path(filename).name[:200] or "upload.csv"
    upload = MobilityImport(
        project=project,
        token=secrets.token_urlsafe(24),
        original_name=original,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        uploaded_by=by if getattr(by, "pk", None) else None,
        uploaded_at=timezone.now(),
    )
    upload.file.save(f"{upload.token}{Path(original).suffix.lower()}", ContentFile(fileobj.read()), save=False)
    try:
        _keep_outcome(upload, _run(upload, project, by=by, dry_run=True))
        upload.save()
    except BaseException:
        upload.file.delete(save=False)  # no row to find it by: the file would be kept forever
        raise
    return upload


def upload_get(*, project: Project, token: str) -> MobilityImport:
    """The project's upload with this token (404 for a malformed or unknown token, or another project's)."""
    if not TOKEN.fullmatch(token or ""):
        raise Http404
    try:
        return MobilityImport.objects.select_related("uploaded_by", "applied_by").get(project=project, token=token)
    except MobilityImport.DoesNotExist:
        raise Http404 from None


def recent_uploads(*, project: Project) -> list[MobilityImport]:
    """The project's latest uploads, newest first (one query)."""
    return list(
        MobilityImport.objects.filter(project=project)
        .select_related("uploaded_by", "applied_by")
        .defer("rows", "errors")[:RECENT]
    )


def upload_apply(*, project: Project, upload: MobilityImport, by) -> transfer.Result:
    """Import the upload as previewed, all or nothing.

    Raises ``transfer.ImportErrors`` when the file has errors (then or now) and ``PreviewChanged`` when the
    import would now do something else than its preview; in both cases nothing is saved and the upload keeps
    the new preview. ``AlreadyApplied`` when it was imported before (nothing happens), ``UploadClosed`` when
    it was discarded or has expired.
    """
    with transaction.atomic():
        # One writer per project: a second confirmation waits here, then finds the upload applied.
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("application__organisation")
            .get(pk=project.pk)
        )
        upload = MobilityImport.objects.select_for_update().get(pk=upload.pk, project=project)
        if upload.status == ImportStatus.APPLIED:
            raise AlreadyApplied
        if upload.status != ImportStatus.PREVIEWED or upload.purged:
            raise UploadClosed
        previewed = (upload.rows, upload.errors)
        try:
            with transaction.atomic():
                result = _run(upload, project, by=by, dry_run=False)
                _keep_outcome(upload, result)
                if result.errors or (upload.rows, upload.errors) != previewed:
                    raise _Rollback  # the mobilities go; the new preview, saved below, stays
        except _Rollback:
            pass
        else:
            upload.status, upload.applied_at, upload.applied_by = ImportStatus.APPLIED, timezone.now(), by
        upload.save()
    if result.errors:
        raise transfer.ImportErrors(result.errors)
    if upload.status != ImportStatus.APPLIED:
        raise PreviewChanged
    return result


def upload_discard(*, project: Project, upload: MobilityImport) -> bool:
    """Discard a previewed upload: its file and preview are deleted. False when it was no longer open."""
    with transaction.atomic():
        upload = MobilityImport.objects.select_for_update().get(pk=upload.pk, project=project)
        if upload.status != ImportStatus.PREVIEWED:
            return False
        _purge(MobilityImport.objects.filter(pk=upload.pk), status=ImportStatus.DISCARDED)
    return True


# --- Deleting files: retention and erasure -------------------------------------------------------------------------


def _purge(uploads, *, status: str | None = None) -> int:
    """Delete the files and row-level previews of ``uploads`` (a queryset) once the transaction commits; a
    previewed upload among them becomes ``status`` (``expired`` unless given). The number of uploads purged."""
    now = timezone.now()
    uploads = uploads.filter(purged_at=None)
    names = [name for name in uploads.values_list("file", flat=True) if name]
    cleared = {"file": "", "rows": [], "errors": [], "purged_at": now}
    # Previewed ones first: the second update no longer sees them (their purged_at is set).
    count = uploads.filter(status=ImportStatus.PREVIEWED).update(status=status or ImportStatus.EXPIRED, **cleared)
    count += uploads.update(**cleared)
    storage = MobilityImport._meta.get_field("file").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return count


@transaction.atomic
def uploads_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of uploads older than ``IMPORT_RETENTION_DAYS`` (the daily beat task); how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    return _purge(MobilityImport.objects.filter(uploaded_at__lt=cutoff))


def participant_uploads_erase(*, participant) -> list[str]:
    """``participant_erased``'s part here: the uploads of the person's organisation still holding files are
    deleted, since any of them may name the person (a preview then expires and must be uploaded again)."""
    if _purge(MobilityImport.objects.filter(project__application__organisation_id=participant.organisation_id)):
        return ["import_files"]
    return []


# --- The template ---------------------------------------------------------------------------------------------------


def template_csv() -> bytes:
    """An empty import file: the header of column set version 1 (CSV UTF-8 with a byte-order mark, as exported)."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(TEMPLATE_COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The same header as the first row of an XLSX workbook."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"mobilities v{transfer.VERSION}"
    sheet.append(list(TEMPLATE_COLUMNS))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
