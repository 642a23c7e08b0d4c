"""A project's import through the web: the upload kept, previewed, and applied on confirmation.

The same three steps as the reserve-list upload (``reserve_list.imports.import_upload_store``, ``..._preview``,
``..._apply``), over ``transfer``'s public functions (the ``import_mobilities`` command uses them too):

1. ``upload_store`` keeps the file through Django's storage API and runs the import as a dry run
   (``transfer.import_mobilities(dry_run=True)``: everything is written, then rolled back), keeping what it
   would do (per row: the participant created or updated, the host matched or created, the rules broken)
   or every error by row and column.
2. The preview page shows what was kept; nothing is saved while any row fails.
3. ``upload_apply`` runs the import on the same stored file, in one transaction, and compares what it did
   with the preview: when the project changed in between (another import, a mobility recorded by hand), it
   rolls everything back, keeps the new preview and raises ``PreviewChanged``, so that confirming applies
   exactly what the user saw.

The mobility app has no upload table: an upload is two files under ``imports/mobility/<project>/<token>/``,
the file as uploaded and ``upload.json`` (who, when, the language, the status and the preview). The token is
random; an upload is found only through its project, which the caller has already loaded for the user.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation

from apps.mobility import transfer
from apps.mobility.models import Project

UPLOAD_ROOT = "imports/mobility"
META = "upload.json"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
PREVIEWED, APPLIED = "previewed", "applied"
# What an import file holds (docs/mobility-columns.md, version 1): the template's header.
TEMPLATE_COLUMNS = transfer.COLUMNS_V1 + transfer.OPTIONAL_COLUMNS_V1


class PreviewChanged(Exception):
    """Applying the upload would not do what its preview said (the project changed): nothing was saved."""


class AlreadyApplied(Exception):
    """The upload is already imported: applying it again would record its mobilities twice."""


@dataclass
class MobilityUpload:
    """An uploaded import file of a project and its preview (what ``upload.json`` holds)."""

    project_id: int
    token: str
    original_name: str
    uploaded_by: int | None
    uploaded_at: str
    language: str
    status: str = PREVIEWED
    rows: list[dict] = field(default_factory=list)  # {"row", "email", "participant", "host", "violations"}
    errors: list[list] = field(default_factory=list)  # [row, column, message]
    summary: dict = field(default_factory=dict)
    applied_at: str | None = None
    applied_by: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def folder(self) -> str:
        return f"{UPLOAD_ROOT}/{self.project_id}/{self.token}"

    @property
    def file_name(self) -> str:
        return f"{self.folder}/upload{Path(self.original_name).suffix.lower()}"

    @property
    def row_errors(self) -> list[transfer.RowError]:
        return [transfer.RowError(*error) for error in self.errors]


# --- Storing and reading uploads ------------------------------------------------------------------------------------


def _save_meta(upload: MobilityUpload) -> None:
    name = f"{upload.folder}/{META}"
    if default_storage.exists(name):  # storages never overwrite: a second save would pick another name
        default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(asdict(upload)).encode()))


def _keep_outcome(upload: MobilityUpload, result: transfer.Result) -> None:
    upload.errors = [list(error) for error in result.errors]
    upload.rows = [] if result.errors else [_outcome(row) for row in result.rows]
    upload.summary = {} if result.errors else result.summary()


def _outcome(row: transfer.RowOutcome) -> dict:
    return {
        "row": row.row,
        "email": row.email,
        "participant": row.participant,
        "host": row.host,
        "violations": list(row.violations),
    }


def _run(upload: MobilityUpload, project: Project, *, by, dry_run: bool) -> transfer.Result:
    """The import of the stored file, in the language of the preview (its messages are compared)."""
    with default_storage.open(upload.file_name, "rb") as fileobj, translation.override(upload.language):
        parsed = transfer.parse_mobility_file(fileobj, upload.original_name, project=project)
        return transfer.import_mobilities(parsed=parsed, project=project, by=by, dry_run=dry_run)


def upload_store(*, project: Project, fileobj: IO, filename: str, by) -> MobilityUpload:
    """Keep an uploaded file with the preview of its import (a dry run: nothing of the project changes)."""
    original = Path(filename).name[:200] or "upload.csv"
    upload = MobilityUpload(
        project_id=project.pk,
        token=secrets.token_urlsafe(24),
        original_name=original,
        uploaded_by=getattr(by, "pk", None),
        uploaded_at=timezone.now().isoformat(),
        language=translation.get_language() or "en",
    )
    default_storage.save(upload.file_name, ContentFile(fileobj.read()))
    _keep_outcome(upload, _run(upload, project, by=by, dry_run=True))
    _save_meta(upload)
    return upload


def upload_get(*, project: Project, token: str) -> MobilityUpload:
    """The project's upload with this token (404 for a malformed or unknown token, or another project's)."""
    if not TOKEN.fullmatch(token or ""):
        raise Http404
    name = f"{UPLOAD_ROOT}/{project.pk}/{token}/{META}"
    if not default_storage.exists(name):
        raise Http404
    with default_storage.open(name, "rb") as meta:
        upload = MobilityUpload(**json.loads(meta.read()))
    if upload.project_id != project.pk or upload.token != token:
        raise Http404
    return upload


def upload_apply(*, project: Project, upload: MobilityUpload, by) -> transfer.Result:
    """Import the upload as previewed, all or nothing.

    Raises ``transfer.ImportErrors`` when the file has errors (then or now) and ``PreviewChanged`` when the
    import would now do something else than its preview; in both cases nothing is saved and the upload keeps
    the new preview. ``AlreadyApplied`` when it was imported before (nothing happens).
    """
    with transaction.atomic():
        # One writer per project: a second confirmation waits here, then finds the mobilities already there.
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("application__organisation")
            .get(pk=project.pk)
        )
        upload = upload_get(project=project, token=upload.token)
        if upload.status == APPLIED:
            raise AlreadyApplied
        previewed = (upload.rows, upload.errors)
        result = _run(upload, project, by=by, dry_run=False)
        _keep_outcome(upload, result)
        if result.errors or (upload.rows, upload.errors) != previewed:
            transaction.set_rollback(True)
        else:
            upload.status, upload.applied_at, upload.applied_by = APPLIED, timezone.now().isoformat(), by.pk
        # The storage is not transactional: upload.json says what happened whether or not the rows were kept.
        _save_meta(upload)
    if result.errors:
        raise transfer.ImportErrors(result.errors)
    if upload.status != APPLIED:
        raise PreviewChanged
    return result


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
