"""A streaming XLSX (SpreadsheetML, ECMA-376) writer: rows in, compressed chunks out, at constant memory.

openpyxl's write-only mode still keeps a shared-strings table in memory and writes the file to disk
first; an export of a million rows must do neither. This writer deflates each sheet into a
``zipfile.ZipFile`` opened on a non-seekable sink (zipfile then writes data descriptors after each
entry instead of seeking back to patch sizes), and hands out whatever compressed bytes the sink holds
after each batch of rows. Strings are inline (``t="inlineStr"``), so nothing grows with the rows but
the output itself.

Cells are never formulas (there is no ``<f>`` element anywhere), so formula injection is impossible;
text cells are still neutralised as in the CSV export (``accord.core.export.cell``) so that a value
copied back into a CSV stays safe.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

# Excel's own limits: rows per sheet (the header included) and characters per cell.
MAX_ROWS = 1_048_576
MAX_CELL_CHARACTERS = 32_767
# Integers beyond this lose digits in a spreadsheet's double: they are written as text.
_EXACT_INTEGER = 2**53
# Characters XML 1.0 forbids (and lone surrogates, which UTF-8 cannot encode): left out of text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Serial numbers before 1 March 1900 are off by one (Excel's 1900 leap-year bug): such dates are text.
_FIRST_SERIAL_DATE = dt.datetime(1900, 3, 1)
_FLUSH_CHARACTERS = 256 * 1024

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style indexes into cellXfs below.
_BOLD, _DATE, _DATETIME = 1, 2, 3
_STYLES = f"""{_XML_DECLARATION}<styleSheet xmlns="{_MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_ROOT_RELS = (
    f'{_XML_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


class _Sink:
    """A write-only, non-seekable file: zipfile streams into it, the response drains it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def column_letter(index: int) -> str:
    """A (0-based) column index as the spreadsheet names it: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    value = _NOT_XML.sub("", value)[:MAX_CELL_CHARACTERS]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


def _serial(moment: dt.datetime) -> float:
    return (moment - _EXCEL_EPOCH) / dt.timedelta(days=1)


def _cell_xml(reference: str, value: Any, text: Callable[[Any], str]) -> str:
    """One ``<c>`` element: numbers, booleans and dates typed, anything else as ``text(value)``."""
    if value is None or value == "":
        return ""
    if type(value) is str:  # most cells: checked first
        return f'<c r="{reference}" t="inlineStr">{_text(text(value))}</c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) and abs(value) < _EXACT_INTEGER:
        return f'<c r="{reference}"><v>{value}</v></c>'
    if (isinstance(value, float) and math.isfinite(value)) or (
        isinstance(value, Decimal) and value.is_finite()
    ):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if isinstance(value, dt.datetime | dt.date):
        style = _DATETIME if isinstance(value, dt.datetime) else _DATE
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        if moment.tzinfo is not None:
            # Spreadsheets have no time zones: the wall-clock time of the site's zone, as the lists show.
            moment = timezone.localtime(moment).replace(tzinfo=None)
        if moment >= _FIRST_SERIAL_DATE:
            return f'<c r="{reference}" s="{style}"><v>{_serial(moment)!r}</v></c>'
    return f'<c r="{reference}" t="inlineStr">{_text(text(value))}</c>'


class _Workbook:
    """The parts of the package besides the sheets, written once the number of sheets is known."""

    def __init__(self, sheet_names: list[str]) -> None:
        self.sheet_names = sheet_names

    def content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for number in range(1, len(self.sheet_names) + 1)
        )
        return (
            f'{_XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets}</Types>"
        )

    def workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{number}" r:id="rId{number}"/>'
            for number, name in enumerate(self.sheet_names, start=1)
        )
        return (
            f'{_XML_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            f"<sheets>{sheets}</sheets></workbook>"
        )

    def relationships(self) -> str:
        count = len(self.sheet_names)
        sheets = "".join(
            f'<Relationship Id="rId{number}" Type="{_RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, count + 1)
        )
        return (
            f'{_XML_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )


def sheet_name(name: str, number: int = 1) -> str:
    """A valid sheet name (at most 31 characters, none of ``[]:*?/\\``), numbered after the first."""
    base = re.sub(r"[\[\]:*?/\\]", " ", _NOT_XML.sub("", name)).strip("' ") or "Sheet"
    suffix = f" ({number})" if number > 1 else ""
    return base[: 31 - len(suffix)] + suffix


def xlsx_chunks(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    name: str = "Sheet",
    text: Callable[[Any], str] = str,
    rows_per_sheet: int = MAX_ROWS - 1,
) -> Iterator[bytes]:
    """The bytes of an .xlsx file of ``rows`` under a bold, frozen ``headers`` row, in chunks.

    ``text`` turns a value that is not a number, a boolean or a date into the cell's text. Past
    ``rows_per_sheet`` rows (Excel's limit by default) the rows go on in a new sheet with the same header.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    letters = [column_letter(index) for index in range(len(headers))]
    width = f'<cols><col min="1" max="{max(1, len(headers))}" width="20" customWidth="1"/></cols>'
    header_cells = "".join(
        f'<c r="{letter}1" s="{_BOLD}" t="inlineStr">{_text(header)}</c>'
        for letter, header in zip(letters, headers, strict=True)
    )
    sheet_start = (
        f'{_XML_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheetViews>'
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{width}<sheetData><row r="1">{header_cells}</row>'
    )
    sheet_end = "</sheetData></worksheet>"
    archive.writestr("_rels/.rels", _ROOT_RELS)
    archive.writestr("xl/styles.xml", _STYLES)
    names = [sheet_name(name)]
    sheet = archive.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True)
    pending: list[str] = [sheet_start]
    size, number = 0, 1  # number: the spreadsheet's row number of the last row written
    for row in rows:
        if number > rows_per_sheet:
            sheet.write(("".join(pending) + sheet_end).encode())
            sheet.close()
            names.append(sheet_name(name, len(names) + 1))
            sheet = archive.open(f"xl/worksheets/sheet{len(names)}.xml", mode="w", force_zip64=True)
            pending, size, number = [sheet_start], 0, 1
        number += 1
        cells = "".join(
            _cell_xml(f"{letter}{number}", value, text) for letter, value in zip(letters, row, strict=True)
        )
        line = f'<row r="{number}">{cells}</row>'
        pending.append(line)
        size += len(line)
        if size >= _FLUSH_CHARACTERS:
            sheet.write("".join(pending).encode())
            pending, size = [], 0
            yield sink.drain()
    sheet.write(("".join(pending) + sheet_end).encode())
    sheet.close()
    workbook = _Workbook(names)
    archive.writestr("xl/workbook.xml", workbook.workbook())
    archive.writestr("xl/_rels/workbook.xml.rels", workbook.relationships())
    archive.writestr("[Content_Types].xml", workbook.content_types())
    archive.close()
    yield sink.drain()
