"""open_table on real files: encodings, delimiters, quoting, headers, XLSX, and files that are not tables."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from accord.imports.readers import ImportFileError, open_table
from accord.imports.rows import Table

TEXT = "Name;Stadt;Notiz\nMüller;Köln;Grüße\nJosé;Zürich;Straße €5\n"


def _open(path: Path, **kwargs: object) -> Table:
    with path.open("rb") as file:
        table = open_table(file, **kwargs)  # type: ignore[arg-type]
        table.rows = iter(list(table.rows))  # read while the file is open
        return table


def _write(tmp_path: Path, content: bytes, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8 (with BOM)"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its zero bytes
        (TEXT.encode("cp1252"), "windows-1252"),  # Excel's "CSV" on Windows, with a euro sign
        (TEXT.replace("€", "").encode("latin-1"), "windows-1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "windows-1252", "latin-1"],
)
def test_each_encoding_reads_the_same_text(tmp_path: Path, content: bytes, encoding: str) -> None:
    # Given the same table saved in an encoding
    path = _write(tmp_path, content)

    # When opened
    table = _open(path)

    # Then the encoding is detected and the text is exact
    assert table.encoding == encoding
    assert table.headers == ["Name", "Stadt", "Notiz"]
    rows = list(table.rows)
    assert rows[0] == (2, ["Müller", "Köln", "Grüße"])
    assert rows[1][1][:2] == ["José", "Zürich"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected_even_when_others_appear_in_cells(tmp_path: Path, delimiter: str) -> None:
    # Given cells holding the other delimiters (addresses with commas, a decimal comma, a pipe)
    others = "".join(candidate for candidate in ",;|" if candidate != delimiter)
    lines = [
        ["Name", "Address", "Amount"],
        ["Anna", f"Street 1{others[0]} Berlin", "1,5" if delimiter != "," else "1.5"],
        ["Ben", f"Road 2{others[1]} Paris", "2"],
    ]
    content = "\n".join(
        delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in line) for line in lines
    )
    path = _write(tmp_path, content.encode())

    # When opened
    table = _open(path)

    # Then the delimiter is the right one and every row has three cells
    assert table.delimiter == delimiter
    assert table.headers == ["Name", "Address", "Amount"]
    assert [cells for _, cells in table.rows] == [line for line in lines[1:]]


def test_quoted_line_breaks_stay_in_their_cell_and_rows_are_numbered_as_a_spreadsheet_shows(
    tmp_path: Path,
) -> None:
    # Given a blank line before the header, a cell with line breaks, a blank and a whitespace-only row
    content = b'\r\nName,Notes\r\n"Anna","first line\r\nsecond ""quoted"" line"\r\n\r\n , \r\nBen,x\r\n'
    path = _write(tmp_path, content)

    # When opened
    table = _open(path)

    # Then the header is row 2, the multi-line cell is one cell of row 3, and Ben is on row 6
    assert table.headers == ["Name", "Notes"]
    assert list(table.rows) == [
        (3, ["Anna", 'first line\r\nsecond "quoted" line']),
        (6, ["Ben", "x"]),
    ]


def test_duplicate_and_empty_headers_are_made_unique(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Email,Email, ,Name,email,\nA,B,C,D,E,\n")

    table = _open(path)

    assert table.headers == ["Email", "Email (2)", "Column C", "Name", "email (3)"]
    assert list(table.rows) == [(2, ["A", "B", "C", "D", "E"])]


def test_short_rows_are_padded_and_long_rows_kept_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, b"A,B,C\n1\n1,2,3,4\n1,2,3,,\n")

    table = _open(path)

    assert list(table.rows) == [(2, ["1", "", ""]), (3, ["1", "2", "3", "4"]), (4, ["1", "2", "3"])]


def test_rows_are_read_lazily_and_progress_follows_the_bytes_read(tmp_path: Path) -> None:
    # Given a 4 MB file
    line = b"anna@example.com,Anna,Schmidt,Example GmbH\n"
    path = _write(tmp_path, b"Email,First,Last,Company\n" + line * 100_000)

    with path.open("rb") as file:
        table = open_table(file)
        # When the first row is read, then only a fraction of the file has been
        next(table.rows)
        assert 0 < table.fraction_read() < 0.5
        # And when all are read, all of it has
        assert sum(1 for _ in table.rows) == 99_999
        assert table.fraction_read() == 1.0


def test_a_stream_that_cannot_seek_is_read_as_well() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    pipe = io.BufferedReader(Pipe(b"Name,Email\nAnna,anna@example.com\n"))  # type: ignore[type-var]
    table = open_table(pipe)

    assert table.headers == ["Name", "Email"]
    assert list(table.rows) == [(2, ["Anna", "anna@example.com"])]
    assert table.fraction_read() == 0.0  # no size known: no progress to tell


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n  \r\n", "The file is empty."),
        (
            b"anna@example.com,Anna\nben@example.com,Ben\n",
            "The first row must name the columns (for example: First name, Last name, Email), but it holds "
            "data (anna@example.com). Add a header row and upload the file again.",
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "This is a PDF document. Export the data as CSV or Excel (.xlsx) instead.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
            "This is an old Excel (.xls) or Office file. Open it in a spreadsheet program and save it as "
            ".xlsx or CSV.",
        ),
        (
            bytes(range(256)) * 20,
            "This file is not a CSV or Excel (.xlsx) file. Export the data as CSV or .xlsx and upload that.",
        ),
        (
            b"PK\x03\x04" + b"\x00garbage" * 50,
            "This Excel file is damaged or not a real .xlsx workbook. Open it in a spreadsheet program, save "
            "it again as .xlsx (or CSV) and upload that.",
        ),
        (
            b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna\r\nEND:VCARD\r\n",
            "vCard (.vcf) files cannot be imported yet. Export the contacts as CSV and upload that instead.",
        ),
    ],
    ids=["empty", "blank-lines", "no-header", "pdf", "xls", "binary", "corrupt-zip", "vcard"],
)
def test_unreadable_files_raise_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = _write(tmp_path, content)

    with pytest.raises(ImportFileError) as raised:
        _open(path)

    assert raised.value.message == message


def _zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_other_zip_files_are_named(tmp_path: Path) -> None:
    ods = _zip(tmp_path, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})
    with pytest.raises(ImportFileError, match=r"OpenDocument spreadsheets \(.ods\) cannot be imported"):
        _open(ods)
    docx = _zip(tmp_path, {"word/document.xml": b"<w/>"})
    with pytest.raises(ImportFileError, match="This is a Word document"):
        _open(docx)


def test_a_workbook_with_a_damaged_sheet_raises_the_file_error(tmp_path: Path) -> None:
    path = _zip(tmp_path, {"xl/workbook.xml": b"<not really a workbook", "[Content_Types].xml": b"<x/>"})

    with pytest.raises(ImportFileError, match="This Excel file is damaged"):
        _open(path)


def test_a_quote_never_closed_in_a_large_file_is_reported_with_its_row(tmp_path: Path) -> None:
    path = _write(tmp_path, b'Name,Notes\nAnna,ok\nBen,"never closed\n' + b"more text\n" * 20_000)

    with path.open("rb") as file:
        table = open_table(file)
        assert next(table.rows) == (2, ["Anna", "ok"])
        with pytest.raises(ImportFileError, match=r"^Row 3 cannot be read"):
            next(table.rows)


def _workbook(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(["Name", "Phone", "Born", "Met", "Active", "Score", "Serial date", None])
    sheet.append(
        ["Anna", 491511234567.0, dt.date(1990, 12, 31), dt.datetime(2025, 12, 31, 10, 0), True, 12.5, 46022]
    )
    sheet.append([None] * 7)  # a blank row in the middle
    sheet.append(["Ben", 301234567, dt.datetime(1985, 1, 2), None, False, 0.1 + 0.2, 45292.5])
    for row in range(5, 40):  # formatting below the data makes empty rows and cells that are not data
        sheet.cell(row=row, column=1).number_format = "0.00"
    other = workbook.create_sheet("Companies")
    other.append(["Company", "Website"])
    other.append(["Example GmbH", "example.com"])
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    return path


def test_an_xlsx_sheet_reads_as_the_text_a_person_sees(tmp_path: Path) -> None:
    # Given a workbook made by openpyxl, with numbers, dates, booleans and formatted empty rows
    path = _workbook(tmp_path)

    # When opened
    table = _open(path)

    # Then the first sheet is read, cells are text, and reading stops at the end of the data
    assert table.file_format == "xlsx"
    assert table.headers == ["Name", "Phone", "Born", "Met", "Active", "Score", "Serial date"]
    assert list(table.rows) == [
        (2, ["Anna", "491511234567", "1990-12-31", "2025-12-31T10:00:00", "TRUE", "12.5", "46022"]),
        (4, ["Ben", "301234567", "1985-01-02", "", "FALSE", "0.3", "45292.5"]),
    ]
    assert table.fraction_read() == 1.0


def test_an_xlsx_sheet_can_be_chosen_by_name(tmp_path: Path) -> None:
    path = _workbook(tmp_path)

    table = _open(path, sheet="Companies")

    assert table.headers == ["Company", "Website"]
    assert list(table.rows) == [(2, ["Example GmbH", "example.com"])]
    with pytest.raises(ImportFileError) as raised:
        _open(path, sheet="Deals")
    assert (
        raised.value.message
        == "There is no sheet 'Deals' in this workbook. Its sheets are: Contacts, Companies."
    )


def test_an_xlsx_file_named_csv_is_still_read_as_a_workbook(tmp_path: Path) -> None:
    path = _workbook(tmp_path).rename(tmp_path / "contacts.csv")

    table = _open(path, filename="contacts.csv")

    assert table.file_format == "xlsx"
    assert table.headers[0] == "Name"
