"""Reading a transaction log (one row per purchase: customer, date, amount) into numpy arrays.

The file is a CSV with a header, comma, semicolon, tab or whitespace separated (detected from the first
line), or a headerless whitespace file such as Hardie's CDNOW log, whose columns are then named by their
position (1, 2, …). Dates are parsed once per distinct value, not once per row: a log of ten million
purchases has a few thousand distinct days. Every problem is a ``TransactionFileError`` whose message
names the row (the line of the file, the header being line 1) and the column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
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
BLOCK_ROWS = 200_000
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
    path = Path(path)
    encoding = _encoding(path)
    rows = _rows(path, encoding)
    first = next(rows, None)
    if first is None:
        raise TransactionFileError(f"{path}: the file is empty")
    if has_header:
        header = [name.strip() for name in first[1]]
    else:
        header = [str(position) for position in range(1, len(first[1]) + 1)]
        rows = itertools.chain([first], rows)
    indexes = [
        _column_index(header, chosen, defaults, role)
        for role, chosen, defaults in (
            ("customer", columns.customer, CUSTOMER_NAMES),
            ("date", columns.date, DATE_NAMES),
            ("amount", columns.amount, AMOUNT_NAMES),
        )
    ]
    names = [header[index] for index in indexes]

    def line_of(row: int) -> int:
        """The file line of data row ``row`` (from 0): re-read only to word an error."""
        data = _rows(path, encoding)
        return next(itertools.islice(data, row + 1 if has_header else row, None))[0]

    keys, dates, amount_texts = _pick(rows, indexes, names, path, encoding, has_header)
    if len(keys) == 0:
        raise TransactionFileError(f"{path}: no transactions (the file has a header and no rows)")
    blank = np.flatnonzero(keys == "")
    if len(blank):
        raise TransactionFileError(f"row {line_of(int(blank[0]))}, column '{names[0]}': no customer")
    customer_keys, codes = np.unique(keys, return_inverse=True)
    days = _parse_days(dates, line_of, names[1], date_format)
    amounts = _parse_amounts(amount_texts, line_of, names[2])
    return TransactionLog(
        customer_keys=customer_keys, customer_codes=codes.astype(np.int64), days=days, amounts=amounts
    )


def _encoding(path: Path) -> str:
    """UTF-8 (a byte-order mark allowed) when the whole file decodes as such (checked a megabyte at a
    time), else what charset-normalizer detects."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except OSError as error:
        raise TransactionFileError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        from charset_normalizer import from_path

        best = from_path(path).best()
        if best is None:
            raise TransactionFileError(f"{path}: not a text file") from None
        return best.encoding
    return "utf-8-sig"


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank row, read as the file streams by. The separator is that of
    the first non-blank line: comma, tab or semicolon (CSV quoting), else runs of whitespace."""
    with path.open(encoding=encoding, newline="") as file:
        lines = iter(file)
        skipped = 0
        for line in lines:
            if line.strip():
                break
            skipped += 1
        else:
            return
        delimiter = next((candidate for candidate in (",", "\t", ";") if candidate in line), None)
        everything = itertools.chain([line], lines)
        if delimiter is None:
            for number, text in enumerate(everything, start=skipped + 1):
                fields = text.split()
                if fields:
                    yield number, fields
            return
        reader = csv.reader(everything, delimiter=delimiter)
        for fields in reader:
            if fields and any(field.strip() for field in fields):
                yield reader.line_num + skipped, fields


def _pick(
    rows: Iterator[tuple[int, list[str]]],
    indexes: list[int],
    names: list[str],
    path: Path,
    encoding: str,
    has_header: bool,
) -> tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]:
    """The three columns as string arrays, converted a block of rows at a time so that memory holds one
    block of Python strings, not the whole file's."""
    pick = operator.itemgetter(*indexes)
    blocks: list[tuple[NDArray[np.str_], ...]] = []
    while True:
        try:
            block = [pick(fields) for _, fields in itertools.islice(rows, BLOCK_ROWS)]
        except IndexError:
            needed = max(indexes)
            number, fields = next(
                (number, fields)
                for number, fields in itertools.islice(_rows(path, encoding), 1 if has_header else 0, None)
                if len(fields) <= needed
            )
            raise TransactionFileError(
                f"row {number}: {len(fields)} field(s), column '{names[indexes.index(needed)]}' is missing"
            ) from None
        if not block:
            break
        customers, dates, amounts = (np.array(column) for column in zip(*block, strict=True))
        blocks.append((np.char.strip(customers), np.char.strip(dates), np.char.strip(amounts)))
    if not blocks:
        empty = np.zeros(0, dtype="<U1")
        return empty, empty, empty
    customers, dates, amounts = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
    return customers, dates, amounts


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


def _parse_days(
    values: NDArray[np.str_], line_of: Callable[[int], int], column: str, date_format: str | None
) -> IntArray:
    distinct, inverse = np.unique(values, return_inverse=True)
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
        f"row {line_of(row)}, column '{column}': '{values[row]}' is not a date ({expected})"
    )


def _parse_each(texts: list[str], date_format: str) -> list[int | None]:
    days: list[int | None] = []
    for text in texts:
        try:
            days.append(day_number(dt.datetime.strptime(text, date_format).date()))
        except ValueError:
            days.append(None)
    return days


def _parse_amounts(values: NDArray[np.str_], line_of: Callable[[int], int], column: str) -> FloatArray:
    try:
        amounts = np.array(values, dtype=np.float64)
    except ValueError:
        amounts = np.array([_to_float(value) for value in values], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(amounts))
    if len(bad):
        row = int(bad[0])
        raise TransactionFileError(f"row {line_of(row)}, column '{column}': '{values[row]}' is not an amount")
    negative = np.flatnonzero(amounts < 0)
    if len(negative):
        row = int(negative[0])
        raise TransactionFileError(
            f"row {line_of(row)}, column '{column}': negative amount {values[row]} "
            "(leave refunds out of the log)"
        )
    return amounts


def _to_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")
