"""Reading a transaction log (one row per purchase: customer, date, amount) into numpy arrays.

The file is a CSV with a header, comma, semicolon, tab or whitespace separated (detected from the first
line), or a headerless whitespace file such as Hardie's CDNOW log, whose columns are then named by their
position (1, 2, …). Dates are parsed once per distinct value, not once per row: a log of ten million
purchases has a few thousand distinct days. Every problem is a ``TransactionFileError`` whose message
names the row (the line of the file, the header being line 1) and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

CUSTOMER_NAMES = (
    "customer_id",
    "customer",
    "customerid",
    "client_id",
    "client",
    "contact_id",
    "id",
    "cust_id",
)
DATE_NAMES = (
    "date",
    "order_date",
    "ordered_at",
    "transaction_date",
    "purchase_date",
    "invoice_date",
    "timestamp",
)
AMOUNT_NAMES = ("amount", "total", "value", "revenue", "sales", "monetary_value", "spend", "price", "dollars")

# Tried in this order; a column must read with one format throughout. Day-first and month-first slashed
# dates are both tried, and a column that reads either way is refused as ambiguous.
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y")
AMBIGUOUS_PAIR = ("%d/%m/%Y", "%m/%d/%Y")
# ISO date-times (2024-03-01T10:15:00+01:00, "2024-03-01 10:15") keep their date: a purchase's day is what
# the models count.
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")


class TransactionFileError(ValueError):
    """A transaction log that cannot be read; the message names the row and the column."""


@dataclass(frozen=True)
class TransactionLog:
    """One entry per purchase row, aligned by position; customers as integer codes into ``customer_keys``
    (sorted), dates as days since 1970-01-01."""

    customer_keys: NDArray[np.str_]
    customer_codes: IntArray
    days: IntArray
    amounts: FloatArray

    @property
    def customers(self) -> int:
        return len(self.customer_keys)

    def __len__(self) -> int:
        return len(self.days)


@dataclass(frozen=True)
class Columns:
    """The columns to read, by name (case-insensitive) or, in a headerless file, by position from 1;
    ``None`` picks the first of the usual names."""

    customer: str | None = None
    date: str | None = None
    amount: str | None = None


def day_number(value: dt.date) -> int:
    """Days since 1970-01-01, the unit of ``TransactionLog.days``."""
    return (value - dt.date(1970, 1, 1)).days


def day_to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def parse_date(text: str, date_format: str | None = None) -> dt.date:
    """One date as the command line gives it (ISO or any of ``DATE_FORMATS``); ValueError otherwise."""
    for candidate in (date_format,) if date_format else DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), candidate).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD)")


def read_transactions(
    path: str | Path,
    columns: Columns | None = None,
    *,
    has_header: bool = True,
    date_format: str | None = None,
) -> TransactionLog:
    columns = columns or Columns()
    lines = _read_lines(Path(path))
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise TransactionFileError(f"{path}: the file is empty")
    rows, line_numbers = _split(lines, _delimiter(first))
    if has_header:
        header, rows, line_numbers = [name.strip() for name in rows[0]], rows[1:], line_numbers[1:]
    else:
        header = [str(position) for position in range(1, max(map(len, rows)) + 1)]
    if not rows:
        raise TransactionFileError(f"{path}: no transactions (the file has a header and no rows)")
    indexes = {
        role: _column_index(header, chosen, defaults, role)
        for role, chosen, defaults in (
            ("customer", columns.customer, CUSTOMER_NAMES),
            ("date", columns.date, DATE_NAMES),
            ("amount", columns.amount, AMOUNT_NAMES),
        )
    }
    _check_row_lengths(rows, line_numbers, header, max(indexes.values()))
    keys = np.array([row[indexes["customer"]].strip() for row in rows])
    blank = np.flatnonzero(keys == "")
    if len(blank):
        raise TransactionFileError(
            f"row {line_numbers[blank[0]]}, column '{header[indexes['customer']]}': no customer"
        )
    customer_keys, codes = np.unique(keys, return_inverse=True)
    days = _parse_days(
        [row[indexes["date"]].strip() for row in rows], line_numbers, header[indexes["date"]], date_format
    )
    amounts = _parse_amounts(
        [row[indexes["amount"]] for row in rows], line_numbers, header[indexes["amount"]]
    )
    return TransactionLog(
        customer_keys=customer_keys, customer_codes=codes.astype(np.int64), days=days, amounts=amounts
    )


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TransactionFileError(f"{path}: cannot read the file ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise TransactionFileError(f"{path}: not a text file") from None
        text = str(best)
    return text.splitlines()


def _delimiter(first_line: str) -> str | None:
    """The separator of the header (or first) line; None means runs of whitespace."""
    for candidate in (",", "\t", ";"):
        if candidate in first_line:
            return candidate
    return None


def _split(lines: list[str], delimiter: str | None) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows and their line numbers in the file."""
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    line_numbers = [number for number, _ in numbered]
    if delimiter is None:
        return [line.split() for _, line in numbered], line_numbers
    return list(csv.reader((line for _, line in numbered), delimiter=delimiter)), line_numbers


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _column_index(header: list[str], chosen: str | None, defaults: Sequence[str], role: str) -> int:
    normalised = [_normalise(name) for name in header]
    wanted = [_normalise(chosen)] if chosen else [_normalise(name) for name in defaults]
    for name in wanted:
        if name in normalised:
            return normalised.index(name)
    found = ", ".join(f"'{name}'" for name in header)
    if chosen:
        raise TransactionFileError(f"no column '{chosen}' (columns found: {found})")
    raise TransactionFileError(f"no {role} column: pass --{role}-col (columns found: {found})")


def _check_row_lengths(
    rows: list[list[str]], line_numbers: list[int], header: list[str], needed: int
) -> None:
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    short = np.flatnonzero(lengths <= needed)
    if len(short):
        row = int(short[0])
        raise TransactionFileError(
            f"row {line_numbers[row]}: {lengths[row]} field(s), column '{header[needed]}' is missing"
        )


def _parse_days(values: list[str], line_numbers: list[int], column: str, date_format: str | None) -> IntArray:
    distinct, inverse = np.unique(np.array(values), return_inverse=True)
    texts = [str(value)[:10] if ISO_DATETIME.match(str(value)) else str(value) for value in distinct]
    formats = (date_format,) if date_format else DATE_FORMATS
    parsed = {candidate: _parse_each(texts, candidate) for candidate in formats}
    complete = [candidate for candidate in formats if all(day is not None for day in parsed[candidate])]
    if set(AMBIGUOUS_PAIR) <= set(complete):
        raise TransactionFileError(
            f"column '{column}': dates such as '{texts[0]}' read both day-first and month-first: "
            "pass --date-format %d/%m/%Y or --date-format %m/%d/%Y"
        )
    if complete:
        table = np.array(parsed[complete[0]], dtype=np.int64)
        return table[inverse]
    # Report the first row that the format reading most of the column's values cannot read.
    best = max(formats, key=lambda candidate: sum(day is not None for day in parsed[candidate]))
    failing = np.array([day is None for day in parsed[best]])
    row = int(np.flatnonzero(failing[inverse])[0])
    expected = best.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
    raise TransactionFileError(
        f"row {line_numbers[row]}, column '{column}': '{values[row]}' is not a date ({expected})"
    )


def _parse_each(texts: list[str], date_format: str) -> list[int | None]:
    days: list[int | None] = []
    for text in texts:
        try:
            days.append(day_number(dt.datetime.strptime(text, date_format).date()))
        except ValueError:
            days.append(None)
    return days


def _parse_amounts(values: list[str], line_numbers: list[int], column: str) -> FloatArray:
    try:
        amounts = np.array(values, dtype=np.float64)
    except ValueError:
        amounts = np.array([_to_float(value) for value in values], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(amounts))
    if len(bad):
        row = int(bad[0])
        raise TransactionFileError(
            f"row {line_numbers[row]}, column '{column}': '{values[row].strip()}' is not an amount"
        )
    negative = np.flatnonzero(amounts < 0)
    if len(negative):
        row = int(negative[0])
        raise TransactionFileError(
            f"row {line_numbers[row]}, column '{column}': negative amount {values[row].strip()} "
            "(leave refunds out of the log)"
        )
    return amounts


def _to_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")
