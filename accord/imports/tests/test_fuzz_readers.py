"""Fuzzing: whatever bytes are uploaded, reading and parsing end in rows, RowErrors or ImportFileError.

Bounded example counts keep this part of the suite at a few seconds; the properties are the issue's:
no crash, no exception other than ImportFileError, and every row accounted for.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.imports.fields import KINDS
from accord.imports.parsers import ParseOptions, parse_rows
from accord.imports.readers import ImportFileError, open_table
from accord.imports.rows import ParsedRow

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_CELL_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "anna@example.com", "anna@", "+49 30 1234567", "030 1234567", "31/12/2025", "12/31/2025",
            "2025-12-31T10:00:00+02:00", "Dec 31, 2025", "1,234.50", "1.234,50", "yes", "x", "1:30",
            "a ::: b", '"', '""', "\r\n", ";", "\t", "|", "=cmd()", "\x00", "\ufeff", "9" * 40, "1e999",
            "example.com", "EUR", "Germany", "Won", "Lead", "1h 5m", "-", "45657",
        ]
    ),
)  # fmt: skip
_OPTIONS = st.builds(
    ParseOptions,
    day_first=st.booleans(),
    default_region=st.sampled_from([None, "DE", "US", "GB", "XX"]),
    time_zone=st.sampled_from([None, "Europe/Berlin", "Not/AZone"]),
    decimal_comma=st.booleans(),
)


def _read_everything(content: bytes, data: st.DataObject, options: ParseOptions) -> list[ParsedRow]:
    """open_table and parse_rows over the whole file with a random kind and mapping; ImportFileError is
    the one exception allowed through, and it is caught here."""
    kind = KINDS[data.draw(st.sampled_from(sorted(KINDS)), label="kind")]
    try:
        table = open_table(io.BytesIO(content))
        names = [field.name for field in kind.fields] + [None]
        mapping = {header: data.draw(st.sampled_from(names), label=header) for header in table.headers}
        rows = list(parse_rows(table, kind, mapping, options))
    except ImportFileError as error:
        failure: ImportFileError | None = error
    else:
        failure = None
    if failure is not None:
        assert failure.message  # a message for the user, whatever the bytes
        return []
    for row in rows:
        assert row.row >= 2
        for row_error in row.errors:
            assert row_error.reason
            assert row_error.row == row.row
            assert row_error.column == "" or row_error.column in table.headers
    assert [row.row for row in rows] == sorted({row.row for row in rows})
    return rows


@FUZZ
@given(content=st.binary(max_size=3000), options=_OPTIONS, data=st.data())
def test_random_bytes(content: bytes, options: ParseOptions, data: st.DataObject) -> None:
    _read_everything(content, data, options)


@FUZZ
@given(
    rows=st.lists(st.lists(_CELL_TEXT, min_size=1, max_size=6), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]),
    quote_all=st.booleans(),
    options=_OPTIONS,
    data=st.data(),
)
def test_random_csv_like_content(
    rows: list[list[str]],
    delimiter: str,
    newline: str,
    encoding: str,
    quote_all: bool,
    options: ParseOptions,
    data: st.DataObject,
) -> None:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote_all else text

    text = newline.join(delimiter.join(cell(text) for text in row) for row in rows)
    _read_everything(text.encode(encoding, errors="replace"), data, options)


_XLSX_VALUE = st.one_of(
    st.none(),
    _CELL_TEXT.map(lambda text: "".join(character for character in text if character >= " ")),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_XLSX_VALUE, min_size=1, max_size=5), min_size=1, max_size=6),
    options=_OPTIONS,
    data=st.data(),
)
def test_random_xlsx_workbooks(rows: list[list[object]], options: ParseOptions, data: st.DataObject) -> None:
    _read_everything(_xlsx(rows), data, options)


_BASE_WORKBOOK = _xlsx([["Name", "Email", "Created"], ["Anna", "anna@example.com", dt.date(2025, 12, 31)]])


@FUZZ
@given(
    cuts=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(_BASE_WORKBOOK) - 1), st.binary(min_size=1, max_size=8)
        ),
        min_size=1,
        max_size=5,
    ),
    truncate=st.integers(min_value=4, max_value=len(_BASE_WORKBOOK)),
    options=_OPTIONS,
    data=st.data(),
)
def test_damaged_xlsx_workbooks(
    cuts: list[tuple[int, bytes]], truncate: int, options: ParseOptions, data: st.DataObject
) -> None:
    # Given a real workbook with bytes overwritten and its end cut off
    content = bytearray(_BASE_WORKBOOK)
    for position, replacement in cuts:
        content[position : position + len(replacement)] = replacement
    _read_everything(bytes(content[:truncate]), data, options)
