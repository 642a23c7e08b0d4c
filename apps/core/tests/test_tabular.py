"""apps.core.tabular: CSV and XLSX reading shared by the imports; the fast XLSX reader gives openpyxl's values."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from apps.core.tabular import (
    RowError,
    cell_integer,
    cell_text,
    is_blank,
    read_table,
    read_xlsx,
    read_xlsx_openpyxl,
)
from apps.core.xlsx import _cell_values, _parse_sheet, _scan_sheet, _Unexpected
from apps.core.xlsx import read_xlsx_fast as _read_xlsx_fast

pytestmark = pytest.mark.django_db  # apps/conftest.py's autouse fixtures read the reference data

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _package(sheet: str, *, shared: str = "", date1904: bool = False, doctype: str = "", namespaces: str = "") -> bytes:
    """An XLSX as Excel writes it (shared strings, styles with a custom date format), by hand."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<workbookPr date1904="{1 if date1904 else 0}"/>'
            '<sheets><sheet name="Mobilities" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
            '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="2"/></cellXfs>'
            "</styleSheet>"
        ),
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"{namespaces}>'
            f'<dimension ref="A1:F9"/><sheetData>{sheet}</sheetData></worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


SHARED = (
    "<si><t>participant_email</t></si>"
    '<si><t xml:space="preserve"> Zofia </t></si>'
    '<si><r><t>Wi</t></r><r><rPr><b/></rPr><t>śniewska</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>'
    "<si><t>a_x005F_x000D_b</t></si>"
)
SHEET = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>45537</v></c><c r="C2" s="2"><v>45537.5</v></c>'
    '<c r="D2" s="3"><v>12.5</v></c><c r="E2"><v>7</v></c><c r="F2" t="b"><v>1</v></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>inline</t></is></c><c r="B4" t="str"><f>A1</f><v>cached</v></c>'
    '<c r="C4" t="e"><v>#N/A</v></c><c r="D4"><v></v></c><c r="E4" t="d"><v>2024-09-02T00:00:00</v></c>'
    '<c r="F4" t="s"><v>3</v></c></row>'
    '<row r="5"/>'
    '<row><c><v>1E3</v></c><c t="s"><v>1</v></c></row>'
)


def _trimmed(table):
    rows = [tuple(row[: max([i + 1 for i, v in enumerate(row) if v is not None] or [0])]) for row in table]
    while rows and rows[-1] == ():
        rows.pop()
    return rows


@pytest.mark.parametrize("date1904", [False, True])
def test_the_fast_reader_gives_what_openpyxl_gives(date1904):
    data = _package(SHEET, shared=SHARED, date1904=date1904)
    fast = _read_xlsx_fast(data)
    slow, errors = read_xlsx_openpyxl(data)
    assert errors == []
    assert _trimmed(fast) == _trimmed(slow)
    assert fast[1][0] == "Wiśniewska" and fast[0][2] == " Zofia "
    assert isinstance(fast[1][1], datetime.datetime) and fast[1][3] == 12.5 and fast[1][4] == 7
    assert fast[2] == []  # the row the file leaves out is an empty row: row numbers stay right


def test_openpyxl_written_files_read_the_same(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["participant_email", "start_date", "travel_days", "green_travel", "note"])
    sheet.append(["anna@example.org", datetime.date(2024, 9, 2), 2, False, "=cmd"])
    sheet.append([])
    sheet.append([None, datetime.datetime(2024, 9, 2, 10, 30), 2.5, True, "  spaced  "])
    out = io.BytesIO()
    workbook.save(out)
    fast = _read_xlsx_fast(out.getvalue())
    assert _trimmed(fast) == _trimmed(read_xlsx_openpyxl(out.getvalue())[0])


def test_a_document_type_goes_to_openpyxl():
    data = _package(SHEET, shared=SHARED, doctype='<!DOCTYPE workbook [<!ENTITY a "b">]>')
    with pytest.raises(ValueError, match="document type"):
        _read_xlsx_fast(data)
    table, errors = read_xlsx(data)  # openpyxl then reads it, or says it cannot
    assert table is not None or errors


def test_not_a_workbook_is_one_error():
    table, errors = read_table(io.BytesIO(b"not a zip"), "list.xlsx")
    assert table is None
    assert errors == [RowError(1, "", "The file could not be read as an Excel (.xlsx) workbook.")]


def test_csv_and_unknown_extensions():
    table, errors = read_table(io.BytesIO("\ufeffa,b\r\n1,\r\n".encode()), "x.csv")
    assert (table, errors) == ([["a", "b"], ["1", ""]], [])
    _table, errors = read_table(io.BytesIO(b"\xff\xfe"), "x.csv")
    assert errors[0].message.startswith("The file is not UTF-8 text")
    _table, errors = read_table(io.BytesIO(b""), "x.txt", unsupported="Upload a list.")
    assert errors == [RowError(1, "", "Upload a list.")]


@pytest.mark.parametrize(
    ("value", "blank", "text", "integer"),
    [
        (None, True, "", None),
        ("  ", True, "", None),
        (" 12 ", False, "12", 12),
        (12.0, False, "12", 12),
        (12.5, False, "12.5", None),
        ("12.00", False, "12.00", 12),
        (True, False, "True", None),
        ("'=SUM(A1)", False, "=SUM(A1)", None),
        ("'plain", False, "'plain", None),
    ],
)
def test_cells(value, blank, text, integer):
    assert (is_blank(value), cell_text(value), cell_integer(value)) == (blank, text, integer)


# Rows as the scan reads them (the test sheet's last row, cells without a reference, goes to the parser).
SCANNED = SHEET.removesuffix('<row><c><v>1E3</v></c><c t="s"><v>1</v></c></row>')


@pytest.mark.parametrize(
    ("rows", "scanned"),
    [
        (SCANNED, True),
        (
            SCANNED
            + '<row r="7" spans="1:3" x14ac:dyDescent="0.25"><c r="B7" t="inlineStr"><is><t>x</t></is></c></row>',
            True,
        ),
        (SCANNED.replace("<row ", "\n  <row ").replace("</row>", "</row>\n"), True),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>A &amp; B &lt;&gt; &quot;C&apos;</t></is></c></row>', True),
        (
            '<row r="1"><c r="A1" t="str"><f>A2&amp;"x"</f><v>1 &amp; 2</v></c>'
            '<c r="B1"><f t="shared" si="0"/><v>3</v></c></row>',
            True,
        ),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c><c r="C1"></c></row>', True),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>&#233;t&#xE9;</t></is></c></row>', False),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>two\r\nlines</t></is></c></row>', False),
        ('<row r="1"><!-- note --><c r="A1"><v>1</v></c></row>', False),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row>', False),
        ('<row r="1"><c t="s" r="A1"><v>0</v></c><c r=\'B1\'><v>2</v></c></row>', False),
        ('<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>', False),
        ('<row r="1">\n  <c r="A1">\n    <v>1</v>\n  </c>\n</row>', False),
        ('<row r="1"><c r="A1" cm="1"><v>1</v></c></row>', False),
        ("<row r='2'><c r=\"A2\"><v>1</v></c></row>", False),
    ],
)
def test_the_scan_reads_only_what_it_knows_and_gives_what_the_parser_gives(rows, scanned):
    data = _package(
        rows, shared=SHARED, namespaces=' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    )
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    strings = ["participant_email", " Zofia ", "Wiśniewska", "a_x000D_b"]
    value = _cell_values(strings, {1, 2}, set(), CALENDAR_WINDOWS_1900)
    parsed = _parse_sheet(sheet, value)
    if scanned:
        assert _scan_sheet(sheet, value) == parsed
    else:
        with pytest.raises(_Unexpected):
            _scan_sheet(sheet, value)
    assert _read_xlsx_fast(data) == parsed
    assert _trimmed(parsed) == _trimmed(read_xlsx_openpyxl(data)[0])


@pytest.mark.parametrize(
    "sheet",
    [
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData/></worksheet>',
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData></sheetData></worksheet>',
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="other"><sheetData></sheetData></worksheet>',
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData><row r="1"></row></sheetData>',
        '<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>\x01</t></is></c></row>'
        "</sheetData></worksheet>",
        '<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>1</v></c></sheetData></worksheet>',
        '<worksheet xmlns="{main}"><sheetData><c r="A1"><v>1</v></c></sheetData></worksheet>',
        '<worksheet xmlns="{main}"><sheetData><row r="x"></row></sheetData></worksheet>',
        '<worksheet xmlns="{main}"><sheetData><row r="1" x14ac:dyDescent="0.25"></row></sheetData></worksheet>',
    ],
)
def test_the_scan_and_the_parser_agree_on_a_whole_sheet(sheet):
    sheet = sheet.replace("{main}", MAIN).encode()
    value = _cell_values([], set(), set(), None)

    def outcome(read):
        try:
            return read(sheet, value)
        except _Unexpected:
            return "unexpected"
        except Exception as error:  # noqa: BLE001 (the XML parser's and int()'s errors alike)
            return "error", type(error) is not _Unexpected

    scan, parse = outcome(_scan_sheet), outcome(_parse_sheet)
    assert scan in (parse, "unexpected"), (scan, parse)
