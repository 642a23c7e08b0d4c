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

    ``_read_xlsx_fast`` reads the sheet's XML directly, with openpyxl's rules for each cell's value (about
    three times faster than openpyxl's read-only mode); anything it does not expect hands the file over
    to openpyxl (``read_xlsx_openpyxl``), which says whether the file can be read at all.
    """
    try:
        return _read_xlsx_fast(data), []
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


# --- Reading XLSX without openpyxl's cell objects ----------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMNS: dict[str, int] = {}


class _Unexpected(ValueError):
    pass


def _column(reference: str) -> tuple[int, int]:
    """(row, column) of a reference such as ``AB12``."""
    letters = reference.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        _COLUMNS[letters] = column
    return int(reference[len(letters) :]), column


def _text_of(node) -> str:
    """A string item's text as openpyxl gives it: its plain text and its runs' text, not the phonetic runs."""
    parts = []
    plain = node.find(f"{_MAIN}t")
    if plain is not None and plain.text:
        parts.append(plain.text)
    for run in node.findall(f"{_MAIN}r"):
        text = run.find(f"{_MAIN}t")
        if text is not None and text.text:
            parts.append(text.text)
    return "".join(parts)


def _read_xlsx_fast(data: bytes) -> Table:
    import zipfile
    from posixpath import join, normpath
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

    archive = zipfile.ZipFile(io.BytesIO(data))

    def part(name: str) -> bytes:
        """A part of the package; one with a document type (entities) is left to openpyxl."""
        content = archive.read(name)
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise _Unexpected(f"{name} declares a document type")
        return content

    workbook = fromstring(part("xl/workbook.xml"))  # noqa: S314 (no document type: no entities to expand)
    if workbook.tag != f"{_MAIN}workbook":
        raise _Unexpected(workbook.tag)
    properties = workbook.find(f"{_MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    targets = {
        rel.get("Id"): rel.get("Target")
        for rel in fromstring(part("xl/_rels/workbook.xml.rels")).iter(f"{_RELS}Relationship")  # noqa: S314
    }
    target = targets[first.get(f"{_DOC_RELS}id")]
    path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))

    strings: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        for _event, node in iterparse(io.BytesIO(part("xl/sharedStrings.xml"))):  # noqa: S314
            if node.tag == f"{_MAIN}si":
                strings.append(_text_of(node).replace("x005F_", ""))
                node.clear()

    dates: set[int] = set()
    durations: set[int] = set()
    if "xl/styles.xml" in archive.namelist():
        styles = fromstring(part("xl/styles.xml"))  # noqa: S314
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{_MAIN}numFmt")}
        cell_xfs = styles.find(f"{_MAIN}cellXfs")
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
            number = int(xf.get("numFmtId", 0))
            code = custom[number] if number in custom else builtin_format_code(number)
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)

    table: Table = []
    cell_tag, row_tag, value_tag, inline_tag = f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}v", f"{_MAIN}is"
    seen_sheet = False
    for _event, node in iterparse(io.BytesIO(part(path))):  # noqa: S314
        tag = node.tag
        if tag == f"{_MAIN}sheetData":
            seen_sheet = True
        if tag != row_tag:
            continue
        number = int(node.get("r") or len(table) + 1)
        while len(table) < number - 1:
            table.append([])  # rows the file leaves out
        cells: list = []
        counter = 0
        for cell in node.iter(cell_tag):
            reference = cell.get("r")
            if reference:
                _row, column = _column(reference)
            else:
                column = counter + 1
            counter = column
            kind = cell.get("t", "n")
            value = None
            if kind == "inlineStr":
                child = cell.find(inline_tag)
                value = _text_of(child) if child is not None else None
            else:
                value = cell.findtext(value_tag) or None
                if value is not None:
                    if kind == "n":
                        value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                        style = int(cell.get("s") or 0)
                        if style in dates:
                            value = from_excel(value, epoch, timedelta=style in durations)
                    elif kind == "s":
                        value = strings[int(value)]
                    elif kind == "b":
                        value = bool(int(value))
                    elif kind == "d":
                        value = from_ISO8601(value)
                    elif kind not in ("str", "e"):
                        raise _Unexpected(kind)
            if column > len(cells):
                cells.extend([None] * (column - len(cells)))
            cells[column - 1] = value
        table.append(cells)
        node.clear()
    if not seen_sheet:
        raise _Unexpected("no sheetData")
    return table


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
