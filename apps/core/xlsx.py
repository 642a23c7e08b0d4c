"""Reading the first sheet of an XLSX without openpyxl's cell objects, with openpyxl's rules for each value.

``tabular.read_xlsx`` calls ``read_xlsx_fast`` and hands any file it raises on to openpyxl. The package's
small parts go through the XML parser; the sheet's rows through ``_scan_sheet`` when they have the form every
common writer gives them, else through the XML parser (``_parse_sheet``).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apps.core.tabular import Table

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMNS: dict[str, int] = {}


class _Unexpected(ValueError):
    pass


def _column(reference: str) -> tuple[int, int]:
    """(row, column) of a reference such as ``AB12``."""
    letters = reference.rstrip("0123456789")
    return int(reference[len(letters) :]), _letters_column(letters)


def _letters_column(letters: str) -> int:
    column = _COLUMNS.get(letters)
    if column is None:
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        _COLUMNS[letters] = column
    return column


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


def read_xlsx_fast(data: bytes) -> Table:
    """The first sheet's rows as openpyxl reads them (``tabular.read_xlsx``); any exception: openpyxl's turn."""
    import zipfile
    from posixpath import join, normpath
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

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

    value = _cell_values(strings, dates, durations, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    sheet = part(path)
    try:
        return _scan_sheet(sheet, value)
    except _Unexpected:
        return _parse_sheet(sheet, value)


def _cell_values(strings: list[str], dates: set[int], durations: set[int], epoch):
    """``value(type, text, style)``: a cell's value from its stored text, by openpyxl's rules (inline strings
    are text already and do not come here)."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    moments: dict[tuple[str, str | None], Any] = {}  # a sheet repeats its dates: each converted once

    def value(kind: str, text: str | None, style: str | None):
        if not text:
            return None
        if kind == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            style_index = int(style or 0)
            if style_index not in dates:
                return number
            moment = moments.get((text, style))
            if moment is None:
                moment = moments[text, style] = from_excel(number, epoch, timedelta=style_index in durations)
            return moment
        if kind == "s":
            return strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        if kind in ("str", "e"):
            return text
        raise _Unexpected(kind)

    return value


def _parse_sheet(sheet: bytes, value) -> Table:
    """The sheet's rows through an XML parser: any well-formed sheet."""
    from xml.etree.ElementTree import iterparse

    table: Table = []
    cell_tag, row_tag, value_tag, inline_tag = f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}v", f"{_MAIN}is"
    seen_sheet = False
    for _event, node in iterparse(io.BytesIO(sheet)):  # noqa: S314 (no document type: checked by part())
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
            column = _column(reference)[1] if reference else counter + 1
            counter = column
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                child = cell.find(inline_tag)
                cell_value = _text_of(child) if child is not None else None
            else:
                cell_value = value(kind, cell.findtext(value_tag), cell.get("s"))
            if column > len(cells):
                cells.extend([None] * (column - len(cells)))
            cells[column - 1] = cell_value
        table.append(cells)
        node.clear()
    if not seen_sheet:
        raise _Unexpected("no sheetData")
    return table


# The sheet as Excel, LibreOffice, Google Sheets and openpyxl write it: rows, and cells with their reference,
# style and type attributes in that order, holding an optional formula and a value or a plain inline string.
# ``_scan_sheet`` reads that form with one regular expression (about four times faster than the XML parser);
# anything else in the sheet, even one cell, hands the whole sheet to ``_parse_sheet``.
_SHEET_DATA = re.compile(r"<sheetData\b[^>]*?(/?)>")
_TOKEN = re.compile(
    r"\s*(?:"
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?:\s*/>|>'
    r"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?"
    r'(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
    r"|<row\b([^>]*?)\s*(/?)>"
    r"|(</row>))"
)
_ROW_ATTRIBUTES = re.compile(r'(?:\s+[\w:.-]+="[^"]*")*')
_ROW_NUMBER = re.compile(r'\sr="([^"]*)"')
_PREFIXES = re.compile(r"\s([\w.-]+):")
# The control characters XML does not allow (the parser refuses a file with one) become NUL, to be found at once.
_FORBIDDEN = bytes(0 if byte < 32 and byte not in b"\t\n\r" else byte for byte in range(256))
_ENTITIES = re.compile(r"&(amp|lt|gt|quot|apos);")
_ENTITY_TEXT = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescaped(text: str) -> str:
    """The text with XML's five named entities replaced; a character reference is left to the XML parser."""
    replaced, count = _ENTITIES.subn(lambda match: _ENTITY_TEXT[match[1]], text)
    if count != text.count("&"):
        raise _Unexpected("character reference")
    return replaced


def _scan_sheet(sheet: bytes, value) -> Table:
    """The sheet's rows when its rows have only the common form (``_TOKEN``), else ``_Unexpected``."""
    from xml.etree.ElementTree import fromstring

    try:
        text = sheet.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unexpected("not UTF-8") from None
    declaration = re.match(r'\s*<\?xml[^>]*?encoding=["\']([\w-]+)', text)
    if declaration and declaration[1].lower() not in ("utf-8", "utf8"):
        raise _Unexpected("encoding")
    opening = _SHEET_DATA.search(text)
    if opening is None:
        raise _Unexpected("no sheetData")
    end = opening.end() if opening[1] else text.find("</sheetData>", opening.end())
    if end < 0:
        raise _Unexpected("no end of sheetData")
    # The rest of the sheet goes through the XML parser: well-formed, and sheetData in the right namespace.
    outside = fromstring(text[: opening.end()] + text[end:])  # noqa: S314 (no document type: checked by part())
    if outside.find(f".//{_MAIN}sheetData") is None:
        raise _Unexpected("no sheetData in the spreadsheet namespace")
    rows = text[opening.end() : end]
    # Comments, CDATA and processing instructions are not scanned; nor a carriage return, which the parser
    # would turn into a line feed.
    if "<!" in rows or "<?" in rows or "\r" in rows or "\ufffe" in rows or "\uffff" in rows:
        raise _Unexpected("markup or characters the scan does not read")
    if b"\0" in sheet.translate(_FORBIDDEN):
        raise _Unexpected("a character XML does not allow")
    declared = {"xml", *re.findall(r"xmlns:([\w.-]+)=", text[: opening.start()])}  # Excel's rows carry x14ac:
    table: Table = []
    cells: list | None = None
    columns = _COLUMNS
    position = 0
    for match in _TOKEN.finditer(rows):
        if match.start() != position:
            raise _Unexpected("unexpected markup")
        position = match.end()
        letters, style, kind, stored, inline, row, empty_row, row_end = match.groups()
        if letters is not None:
            if cells is None:
                raise _Unexpected("a cell outside a row")
            if kind == "inlineStr":
                cell_value = inline if inline is None or "&" not in inline else _unescaped(inline)
            else:
                cell_value = value(
                    kind or "n", stored if not stored or "&" not in stored else _unescaped(stored), style
                )
            column = columns.get(letters) or _letters_column(letters)
            count = len(cells)
            if column == count + 1:
                cells.append(cell_value)
            elif column > count:
                cells.extend([None] * (column - count - 1))
                cells.append(cell_value)
            else:
                cells[column - 1] = cell_value
        elif row is not None:
            if cells is not None or "xmlns" in row or not _ROW_ATTRIBUTES.fullmatch(row):
                raise _Unexpected("row")
            if ":" in row and not declared.issuperset(_PREFIXES.findall(row)):
                raise _Unexpected("a prefix the sheet does not declare")
            number = _ROW_NUMBER.search(row)
            number = int(number[1] or len(table) + 1) if number else len(table) + 1
            while len(table) < number - 1:
                table.append([])  # rows the file leaves out
            if empty_row:
                table.append([])
            else:
                cells = []
        else:
            if cells is None:
                raise _Unexpected(row_end)
            table.append(cells)
            cells = None
    if cells is not None or rows[position:].strip():
        raise _Unexpected("unexpected markup")
    return table
