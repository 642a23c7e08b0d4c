"""Reserve-list import: read a CSV or XLSX file, check it, preview what it changes, apply it.

Three steps, each usable on its own (the web view stores the file and runs them
on upload and on confirmation; the ``import_reserve_list`` command runs them in
one go):

1. ``parse_reserve_list`` reads the file and checks every cell, and the rows
   against the database (calls, regions, applications already imported). Each
   problem is a ``RowError(row, column, message)`` with the spreadsheet's row
   number (header = 1).
2. ``import_preview`` says, without writing, what applying would do.
3. ``import_apply`` writes it in one transaction; with any error nothing is
   saved (DESIGN.md §4, "Bad input").

The database wins over the file for organisations that already exist: their
name, city and region are never changed by an import. Applications never move
between calls or organisations, and an import only moves an application's
status between ``reserve`` and ``below_threshold`` (RULES.md: an application
below the threshold is never on the reserve list).
"""

from apps.reserve_list.imports.applying import (
    import_apply,
    import_file,
    import_preview,
    import_upload_apply,
    import_upload_preview,
    import_upload_store,
)
from apps.reserve_list.imports.reading import (
    parse_reserve_list,
)
from apps.reserve_list.imports.records import (
    CHANGE_REASON_MAX,
    COLUMNS,
    FIELD_COLUMNS,
    MAX_GRANT,
    QUERY_CHUNK,
    SCORE_COLUMNS,
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
    format_error,
)

__all__ = [
    "CHANGE_REASON_MAX",
    "COLUMNS",
    "FIELD_COLUMNS",
    "ImportErrors",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "MAX_GRANT",
    "ParsedImport",
    "PlannedApplication",
    "PlannedOrganisation",
    "QUERY_CHUNK",
    "RowError",
    "SCORE_COLUMNS",
    "THRESHOLD_REASON",
    "UPDATABLE_FIELDS",
    "format_error",
    "import_apply",
    "import_file",
    "import_preview",
    "import_upload_apply",
    "import_upload_preview",
    "import_upload_store",
    "parse_reserve_list",
]
