"""The contract between the file readers and the writer: parsed rows and the errors found in them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row (or one cell of it) was rejected, in words a spreadsheet user can act on."""

    row: int  # the row's number as a spreadsheet shows it: the header is row 1, the first data row is 2
    column: str  # the file's column header; "" when the reason concerns the row as a whole
    reason: str


@dataclass(slots=True)
class ParsedRow:
    """One data row of a file, its mapped cells turned into typed values (see ``fields.FieldType``).

    ``values`` holds only mapped, non-empty cells, keyed by field name (or ``custom:<key>``). A row with
    errors is never written; the writer may add errors of its own (an unknown owner, a duplicate within
    the file) and reports them the same way.
    """

    row: int
    values: dict[str, Any]
    cells: list[str]  # the row as it was in the file, for the error file
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class Table:
    """A file opened for import: its header row and its data rows as text cells, read lazily.

    Every reader (CSV, XLSX, vCard) produces one, so that mapping, parsing and writing never care what
    the file was. ``rows`` yields ``(row number, cells)`` with the row numbers a spreadsheet would show
    (header = 1); ``fraction_read`` tells a progress bar how far into the file the reader is (0.0–1.0).
    """

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    file_format: str  # "csv", "xlsx" or "vcard"
    encoding: str | None = None  # as detected, for CSV
    delimiter: str | None = None  # as detected, for CSV
    fraction_read: Callable[[], float] = lambda: 0.0
