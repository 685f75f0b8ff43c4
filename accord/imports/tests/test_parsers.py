"""parse_rows: each cell to its field's Python value, each bad cell to an error a user can act on."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accord.core.models import CustomField
from accord.imports.dates import detect_day_first
from accord.imports.fields import KINDS
from accord.imports.mapping import suggest_mapping
from accord.imports.parsers import ParseOptions, parse_rows, split_full_name
from accord.imports.preview import preview
from accord.imports.readers import open_table
from accord.imports.rows import ParsedRow, RowError, Table

FILES = Path(__file__).parent / "files"
BERLIN = ZoneInfo("Europe/Berlin")


def _table(headers: list[str], *rows: list[str], file_format: str = "csv") -> Table:
    return Table(headers=headers, rows=iter(enumerate(rows, start=2)), file_format=file_format)


def _parse(kind: str, headers: list[str], *rows: list[str], **options: object) -> list[ParsedRow]:
    table = _table(headers, *rows)
    mapping = suggest_mapping(KINDS[kind], headers)
    return list(parse_rows(table, KINDS[kind], mapping, ParseOptions(**options)))  # type: ignore[arg-type]


# Cells that make a row of each kind valid, beside the one under test.
_VALID = {
    "contacts": {"Name": "Anna"},
    "companies": {"Name": "Example"},
    "deals": {"Name": "A", "Stage": "Won"},
}


def _value(kind: str, header: str, cell: str, **options: object) -> object:
    """The value one cell becomes (in a row that is otherwise valid)."""
    headers = [*_VALID[kind], header]
    [row] = _parse(kind, headers, [*_VALID[kind].values(), cell], **options)
    assert row.errors == []
    field = suggest_mapping(KINDS[kind], headers)[header]
    assert field is not None
    return row.values.get(field)


def _error(kind: str, header: str, cell: str, **options: object) -> str:
    [row] = _parse(kind, [*_VALID[kind], header], [*_VALID[kind].values(), cell], **options)
    [error] = row.errors
    assert (error.row, error.column) == (2, header)
    return error.reason


def test_a_file_where_a_third_of_the_rows_are_bad_gives_exactly_the_expected_errors() -> None:
    # Given a contacts file with three bad rows out of nine
    with (FILES / "third_bad.csv").open("rb") as file:
        table = open_table(file)
        kind = KINDS["contacts"]
        mapping = suggest_mapping(kind, table.headers)
        options = ParseOptions(day_first=True, default_region="DE", time_zone="Europe/Berlin")

        # When parsed
        rows = list(parse_rows(table, kind, mapping, options))

    # Then the good rows have their values and the bad ones exactly their errors
    assert [row.row for row in rows if row.ok] == [2, 4, 6, 10]
    assert [error for row in rows for error in row.errors] == [
        RowError(3, "Email", "'ben@' is not a valid email address: there must be something after the @-sign."),
        RowError(5, "Created", "31/02/2025 is not a date."),
        RowError(7, "", "Needs at least one of: First name, Last name, Full name, Email."),
        RowError(8, "Phone", "'12' is not a valid phone number."),
        RowError(9, "Lifecycle Stage", "'Alien' is not one of: Subscriber, Lead, Opportunity, Customer, "
                 "Evangelist, Churned, Other."),
    ]  # fmt: skip
    assert rows[0].values == {
        "given_name": "Anna",
        "family_name": "Schmidt",
        "email": "anna@example.com",
        "phone": "+49301234567",
        "company_name": "Example GmbH",
        "created_at": dt.datetime(2025, 12, 31, tzinfo=BERLIN),
        "tags": ["vip"],
        "lifecycle_stage": "customer",
    }
    assert rows[2].values["created_at"] == dt.datetime(2025, 12, 31, 8, 0, tzinfo=dt.UTC)
    assert rows[2].values["phone"] == "+393471234567"
    assert rows[4].values["created_at"] == dt.datetime(2025, 12, 31, tzinfo=BERLIN)
    assert rows[4].values["tags"] == ["partner", "vip"]
    assert rows[8].values["created_at"] == dt.datetime(2025, 1, 15, 14, 30, tzinfo=BERLIN)
    assert rows[1].cells == [
        "Ben",
        "Okafor",
        "ben@",
        "+49 30 1234568",
        "Okafor Ltd",
        "01/02/2025",
        "",
        "Lead",
    ]


@pytest.mark.parametrize(
    ("cell", "day_first", "expected"),
    [
        ("2025-12-31", False, dt.date(2025, 12, 31)),
        ("2025-12-31", True, dt.date(2025, 12, 31)),
        ("31/12/2025", True, dt.date(2025, 12, 31)),
        ("12/31/2025", False, dt.date(2025, 12, 31)),
        ("03/04/2025", True, dt.date(2025, 4, 3)),
        ("03/04/2025", False, dt.date(2025, 3, 4)),
        ("31.12.2025", True, dt.date(2025, 12, 31)),
        ("31-12-25", True, dt.date(2025, 12, 31)),
        ("2025/12/31", True, dt.date(2025, 12, 31)),
        ("Dec 31, 2025", True, dt.date(2025, 12, 31)),
        ("December 31st, 2025", False, dt.date(2025, 12, 31)),
        ("31 Dec 2025", False, dt.date(2025, 12, 31)),
        ("31-Dec-2025", False, dt.date(2025, 12, 31)),
        ("Wednesday, December 31, 2025", False, dt.date(2025, 12, 31)),
        ("2025-12-31T10:00:00+02:00", True, dt.date(2025, 12, 31)),
        ("12/31/2025 10:00 PM", False, dt.date(2025, 12, 31)),
    ],
)
def test_date_formats(cell: str, day_first: bool, expected: dt.date) -> None:
    assert _value("deals", "Close Date", cell, day_first=day_first) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "2025-12-31T10:00:00+02:00",
            dt.datetime(2025, 12, 31, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("2025-12-31T08:00:00.000Z", dt.datetime(2025, 12, 31, 8, tzinfo=dt.UTC)),
        ("2025-12-31 10:00", dt.datetime(2025, 12, 31, 10, tzinfo=BERLIN)),
        ("31/12/2025", dt.datetime(2025, 12, 31, tzinfo=BERLIN)),
        ("31/12/2025 22:15:30", dt.datetime(2025, 12, 31, 22, 15, 30, tzinfo=BERLIN)),
        ("31/12/2025 10:15 pm", dt.datetime(2025, 12, 31, 22, 15, tzinfo=BERLIN)),
        ("31/12/2025 12:00 AM", dt.datetime(2025, 12, 31, 0, 0, tzinfo=BERLIN)),
        ("31.12.2025 10:00 +0100", dt.datetime(2025, 12, 31, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ],
)
def test_datetimes_without_an_offset_are_in_the_import_time_zone(cell: str, expected: dt.datetime) -> None:
    value = _value("contacts", "Created", cell, day_first=True, time_zone="Europe/Berlin")

    assert value == expected
    assert isinstance(value, dt.datetime)
    assert value.utcoffset() == expected.utcoffset()


def test_excel_serial_numbers_are_dates_in_xlsx_files_only() -> None:
    # Given a serial number in a date column of an XLSX file and of a CSV file
    kind = KINDS["deals"]
    mapping = {"Name": "name", "Stage": "stage", "Close Date": "expected_close_date"}
    headers = list(mapping)
    options = ParseOptions()

    # When parsed, then in XLSX it is Excel's day count (45657 = 2024-12-31), in CSV an error
    [xlsx] = parse_rows(_table(headers, ["A", "Won", "45657"], file_format="xlsx"), kind, mapping, options)
    [text] = parse_rows(_table(headers, ["A", "Won", "45657"]), kind, mapping, options)
    assert xlsx.values["expected_close_date"] == dt.date(2024, 12, 31)
    assert text.errors == [
        RowError(2, "Close Date", "'45657' is not a date. Write dates as 2025-12-31 or 12/31/2025.")
    ]


@pytest.mark.parametrize(
    ("cell", "day_first", "reason"),
    [
        ("31/02/2025", True, "31/02/2025 is not a date."),
        (
            "12/31/2025",
            True,
            "12/31/2025 is not a date when read as day/month/year. If this file writes dates as "
            "month/day/year, choose that order for the import.",
        ),
        (
            "31/12/2025",
            False,
            "31/12/2025 is not a date when read as month/day/year. If this file writes dates as "
            "day/month/year, choose that order for the import.",
        ),
        ("soon", True, "'soon' is not a date. Write dates as 2025-12-31 or 31/12/2025."),
        ("2025-13-01", True, "2025-13-01 is not a date."),
        ("31/12/2025 25:00", True, "31/12/2025 25:00 is not a time of day."),
    ],
)
def test_impossible_dates_are_errors_that_say_what_to_do(cell: str, day_first: bool, reason: str) -> None:
    assert _error("deals", "Close Date", cell, day_first=day_first) == reason


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["01/02/2025", "31/12/2025"], True),
        (["01/02/2025", "12/31/2025"], False),
        (["01/02/2025", "03/04/2025", "2025-12-31"], None),
        (["31/12/2025", "12/31/2025"], None),
        ([], None),
    ],
)
def test_detect_day_first_suggests_the_order_from_unambiguous_dates(
    samples: list[str], expected: bool | None
) -> None:
    assert detect_day_first(samples) is expected


@pytest.mark.parametrize(
    ("cell", "decimal_comma", "expected"),
    [
        ("1234.5", False, Decimal("1234.5")),
        ("1,234.50", False, Decimal("1234.50")),
        ("€ 1,234.50", False, Decimal("1234.50")),
        ("1.234,50", True, Decimal("1234.50")),
        ("1 234,50 EUR", True, Decimal("1234.50")),
        ("-12", False, Decimal("-12")),
        ("1e-05", False, Decimal("0.00001")),
    ],
)
def test_decimals_with_the_import_decimal_separator(
    cell: str, decimal_comma: bool, expected: Decimal
) -> None:
    assert _value("deals", "Amount", cell, decimal_comma=decimal_comma) == expected


def test_a_number_with_the_other_separator_is_an_error_not_a_different_number() -> None:
    assert (
        _error("deals", "Amount", "1,5")
        == "'1,5' is not a number (this import reads numbers with a decimal point)."
    )
    assert _error("deals", "Amount", "12 apples") == (
        "'12 apples' is not a number (this import reads numbers with a decimal point)."
    )


@pytest.mark.parametrize(
    ("cell", "seconds"),
    [
        ("90", 90),
        ("1:30", 90),
        ("01:30:00", 5400),
        ("5 min", 300),
        ("1h 5m", 3900),
        ("1h5m", 3900),
        ("1.5 hours", 5400),
    ],
)
def test_durations(cell: str, seconds: int) -> None:
    row = _parse("interactions", ["Type", "Date", "Duration"], ["Call", "2025-01-01", cell])[0]
    assert row.errors == []
    assert row.values["duration_seconds"] == seconds


def test_choices_match_value_or_label_and_other_texts_are_named() -> None:
    rows = _parse(
        "interactions",
        ["Type", "Channel", "Direction", "Date"],
        ["Web visit", "IN_PERSON", "inbound", "2025-01-01"],
        ["Telepathy", "Phone", "Out", "2025-01-01"],
    )

    assert rows[0].values["kind"] == "web_visit"
    assert rows[0].values["channel"] == "in_person"
    assert rows[0].values["direction"] == "inbound"
    assert [error.column for error in rows[1].errors] == ["Type", "Direction"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("250", "201-1000"), ("1", "1"), ("2-10", "2-10"), ("1,001+", "1001+"), ("5000", "1001+")],
)
def test_company_size_from_a_band_or_a_number_of_employees(cell: str, expected: str) -> None:
    assert _value("companies", "Employees", cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("DE", "DE"), ("germany", "DE"), ("Deutschland", "DE"), ("USA", "US"), ("United Kingdom", "GB")],
)
def test_countries_by_code_or_name(cell: str, expected: str) -> None:
    assert _value("companies", "Country", cell) == expected


def test_texts_longer_than_the_field_are_rejected_not_cut() -> None:
    assert _error("contacts", "Job Title", "x" * 151) == "Longer than 150 characters."


def test_required_fields_and_extra_cells_are_reported() -> None:
    # Given a deal without a stage and a row with a cell more than the header
    rows = _parse("deals", ["Name", "Stage"], ["Renewal", " "], ["Upsell", "Won", "surplus"])

    assert rows[0].errors == [RowError(2, "Stage", "Required: Stage is empty.")]
    assert rows[1].errors == [
        RowError(3, "", "This row has 3 cells but the file has 2 columns. A cell probably holds the "
                 "delimiter without quotes around it."),
    ]  # fmt: skip


def test_a_full_name_is_split_when_first_and_last_name_are_absent() -> None:
    rows = _parse("contacts", ["Full Name"], ["Ludwig van Beethoven"], ["Schmidt, Anna"], ["Cher"])

    assert [row.values for row in rows] == [
        {"given_name": "Ludwig", "family_name": "van Beethoven"},
        {"given_name": "Anna", "family_name": "Schmidt"},
        {"family_name": "Cher"},
    ]
    assert split_full_name("Anna Maria Schmidt") == ("Anna Maria", "Schmidt")


def test_list_fields_gather_several_columns_and_google_joined_values() -> None:
    # Given Google's "a ::: b" in the single phone column and other phones in two more columns
    rows = _parse(
        "contacts",
        ["Name", "Phone 1 - Value", "Phone 2 - Value", "Home Phone", "Tags", "Labels"],
        ["Anna", "+44 7911 123456 ::: +44 7400 123456", "+44 20 7946 0958", "+44 20 7946 0958", "a, b", "* myContacts ::: b ::: c"],
    )  # fmt: skip

    assert rows[0].errors == []
    assert rows[0].values["phone"] == "+447911123456"
    assert rows[0].values["other_phones"] == ["+447400123456", "+442079460958"]
    assert rows[0].values["tags"] == ["a", "b", "c"]


def test_emails_in_one_cell_with_display_names() -> None:
    rows = _parse(
        "deals", ["Name", "Stage", "Contact Emails"], ["A", "Won", "Anna <Anna@Example.com>; ben@example.com"]
    )

    assert rows[0].values["contact_emails"] == ["anna@example.com", "ben@example.com"]


def _custom(key: str, field_type: str, **kwargs: object) -> CustomField:
    return CustomField(object_type="contact", key=key, label=key.title(), field_type=field_type, **kwargs)


def test_custom_fields_are_read_and_checked_like_the_services_do() -> None:
    # Given custom fields of each type (definitions as loaded from the database, not saved here)
    definitions = (
        _custom("size", CustomField.FieldType.NUMBER),
        _custom("vip", CustomField.FieldType.BOOLEAN),
        _custom("birthday", CustomField.FieldType.DATE),
        _custom("tier", CustomField.FieldType.CHOICE, choices=["Gold", "Silver"]),
        _custom("nickname", CustomField.FieldType.TEXT, is_required=True),
    )
    headers = ["Name", "size", "vip", "birthday", "tier", "nickname"]
    mapping = {header: f"custom:{header}" for header in headers[1:]} | {"Name": "full_name"}
    table = _table(
        headers,
        ["Anna", "42", "yes", "31/12/1990", "gold", "Annie"],
        ["Ben", "4.5", "maybe", "1990", "Bronze", ""],
    )

    # When parsed
    rows = list(
        parse_rows(table, KINDS["contacts"], mapping, ParseOptions(day_first=True, custom_fields=definitions))
    )

    # Then values have the stored types, and bad ones are named
    assert {key: value for key, value in rows[0].values.items() if key.startswith("custom:")} == {
        "custom:size": 42, "custom:vip": True, "custom:birthday": "1990-12-31", "custom:tier": "Gold",
        "custom:nickname": "Annie",
    }  # fmt: skip
    assert rows[0].errors == []
    assert rows[1].values["custom:size"] == 4.5
    assert rows[1].errors == [
        RowError(3, "vip", "'maybe' is not yes or no."),
        RowError(3, "birthday", "'1990' is not a date. Write dates as 2025-12-31 or 31/12/2025."),
        RowError(3, "tier", "Must be one of: Gold, Silver."),
        RowError(3, "nickname", "Required: Nickname is empty."),
    ]


def test_preview_parses_the_first_rows_only() -> None:
    lines = "Email\n" + "".join(f"user{index}@example.com\n" for index in range(100))
    table = open_table(io.BytesIO(lines.encode()))

    rows = preview(table, KINDS["contacts"], {"Email": "email"}, ParseOptions(), limit=5)

    assert [row.values["email"] for row in rows] == [f"user{index}@example.com" for index in range(5)]
    assert [row.row for row in rows] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("Phone", "'+49 30 1000000", "+49301000000"),
        ("Job Title", "'=SUM(A1)", "=SUM(A1)"),
        ("Job Title", "'-", "-"),
        ("Job Title", "'Smith", "'Smith"),  # an apostrophe before anything else is the cell's own
    ],
)
def test_the_apostrophe_an_export_puts_before_a_formula_like_cell_is_taken_off(
    header: str, cell: str, expected: str
) -> None:
    assert _value("contacts", header, cell) == expected
