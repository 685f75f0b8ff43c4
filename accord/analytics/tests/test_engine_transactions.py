"""Reading transaction logs: separators, column names, date formats, and a clear error for each kind of
bad file, naming the row (the file's line, the header being line 1) and the column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from accord.analytics.engine.transactions import (
    BLOCK_ROWS,
    Columns,
    TransactionFileError,
    day_number,
    read_transactions,
)

DATA = Path(__file__).parent / "data"


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def days(*dates: str) -> list[int]:
    return [day_number(dt.date.fromisoformat(date)) for date in dates]


def test_a_comma_separated_log_with_usual_column_names(tmp_path: Path) -> None:
    # Given a CSV whose columns have usual names in another case and order
    path = write(tmp_path, "Amount,Customer_ID,Date\n10.50,b,2024-01-02\n3,a,2024-01-05\n7.25,b,2024-02-01\n")

    # When it is read with the default columns
    log = read_transactions(path)

    # Then customers become sorted codes and dates become day numbers
    assert log.customer_keys.tolist() == ["a", "b"]
    assert log.customer_codes.tolist() == [1, 0, 1]
    assert log.days.tolist() == days("2024-01-02", "2024-01-05", "2024-02-01")
    assert log.amounts.tolist() == [10.5, 3.0, 7.25]


@pytest.mark.parametrize(
    ("text", "date_format"),
    [
        ("client;when;spend\nx;02/01/2024;1\nx;25/01/2024;2\n", None),  # day-first, unambiguous (25)
        ("client\twhen\tspend\nx\t01/02/2024\t1\nx\t01/25/2024\t2\n", None),  # month-first, tab separated
        ("client when spend\nx 20240102 1\nx   20240125 2\n", None),  # whitespace, YYYYMMDD as in CDNOW
        ("client,when,spend\nx,2024-01-02T10:15:00+01:00,1\nx,2024-01-25 23:59,2\n", None),  # ISO date-times
        ("client,when,spend\nx,2.1.2024,1\nx,25.1.2024,2\n", None),  # dotted day-first
        ("client,when,spend\nx,01/02/2024,1\nx,01/25/2024,2\n", "%m/%d/%Y"),  # explicit format
    ],
)
def test_separators_and_date_formats(tmp_path: Path, text: str, date_format: str | None) -> None:
    # Given the same two purchases written in different conventions
    path = write(tmp_path, text)

    # When read naming the columns
    log = read_transactions(
        path, Columns(customer="CLIENT", date="When", amount="spend"), date_format=date_format
    )

    # Then they read as 2 and 25 January 2024
    assert log.days.tolist() == days("2024-01-02", "2024-01-25")
    assert log.amounts.tolist() == [1.0, 2.0]


def test_the_headerless_cdnow_log_by_column_position() -> None:
    # Given Hardie's CDNOW sample (whitespace separated, no header)
    # When read with columns named by position
    log = read_transactions(
        DATA / "CDNOW_sample.txt", Columns(customer="2", date="3", amount="5"), has_header=False
    )

    # Then it has the 6,919 purchases of 2,357 customers from 1 January 1997 to 30 June 1998
    assert (len(log), log.customers) == (6919, 2357)
    assert (log.days.min(), log.days.max()) == tuple(days("1997-01-01", "1998-06-30"))
    assert log.customer_keys[log.customer_codes[0]] == "0001"
    assert round(float(log.amounts.sum()), 2) == round(
        float(np.loadtxt(DATA / "CDNOW_sample.txt")[:, 4].sum()), 2
    )


@pytest.mark.parametrize(
    ("text", "columns", "message"),
    [
        ("", Columns(), "the file is empty"),
        ("\n\n", Columns(), "the file is empty"),
        ("customer,date,amount\n", Columns(), "no transactions (the file has a header and no rows)"),
        (
            "who,date,amount\na,2024-01-01,1\n",
            Columns(),
            "no customer column: pass --customer-col (columns found: 'who', 'date', 'amount')",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\n",
            Columns(amount="price"),
            "no column 'price' (columns found: 'customer', 'date', 'amount')",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\na,2024-01-32,1\n",
            Columns(),
            "row 3, column 'date': '2024-01-32' is not a date (YYYY-MM-DD)",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\n\nb,yesterday,1\n",
            Columns(),
            "row 4, column 'date': 'yesterday' is not a date (YYYY-MM-DD)",
        ),
        (
            "customer,date,amount\na,01/02/2024,1\n",
            Columns(),
            "column 'date': dates such as '01/02/2024' read both day-first and month-first: "
            "pass --date-format %d/%m/%Y or --date-format %m/%d/%Y",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\nb,2024-01-02,ten\n",
            Columns(),
            "row 3, column 'amount': 'ten' is not an amount",
        ),
        ("customer,date,amount\na,2024-01-01,\n", Columns(), "row 2, column 'amount': '' is not an amount"),
        (
            "customer,date,amount\na,2024-01-01,nan\n",
            Columns(),
            "row 2, column 'amount': 'nan' is not an amount",
        ),
        (
            "customer,date,amount\na,2024-01-01,1\na,2024-01-02,-4.5\n",
            Columns(),
            "row 3, column 'amount': negative amount -4.5 (leave refunds out of the log)",
        ),
        ("customer,date,amount\na,2024-01-01\n", Columns(), "row 2: 2 field(s), column 'amount' is missing"),
        ("customer,date,amount\n ,2024-01-01,1\n", Columns(), "row 2, column 'customer': no customer"),
    ],
)
def test_each_bad_file_names_its_row_and_column(
    tmp_path: Path, text: str, columns: Columns, message: str
) -> None:
    # Given a bad log
    path = write(tmp_path, text)

    # When it is read, then the error says what and where
    with pytest.raises(TransactionFileError) as raised:
        read_transactions(path, columns)
    assert str(raised.value).removeprefix(f"{path}: ") == message


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TransactionFileError) as raised:
        read_transactions(tmp_path / "nowhere.csv")
    assert (
        str(raised.value) == f"{tmp_path / 'nowhere.csv'}: cannot read the file (No such file or directory)"
    )


def test_a_latin_1_file_is_read(tmp_path: Path) -> None:
    # Given a log saved in Latin-1 with accented customer names
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "customer,date,amount\nJosé Müller,2024-01-01,5\nJosé Müller,2024-01-03,6\n".encode("latin-1")
    )

    # When read, then the names survive
    assert read_transactions(path).customer_keys.tolist() == ["José Müller"]


def test_a_log_longer_than_one_block_and_an_error_past_the_first_block(tmp_path: Path) -> None:
    # Given 250,000 purchases (more than one block of rows converted at a time) of 1,000 customers
    rows = BLOCK_ROWS + 50_000
    lines = [f"{index % 1000},2024-01-{index % 28 + 1:02},{index % 100}.5" for index in range(rows)]
    path = write(tmp_path, "customer,date,amount\n" + "\n".join(lines) + "\n")

    # When read, then every row is there in order
    log = read_transactions(path)
    assert (len(log), log.customers) == (rows, 1000)
    assert log.amounts[-1] == (rows - 1) % 100 + 0.5
    assert log.days[-1] == day_number(dt.date(2024, 1, (rows - 1) % 28 + 1))

    # Given the same file with a short row in the second block, then the error names its line
    lines[BLOCK_ROWS + 10] = "7,2024-01-01"
    path = write(tmp_path, "customer,date,amount\n" + "\n".join(lines) + "\n")
    with pytest.raises(TransactionFileError) as raised:
        read_transactions(path)
    assert str(raised.value) == f"row {BLOCK_ROWS + 12}: 2 field(s), column 'amount' is missing"
