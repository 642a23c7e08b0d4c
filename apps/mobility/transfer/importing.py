"""Importing the parsed rows in one transaction (``import_mobilities``), in bulk (``transfer.bulk``)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from apps.mobility.models import Project
from apps.mobility.transfer.columns import (
    Parsed,
    Result,
)
from apps.mobility.transfer.reading import parse_mobility_file
from apps.reserve_list.imports.records import ImportErrors

# --- Importing ----------------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def import_mobilities(*, parsed: Parsed, project: Project, by, dry_run: bool = False) -> Result:
    """Write the parsed rows in one transaction; with any error (or a dry run) nothing is saved.

    Each row is recorded as ``mobility_create`` would record it, in bulk (``transfer.bulk``): a few queries
    whatever the number of rows.
    """
    from apps.mobility.transfer.bulk import write_rows

    result = Result(dry_run=dry_run, errors=list(parsed.errors))
    if result.errors:
        return result
    ordered = sorted(parsed.rows, key=lambda r: (r.accompanying, r.row))  # learners before those accompanying them
    try:
        with transaction.atomic():
            write_rows(rows=ordered, project=project, by=by, result=result, dry_run=dry_run)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if result.errors:
        result.rows = []
        result.errors.sort(key=lambda e: (e.row, e.column))
    result.rows.sort(key=lambda r: r.row)
    return result


def import_file(*, path_or_file, filename: str, project: Project, by, dry_run: bool = False) -> Result:
    """Parse and import in one go (the command); ``ImportErrors`` when the file has errors."""
    if isinstance(path_or_file, str | Path):
        with open(path_or_file, "rb") as fileobj:
            parsed = parse_mobility_file(fileobj, filename, project=project)
    else:
        parsed = parse_mobility_file(path_or_file, filename, project=project)
    result = import_mobilities(parsed=parsed, project=project, by=by, dry_run=dry_run)
    if result.errors:
        raise ImportErrors(result.errors)
    return result
