"""Previewing and applying a parsed reserve list, and the web upload flow around them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.organisations.models import OrganisationType
from apps.organisations.services import organisation_create
from apps.reference.models import Region
from apps.reserve_list.imports.reading import (
    _conflicts,
    _existing_applications,
    _existing_organisations,
    parse_reserve_list,
)
from apps.reserve_list.imports.records import (
    CHANGE_REASON_MAX,
    FIELD_COLUMNS,
    QUERY_CHUNK,
    THRESHOLD_REASON,
    UPDATABLE_FIELDS,
    ImportErrors,
    ImportPlan,
    ImportResult,
    ImportRow,
    ParsedImport,
    PlannedApplication,
    PlannedOrganisation,
    RowError,
)
from apps.reserve_list.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Call,
    ImportStatus,
    ReserveListImport,
)

# --- Preview ----------------------------------------------------------------------------


def _row_values(row: ImportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in UPDATABLE_FIELDS}


def _build_plan(parsed: ParsedImport, *, lock: bool = False) -> ImportPlan:
    plan = ImportPlan()
    existing = _existing_applications((r.number for r in parsed.rows), lock=lock)
    organisations = _existing_organisations(r.oid for r in parsed.rows)
    new_oids: set[str] = set()
    for row in parsed.rows:
        organisation = organisations.get(row.oid)
        if organisation is None and row.oid not in new_oids:
            new_oids.add(row.oid)
            plan.new_organisations.append(
                PlannedOrganisation(row.row, row.oid, row.organisation_name, row.organisation_city, row.region_code)
            )
        elif organisation is not None and organisation.legal_name != row.organisation_name:
            plan.warnings.append(
                RowError(
                    row.row,
                    "organisation_name",
                    _("Organisation %(oid)s is in the portal as “%(name)s”; the name in the file is not used.")
                    % {"oid": row.oid, "name": organisation.legal_name},
                )
            )

        application = existing.get(row.number)
        planned = PlannedApplication(row.row, row.number, row.call_year, row.oid, row.passes_threshold, row.status)
        if application is None:
            plan.created.append(planned)
            continue
        conflicts = _conflicts(row.row, row.number, row.call_year, row.oid, application)
        if conflicts:
            plan.errors.extend(conflicts)
            continue
        plan._existing[row.number] = application
        planned.changes = {
            name: (getattr(application, name), new)
            for name, new in _row_values(row).items()
            if getattr(application, name) != new
        }
        planned.status = application.status
        if application.status in (ApplicationStatus.RESERVE, ApplicationStatus.BELOW_THRESHOLD):
            if application.status != row.status:
                planned.status_from, planned.status = application.status, row.status
        elif not row.passes_threshold:
            plan.warnings.append(
                RowError(
                    row.row,
                    "score_total",
                    _(
                        "The scores are below the threshold, but application %(number)s is %(status)s; "
                        "its status stays as it is."
                    )
                    % {"number": row.number, "status": application.get_status_display()},
                )
            )
        (plan.updated if planned.changes or planned.status_changed else plan.unchanged).append(planned)
    return plan


def import_preview(parsed: ParsedImport) -> ImportPlan:
    """What ``import_apply`` would do with the file's valid rows; writes nothing."""
    return _build_plan(parsed)


# --- Apply ------------------------------------------------------------------------------


def _change_reason(source: str) -> str:
    if len(source) <= CHANGE_REASON_MAX:
        return source
    return source[: CHANGE_REASON_MAX - 1] + "…"


def _organisation_errors(row: int, exc: ValidationError) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(row, "oid", message) for message in exc.messages]
    return [
        RowError(row, FIELD_COLUMNS.get(name, "oid"), message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def import_apply(*, parsed: ParsedImport, by=None, source: str) -> ImportResult:
    """Write the file: new organisations and applications, changed applications. All or nothing.

    Raises ``ImportErrors`` (saving nothing) when the file has errors, or when
    creating an organisation fails. ``source`` is kept as the change reason of
    every application version the import writes (name the file in it).
    """
    if parsed.errors:
        raise ImportErrors(parsed.errors)
    reason = _change_reason(source)
    rows = {row.number: row for row in parsed.rows}
    with transaction.atomic():
        # Rounds lock their call before reading the ranking; an import changes the ranking, so it
        # takes the same locks first (in primary-key order) and then locks the applications it reads.
        calls = {
            call.pk: call
            for call in Call.objects.select_for_update()
            .select_related("programme")
            .filter(pk__in={row.call_id for row in parsed.rows})
            .order_by("pk")
        }
        plan = _build_plan(parsed, lock=True)
        if plan.errors:
            raise ImportErrors(plan.errors)

        errors: list[RowError] = []
        by_row = {row.row: row for row in parsed.rows}
        regions = Region.objects.in_bulk({by_row[p.row].region_id for p in plan.new_organisations})
        for planned in plan.new_organisations:
            row = by_row[planned.row]
            try:
                organisation_create(
                    oid=planned.oid,
                    legal_name=planned.name,
                    kind=OrganisationType.OTHER,
                    country=str(calls[row.call_id].programme.sending_country),
                    region=regions[row.region_id],
                    city=planned.city,
                )
            except ValidationError as exc:
                errors.extend(_organisation_errors(planned.row, exc))
        if errors:
            raise ImportErrors(errors)
        organisations = {o.oid: o.pk for o in _existing_organisations(p.oid for p in plan.created).values()}

        from simple_history.utils import bulk_create_with_history

        created = bulk_create_with_history(
            [
                Application(
                    number=planned.number,
                    call_id=rows[planned.number].call_id,
                    organisation_id=organisations[planned.oid],
                    status=planned.status,
                    **_row_values(rows[planned.number]),
                )
                for planned in plan.created
            ],
            Application,
            batch_size=QUERY_CHUNK,
            default_user=by,
            default_change_reason=reason,
        )
        ApplicationStatusChange.objects.bulk_create(
            [ApplicationStatusChange(application=a, to_status=a.status, changed_by=by, reason=reason) for a in created],
            batch_size=QUERY_CHUNK,
        )

        for planned in plan.updated:
            application = plan._existing[planned.number]
            for name, (_old, new) in planned.changes.items():
                setattr(application, name, new)
            fields = list(planned.changes)
            if planned.status_changed:
                # application_set_status refuses reserve <-> below_threshold: that pair is not a workflow
                # step but the threshold rule applied to new scores, so the import records the move itself.
                ApplicationStatusChange.objects.create(
                    application=application,
                    from_status=planned.status_from,
                    to_status=planned.status,
                    changed_by=by,
                    reason=THRESHOLD_REASON,
                )
                application.status = planned.status
                fields.append("status")
            if planned.changes:
                application._change_reason = reason
                if by is not None:  # else simple-history takes the request's user, if any
                    application._history_user = by
                application.save(update_fields=fields)
            else:  # only the status moved: no new version of the data (history excludes the status)
                Application.objects.filter(pk=application.pk).update(status=application.status)
    return ImportResult(plan=plan, source=reason)


def import_file(
    *, path_or_file, filename: str | None = None, by=None, dry_run: bool = False, source: str | None = None
) -> tuple[ParsedImport, ImportPlan | ImportResult]:
    """Parse a file (a path or an open binary file) and preview it (``dry_run``) or apply it.

    Applying a file with errors raises ``ImportErrors``; a dry run returns the
    plan of the valid rows and leaves the errors in ``parsed.errors``.
    """
    if isinstance(path_or_file, str | Path):
        filename = filename or Path(path_or_file).name
        with open(path_or_file, "rb") as fileobj:
            parsed = parse_reserve_list(fileobj, filename)
    else:
        filename = filename or Path(getattr(path_or_file, "name", "") or "").name
        parsed = parse_reserve_list(path_or_file, filename)
    if dry_run:
        return parsed, import_preview(parsed)
    return parsed, import_apply(parsed=parsed, by=by, source=source or f"import: {filename}")


# --- Uploads through the web: store, preview, apply on confirmation -------------------------


def _stored_summary(parsed: ParsedImport, plan: ImportPlan) -> dict:
    return {
        **plan.summary(),
        "valid_rows": len(parsed.rows),
        "errors": [list(e) for e in parsed.errors],
        "warnings": [list(w) for w in plan.warnings],
    }


def import_upload_store(*, fileobj: IO, filename: str, by) -> ReserveListImport:
    """Keep an uploaded file (through the storage API) with the summary of its preview; writes no application."""
    data = fileobj.read()
    parsed = parse_reserve_list(io.BytesIO(data), filename)
    plan = import_preview(parsed)
    record = ReserveListImport(original_name=Path(filename).name[:255], uploaded_by=by)
    record.file.save(Path(filename).name, ContentFile(data), save=False)
    record.summary = _stored_summary(parsed, plan)
    record.save()
    return record


def _parse_stored(record: ReserveListImport) -> ParsedImport:
    with record.file.open("rb") as fileobj:
        return parse_reserve_list(fileobj, record.original_name)


def import_upload_preview(*, record: ReserveListImport) -> tuple[ParsedImport, ImportPlan]:
    """Read the stored file again and say what applying it would do now."""
    parsed = _parse_stored(record)
    return parsed, import_preview(parsed)


def import_upload_apply(*, record: ReserveListImport, by) -> ImportResult:
    """Apply a previewed upload (all or nothing); raises ``ImportErrors`` when the file has errors."""
    with transaction.atomic():
        record = ReserveListImport.objects.select_for_update().get(pk=record.pk)
        parsed = _parse_stored(record)
        result = import_apply(parsed=parsed, by=by, source=f"import: {record.original_name}")
        if record.status != ImportStatus.APPLIED:  # applying twice changes nothing the second time
            record.status, record.applied_at = ImportStatus.APPLIED, timezone.now()
        record.summary = {**_stored_summary(parsed, result.plan), "applied_by": getattr(by, "pk", None)}
        record.save(update_fields=["status", "applied_at", "summary"])
    return result
