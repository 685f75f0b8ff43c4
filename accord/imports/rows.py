"""The contract between the file readers and the writer: parsed rows and the errors found in them."""

from __future__ import annotations

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
