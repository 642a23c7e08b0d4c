"""Import and export of a project's participants and mobilities as CSV or XLSX (docs/mobility-columns.md).

Version 1 of the column set is the Beneficiary Module's fields as in ``mobility_import_example.csv``
(``COLUMNS_V1``, in any order), plus three optional columns for the virtual component
(``OPTIONAL_COLUMNS_V1``). An export writes them in that order, then the computed columns
(``COMPUTED_COLUMNS``), then the columns the apps above mobility register (``extra_columns_register``, e.g.
the participant report's state; ``export_columns()`` is the whole set); an import ignores both.

1. ``parse_mobility_file`` reads the file (with the reserve-list import's reading helpers) and checks
   every cell, and the rows against the database: each problem is a ``RowError(row, column, message)``
   with the spreadsheet's row number (header = 1).
2. ``import_mobilities`` writes the rows in one transaction; any error rolls everything back. A dry run
   rolls back at the end and says what the import would do. Broken eligibility rules are not errors:
   such mobilities stay in draft and the rules are reported per row. Each row gets what
   ``mobility_create`` would give it, through the same checking and pricing functions
   (``mobilities.check_relations``, ``rule_violations``, ``price``), with the reads and writes gathered.

By role: ``columns`` (the column set, a row, the result), ``reading`` (parsing and checking a file),
``importing`` (the transaction), ``bulk`` (each row checked and priced in memory) and ``writing`` (the
bulk writes), ``exporting`` (CSV and XLSX), ``extra_columns`` (the apps above add export columns). Every
public name is importable from here.

This package's own messages are English only for now: the Polish catalogue (locale/) does not hold them
yet. The services' messages it passes on are translated as usual.
"""

from apps.core.tabular import RowError
from apps.mobility.transfer.columns import (
    COLUMNS_V1,
    COMPUTED_COLUMNS,
    EXPORT_COLUMNS,
    FIELD_COLUMNS,
    INCLUSION,
    MAX_DAYS,
    OPTIONAL_COLUMNS_V1,
    PERSON_COLUMNS,
    PROVISIONAL_OID_PREFIX,
    QUERY_CHUNK,
    REQUIRED,
    VERSION,
    MobilityRow,
    Parsed,
    Result,
    RowOutcome,
)
from apps.mobility.transfer.exporting import (
    FORMULA_STARTS,
    export_queryset,
    export_rows,
    log_special_category_export,
    project_export_queryset,
    write_csv,
    write_xlsx,
)
from apps.mobility.transfer.extra_columns import export_columns, extra_columns_register
from apps.mobility.transfer.importing import import_file, import_mobilities
from apps.mobility.transfer.reading import parse_mobility_file
from apps.reserve_list.imports.records import ImportErrors, format_error

__all__ = [
    "COLUMNS_V1",
    "COMPUTED_COLUMNS",
    "EXPORT_COLUMNS",
    "FIELD_COLUMNS",
    "FORMULA_STARTS",
    "INCLUSION",
    "MAX_DAYS",
    "OPTIONAL_COLUMNS_V1",
    "PERSON_COLUMNS",
    "PROVISIONAL_OID_PREFIX",
    "QUERY_CHUNK",
    "REQUIRED",
    "VERSION",
    "ImportErrors",
    "MobilityRow",
    "Parsed",
    "Result",
    "RowError",
    "RowOutcome",
    "export_columns",
    "export_queryset",
    "project_export_queryset",
    "export_rows",
    "extra_columns_register",
    "format_error",
    "import_file",
    "import_mobilities",
    "log_special_category_export",
    "parse_mobility_file",
    "write_csv",
    "write_xlsx",
]
