"""Reading tabular files (CSV in UTF-8 or the first sheet of an XLSX) and their cells, for every import.

Ground floor (DESIGN.md §3): no models, no app above. The reserve-list import and the mobility import
read their files with ``read_table`` and their cells with ``is_blank``, ``cell_text`` and ``cell_integer``;
each problem with the file itself is a ``RowError(row, column, message)`` with the spreadsheet's row
number (header = 1) and the column's name ("" for the whole file).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext as _

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
INTEGER = re.compile(r"[+-]?\d+(\.0*)?")


class RowError(NamedTuple):
    """A problem in the file: the spreadsheet's row (header = 1), the column's name ("" for the whole file)."""

    row: int
    column: str
    message: str


Table = list[list[Any]]


def read_table(fileobj: IO, filename: str, *, unsupported: str | None = None) -> tuple[Table | None, list[RowError]]:
    """The file's rows as lists of cell values (CSV: strings; XLSX: as stored), or an error.

    The format follows the file name's extension; ``unsupported`` is the message for any other extension.
    """
    suffix = Path(filename or "").suffix.lower()
    data = fileobj.read()
    if suffix in CSV_SUFFIXES:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return None, [RowError(1, "", _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))]
        data = data.removeprefix("\ufeff")
        try:
            return list(csv.reader(io.StringIO(data, newline=""))), []
        except csv.Error:
            return None, [RowError(1, "", _("The file could not be read as CSV (comma-separated values)."))]
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(data if isinstance(data, bytes) else data.encode())
    return None, [RowError(1, "", unsupported or _("Upload a CSV (.csv) or Excel (.xlsx) file."))]


def read_xlsx(data: bytes) -> tuple[Table | None, list[RowError]]:
    """The first sheet's rows (values as stored, formulas' cached results), or an error.

    ``apps.core.xlsx.read_xlsx_fast`` reads the sheet's XML directly, with openpyxl's rules for each cell's
    value (five to seven times faster than openpyxl's read-only mode); anything it does not expect hands the
    file over to openpyxl (``read_xlsx_openpyxl``), which says whether the file can be read at all.
    """
    from apps.core.xlsx import read_xlsx_fast

    try:
        return read_xlsx_fast(data), []
    except Exception:  # noqa: BLE001 (any surprise: openpyxl reads it, or reports it)
        return read_xlsx_openpyxl(data)


def read_xlsx_openpyxl(data: bytes) -> tuple[Table | None, list[RowError]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None, [RowError(1, "", _("The file could not be read as an Excel (.xlsx) workbook."))]
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong sheet dimensions; read every row there is
        return [list(row) for row in sheet.iter_rows(values_only=True)], []
    finally:
        workbook.close()


def is_blank(value: Any) -> bool:
    """An empty cell: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """The cell as stripped text; a whole float (Excel's numbers) without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Our CSV exports write a formula-like text cell as '=...: read it back as written.
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def cell_integer(value: Any) -> int | None:
    """The cell as a whole number (``12``, ``12.0``, ``"12"``, ``"12.00"``), None otherwise (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else None
    text = cell_text(value)
    return int(Decimal(text)) if INTEGER.fullmatch(text) else None


__all__ = ["INTEGER", "RowError", "Table", "cell_integer", "cell_text", "is_blank", "read_table", "read_xlsx"]
