"""Open an uploaded file as a ``Table``: its header and a lazy stream of text rows.

``open_table`` is the one entry point: it looks at the content (never the file name), picks the reader and
returns at once; rows are read as they are consumed, so a 1,000,000-row, 150 MB file never sits in memory.
Any file that cannot be read raises ``ImportFileError`` with a message for the user, whether the problem
shows at once or in the middle of the file; nothing else escapes (see ``test_fuzz_readers.py``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, BinaryIO

from accord.imports.detect import (
    NOT_A_TABLE,
    SAMPLE_BYTES,
    ImportFileError,
    check_looks_like_text,
    detect_delimiter,
    detect_encoding,
    sniff_format,
)
from accord.imports.rows import Table

__all__ = ["ImportFileError", "open_table"]

EMPTY_FILE = "The file is empty."
NO_HEADER = (
    "The first row must name the columns (for example: First name, Last name, Email), but it holds "
    "data ({example}). Add a header row and upload the file again."
)
_LOOKS_LIKE_DATA = re.compile(r"^(?:[^@\s]+@[^@\s]+\.[^@\s]+|[+\-]?[\d.,:/ -]+)$")


def open_table(file: BinaryIO, *, filename: str = "", sheet: str | None = None) -> Table:
    """The file as a table; ``filename`` only words error messages, ``sheet`` picks an XLSX sheet."""
    try:
        size = _size_of(file)
        sample = file.read(SAMPLE_BYTES) or b""
    except (OSError, ValueError) as error:
        raise ImportFileError("The file could not be read. Upload it again.") from error
    if not sample:
        raise ImportFileError(EMPTY_FILE)
    file_format = sniff_format(sample)
    if file_format == "xlsx":
        return _open_xlsx(file, sample, sheet=sheet)
    if file_format == "vcard":
        return _open_vcard(file, sample)
    return _open_csv(file, sample, size=size, name=filename)


def _size_of(file: IO[bytes]) -> int | None:
    size = getattr(file, "size", None)  # Django's uploaded files know it
    if isinstance(size, int):
        return size
    if file.seekable():
        start = file.tell()
        end = file.seek(0, io.SEEK_END)
        file.seek(start)
        return end - start
    return None


# --- vCard -----------------------------------------------------------------------------------------------
# DISPATCH POINT for the vCard reader: the contacts exports/vCard work provides a reader that turns a
# .vcf stream into a Table with the contacts kind's headers; wire it here. Until then the user is told.


def _open_vcard(file: IO[bytes], sample: bytes) -> Table:
    raise ImportFileError(
        "vCard (.vcf) files cannot be imported yet. Export the contacts as CSV and upload that instead."
    )


# --- CSV ---------------------------------------------------------------------------------------------------


class _CountingStream(io.RawIOBase):
    """The file's bytes, counted as they are read, so progress is known without a second pass.

    The sample already read is served first, so the upload is read once even when it cannot seek back.
    """

    def __init__(self, file: IO[bytes], prefix: bytes) -> None:
        self._file = file
        self._prefix = prefix
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            count = min(len(view), len(self._prefix))
            view[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
        else:
            data = self._file.read(len(view)) or b""
            count = len(data)
            view[:count] = data
        self.position += count
        return count


def _open_csv(file: IO[bytes], sample: bytes, *, size: int | None, name: str) -> Table:
    complete = size is not None and len(sample) >= size
    encoding = detect_encoding(sample, complete=complete)
    # errors="replace": the encoding was chosen on the first megabyte; a stray byte further down must
    # not abort an import of a million rows (it shows as "�" in its cell, where the user can see it).
    text_sample = codecs.getincrementaldecoder(encoding)("replace").decode(sample, final=complete)
    check_looks_like_text(text_sample[:65536])
    delimiter = detect_delimiter(text_sample.lstrip("\ufeff"), complete=complete)

    stream = _CountingStream(file, sample)
    text = io.TextIOWrapper(
        io.BufferedReader(stream, buffer_size=1 << 16), encoding=encoding, errors="replace", newline=""
    )
    records = _csv_records(csv.reader(text, delimiter=delimiter))
    _, headers = _header(records, name)
    total = size or 0

    def fraction_read() -> float:
        return min(1.0, stream.position / total) if total else 0.0

    return Table(
        headers=headers,
        rows=_data_rows(records, len(headers)),
        file_format="csv",
        encoding=_display_encoding(encoding),
        delimiter=delimiter,
        fraction_read=fraction_read,
    )


def _display_encoding(encoding: str) -> str:
    return {"utf-8-sig": "utf-8 (with BOM)", "cp1252": "windows-1252"}.get(encoding, encoding)


def _csv_records(reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Numbered records, numbered as a spreadsheet shows them: a blank line is a row, a quoted line break
    is not. A file broken beyond reading becomes ``ImportFileError``, naming the row."""
    number = 0
    iterator = iter(reader)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(
                f'Row {number + 1} cannot be read ({error}). Check for a quote (") that is never closed.'
            ) from error
        number += 1
        if record:
            record[0] = record[0].lstrip("\ufeff") if number == 1 else record[0]
        yield number, record


def _header(records: Iterator[tuple[int, list[str]]], name: str) -> tuple[int, list[str]]:
    for number, cells in records:
        if any(cell.strip() for cell in cells):
            headers = _trim_trailing_empty(cells)
            _check_is_header(headers)
            return number, unique_headers(headers)
    raise ImportFileError(EMPTY_FILE if not name else f"{name} is empty.")


def _trim_trailing_empty(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _check_is_header(headers: list[str]) -> None:
    filled = [cell.strip() for cell in headers if cell.strip()]
    looks_like_data = [cell for cell in filled if _LOOKS_LIKE_DATA.match(cell)]
    if any("@" in cell for cell in looks_like_data) or (filled and len(looks_like_data) == len(filled)):
        raise ImportFileError(NO_HEADER.format(example=looks_like_data[0][:60]))


def unique_headers(cells: list[str]) -> list[str]:
    """Headers stripped, empty ones named after their column letter, repeated ones numbered:
    "Email", "Email (2)"; so that every header names exactly one column."""
    headers: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        base = " ".join(cell.split()) or f"Column {_column_letter(index)}"
        header, copy = base, 1
        while header.casefold() in seen:
            copy += 1
            header = f"{base} ({copy})"
        seen.add(header.casefold())
        headers.append(header)
    return headers


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _data_rows(records: Iterator[tuple[int, list[str]]], width: int) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows, short ones padded to the header's width. Longer rows are kept as they are: the
    parser reports them, since their extra cells mean the columns are shifted."""
    for number, cells in records:
        if not "".join(cells).strip():
            continue
        if len(cells) > width:
            cells = _trim_trailing_empty(cells)  # empty cells past the last column are harmless
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        yield number, cells


# --- XLSX --------------------------------------------------------------------------------------------------


def _open_xlsx(file: IO[bytes], sample: bytes, *, sheet: str | None) -> Table:
    stream = _seekable(file, sample)
    _check_is_workbook(stream)
    try:
        import openpyxl

        # read_only streams the sheet's XML; data_only gives the values formulas last computed.
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ImportFileError(
                f"There is no sheet '{sheet}' in this workbook. Its sheets are: {', '.join(workbook.sheetnames)}."
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        claimed_rows = worksheet.max_row or 0
        # The <dimension> a workbook claims is often "A1:Z1048576" after formatting whole columns; without
        # resetting it openpyxl pads the sheet with empty rows down to the claimed end.
        worksheet.reset_dimensions()
        numbered = _guarded(enumerate(worksheet.iter_rows(values_only=True), start=1))
        records = ((number, [cell_text(value) for value in values]) for number, values in numbered)
        _, headers = _header(records, "")
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(_DAMAGED_WORKBOOK) from error
    progress = {"row": 0}

    def counted() -> Iterator[tuple[int, list[str]]]:
        for number, cells in _data_rows(records, len(headers)):
            progress["row"] = number
            yield number, cells
        progress["row"] = claimed_rows

    def fraction_read() -> float:
        return min(1.0, progress["row"] / claimed_rows) if claimed_rows else 0.0

    return Table(headers=headers, rows=counted(), file_format="xlsx", fraction_read=fraction_read)


_DAMAGED_WORKBOOK = (
    "This Excel file is damaged or not a real .xlsx workbook. Open it in a spreadsheet program, save it "
    "again as .xlsx (or CSV) and upload that."
)


def _seekable(file: IO[bytes], sample: bytes) -> IO[bytes]:
    """A zip is read from its end: an upload that cannot seek is spooled to a temporary file."""
    if file.seekable():
        file.seek(file.tell() - len(sample))
        return file
    import tempfile

    spooled = tempfile.SpooledTemporaryFile(max_size=64 << 20)  # noqa: SIM115 - the Table reads it later
    spooled.write(sample)
    while chunk := file.read(1 << 20):
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def _check_is_workbook(stream: IO[bytes]) -> None:
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
        raise ImportFileError(_DAMAGED_WORKBOOK) from error
    finally:
        stream.seek(start)
    if "xl/workbook.xml" in names:
        return
    if b"opendocument.spreadsheet" in mimetype:
        raise ImportFileError(
            "OpenDocument spreadsheets (.ods) cannot be imported. Save the file as .xlsx or CSV and upload that."
        )
    if any(name.startswith("word/") for name in names):
        raise ImportFileError("This is a Word document. Upload a CSV or Excel (.xlsx) file.")
    raise ImportFileError(NOT_A_TABLE)


def _guarded(rows: Iterator[Any]) -> Iterator[Any]:
    """The sheet's rows; a workbook damaged further down raises ``ImportFileError`` there, not openpyxl's
    own exceptions (which can be almost anything: KeyError, ValueError, XML and zip errors)."""
    while True:
        try:
            item = next(rows)
        except StopIteration:
            return
        except Exception as error:
            raise ImportFileError(_DAMAGED_WORKBOOK) from error
        yield item


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees in it, in a form the parsers read back exactly."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # A phone or an id typed into Excel becomes a float: 491511234567.0 must read "491511234567".
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"  # Excel's own precision, without binary noise (0.30000000000000004)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(int(value.total_seconds()))
    return str(value)
