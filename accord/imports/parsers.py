"""Rows of a ``Table`` to ``ParsedRow``s: each mapped cell read as its field's type, each bad cell reported.

``parse_rows`` is pure (no database access): the writer (``writer*.py``) resolves owners, companies and
stages and stores the values. Work that does not depend on a row (which converter a column uses, the time
zone, the choices of a choice field) is done once per import, so the loop over a million rows only
calls one function per mapped cell.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accord.core.custom_fields import coerce_custom_value
from accord.core.export import FORMULA_STARTS
from accord.core.models import CustomField
from accord.imports.dates import DateReader, detect_day_first
from accord.imports.fields import CUSTOM_PREFIX, FieldType, ImportField, ImportKind
from accord.imports.mapping import is_multi_value, normalize_header
from accord.imports.phones import PhoneReader
from accord.imports.rows import ParsedRow, RowError, Table
from accord.imports.values import (
    CellError,
    parse_boolean,
    parse_country,
    parse_currency,
    parse_decimal,
    parse_domain,
    parse_duration,
    parse_email,
    parse_integer,
    split_emails,
    split_list,
)

__all__ = ["ParseOptions", "detect_day_first", "parse_rows"]

Convert = Callable[[str], Any]
# accord.core.export.cell neutralises a formula-like cell by putting an apostrophe first.
_PROTECTED = tuple("'" + start for start in FORMULA_STARTS)
TAG_MAX_LENGTH = 60  # accord.core.models.Tag.name


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """The choices a user makes for one import (the preview shows their effect before the run)."""

    day_first: bool = False  # 03/04/2025 is 3 April; ISO dates read the same either way
    default_region: str | None = None  # for phones without a country code; None: the installation's
    time_zone: str | None = None  # for date-times without an offset; None: the installation's
    decimal_comma: bool = False  # "1.234,50" rather than "1,234.50"
    custom_fields: tuple[CustomField, ...] = ()  # the kind's definitions, for columns mapped to custom:<key>


@dataclass(frozen=True, slots=True)
class _Column:
    """One mapped column: where its cells are, which field they go to and how they are read."""

    index: int
    header: str
    field: str
    convert: Convert
    is_list: bool


def parse_rows(
    table: Table, kind: ImportKind, mapping: Mapping[str, str | None], options: ParseOptions
) -> Iterator[ParsedRow]:
    """Each data row of ``table`` with its typed values and its errors (see ``ParsedRow``)."""
    columns = _plan(table, kind, mapping, options)
    mapped_fields = {column.field for column in columns}
    headers_of = {column.field: column.header for column in reversed(columns)}
    required = [(field.name, field.label) for field in kind.fields if field.required] + [
        (f"{CUSTOM_PREFIX}{definition.key}", definition.label)
        for definition in options.custom_fields
        if definition.is_required and f"{CUSTOM_PREFIX}{definition.key}" in mapped_fields
    ]
    any_of = [(group, ", ".join(kind.field(name).label for name in group)) for group in kind.requires_any]
    width = len(table.headers)
    split_names = "full_name" in mapped_fields and {"given_name", "family_name"} <= {
        f.name for f in kind.fields
    }
    siblings = _list_siblings(kind)
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        if len(cells) < width:  # a reader that does not pad its rows (the CSV and XLSX readers do)
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            errors.append(
                RowError(
                    number,
                    "",
                    f"This row has {len(cells)} cells but the file has {width} columns. A cell probably "
                    "holds the delimiter without quotes around it.",
                )
            )
        for column in columns:
            text = cells[column.index]
            if not text:
                continue
            if text.startswith(_PROTECTED):
                # An apostrophe that an export (Accord's, or a spreadsheet's) put before a formula-like
                # cell: the value is the text after it, so exported and error files re-import as they were.
                text = text[1:]
            try:
                value = column.convert(text)
            except CellError as error:
                errors.append(RowError(number, column.header, error.reason))
                continue
            if value is None:
                continue
            if column.is_list:
                _extend(values, column.field, value)
            elif isinstance(value, _Several):
                _place_several(values, column, value, siblings, errors, number)
            else:
                values[column.field] = value
        for name, label in required:
            if name not in values and not any(error.column == headers_of.get(name) for error in errors):
                errors.append(RowError(number, headers_of.get(name, ""), f"Required: {label} is empty."))
        for group, labels in any_of:
            if not any(name in values for name in group):
                errors.append(RowError(number, "", f"Needs at least one of: {labels}."))
        if (
            split_names
            and "full_name" in values
            and "given_name" not in values
            and "family_name" not in values
        ):
            values["given_name"], values["family_name"] = split_full_name(values.pop("full_name"))
            if not values["given_name"]:
                del values["given_name"]
        yield ParsedRow(row=number, values=values, cells=cells, errors=errors)


def _extend(values: dict[str, Any], field: str, items: list[Any]) -> None:
    existing = values.setdefault(field, [])
    for item in items:
        if item not in existing:
            existing.append(item)
    if not existing:
        del values[field]


class _Several(list[str]):
    """Several values in a cell of a single-value field (Google Contacts joins them with ":::")."""


def _list_siblings(kind: ImportKind) -> dict[str, str]:
    """The list field that takes the extra values of a single-value field, where the kind has one."""
    names = {field.name for field in kind.fields}
    siblings = {"email": "other_emails", "phone": "other_phones", "mobile_phone": "other_phones"}
    return {single: multi for single, multi in siblings.items() if single in names and multi in names}


def _place_several(
    values: dict[str, Any],
    column: _Column,
    several: _Several,
    siblings: dict[str, str],
    errors: list[RowError],
    number: int,
) -> None:
    sibling = siblings.get(column.field)
    if sibling is None:
        errors.append(RowError(number, column.header, f"Holds {len(several)} values where one is expected."))
        return
    values[column.field] = several[0]
    _extend(values, sibling, several[1:])


# Name particles that belong to the family name: "Ludwig van Beethoven", "Charles de Gaulle".
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la", "le", "zu", "ter", "ten"})  # fmt: skip


def split_full_name(full_name: str) -> tuple[str, str]:
    """(first name, last name) of "Anna Maria Schmidt", "Schmidt, Anna", "Ludwig van Beethoven"."""
    if "," in full_name:
        family, _, given = full_name.partition(",")
        return given.strip(), family.strip()
    words = full_name.split()
    if len(words) < 2:
        return "", full_name.strip()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


# --- per-column converters ---------------------------------------------------------------------------------


def _plan(
    table: Table, kind: ImportKind, mapping: Mapping[str, str | None], options: ParseOptions
) -> list[_Column]:
    known = {field.name: field for field in kind.fields}
    custom = {f"{CUSTOM_PREFIX}{definition.key}": definition for definition in options.custom_fields}
    context = _Context(options, excel_serials=table.file_format == "xlsx")
    columns = []
    for index, header in enumerate(table.headers):
        name = mapping.get(header)
        if not name:
            continue
        if name in known:
            convert = _field_converter(known[name], context)
        elif name in custom:
            convert = _custom_converter(custom[name], context)
        else:
            continue  # validate_mapping names unknown fields before an import starts
        columns.append(_Column(index, header, name, convert, name in known and is_multi_value(kind, name)))
    return columns


class _Context:
    """Per-import readers shared by the columns that need them."""

    def __init__(self, options: ParseOptions, *, excel_serials: bool) -> None:
        self.options = options
        try:
            zone: dt.tzinfo = zoneinfo.ZoneInfo(options.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = dt.UTC
        self.excel_serials = excel_serials
        self.zone = zone
        self.phones = PhoneReader((options.default_region or settings.ACCORD_DEFAULT_PHONE_REGION).upper())

    def dates(self) -> DateReader:
        return DateReader(
            day_first=self.options.day_first, time_zone=self.zone, excel_serials=self.excel_serials
        )


def _stripped(convert: Convert) -> Convert:
    def read(text: str) -> Any:
        text = text.strip()
        return convert(text) if text else None

    return read


def _text(field: ImportField, *, keep_lines: bool = False) -> Convert:
    limit = field.max_length

    def read(text: str) -> str | None:
        text = text.replace("\r\n", "\n").strip() if keep_lines else " ".join(text.split())
        if limit is not None and len(text) > limit:
            raise CellError(f"Longer than {limit} characters.")
        return text or None

    return read


def _field_converter(field: ImportField, context: _Context) -> Convert:
    kind = field.type
    options = context.options
    if kind in {FieldType.TEXT, FieldType.USER, FieldType.REFERENCE}:
        return _text(field)
    if kind == FieldType.LONG_TEXT:
        return _text(field, keep_lines=True)
    if kind == FieldType.EMAIL:
        return _stripped(_single(split_emails, parse_email))
    if kind == FieldType.EMAILS:
        return _stripped(_each(split_emails, parse_email))
    if kind == FieldType.PHONE:
        return _stripped(_single(split_list, context.phones))
    if kind == FieldType.PHONES:
        return _stripped(_each(split_list, context.phones))
    if kind == FieldType.DOMAIN:
        return _stripped(_limited(parse_domain, field.max_length))
    if kind == FieldType.DATE:
        return _stripped(context.dates().date)
    if kind == FieldType.DATETIME:
        return _stripped(context.dates().datetime)
    if kind == FieldType.DECIMAL:
        return _stripped(lambda text: parse_decimal(text, decimal_comma=options.decimal_comma))
    if kind == FieldType.INTEGER:
        return _stripped(lambda text: parse_integer(text, decimal_comma=options.decimal_comma))
    if kind == FieldType.DURATION:
        return _stripped(parse_duration)
    if kind == FieldType.BOOLEAN:
        return _stripped(parse_boolean)
    if kind == FieldType.CHOICE:
        return _stripped(_choice(field))
    if kind == FieldType.TAGS:
        return _stripped(_tags)
    if kind == FieldType.CURRENCY:
        return _stripped(parse_currency)
    if kind == FieldType.COUNTRY:
        return _stripped(parse_country)
    raise AssertionError(f"no converter for {kind}")  # pragma: no cover - every FieldType is handled


def _single(split: Callable[[str], list[str]], parse: Convert) -> Convert:
    """One value; a cell holding several (Google's "a ::: b") gives them all, for the caller to place."""

    def read(text: str) -> Any:
        parts = split(text) if (";" in text or "," in text or ":::" in text) else [text]
        if len(parts) <= 1:
            return parse(parts[0]) if parts else None
        values = list(dict.fromkeys(parse(part) for part in parts))
        return values[0] if len(values) == 1 else _Several(values)

    return read


def _each(split: Callable[[str], list[str]], parse: Convert) -> Convert:
    def read(text: str) -> list[Any]:
        return list(dict.fromkeys(parse(part) for part in split(text)))

    return read


def _limited(parse: Convert, limit: int | None) -> Convert:
    def read(text: str) -> Any:
        value = parse(text)
        if limit is not None and len(value) > limit:
            raise CellError(f"Longer than {limit} characters.")
        return value

    return read


def _tags(text: str) -> list[str]:
    tags = []
    for tag in split_list(text):
        tag = tag.removeprefix("* ")  # Google Contacts marks its system groups: "* starred"
        if tag == "myContacts":  # the group every Google contact is in: not a label anyone chose
            continue
        if len(tag) > TAG_MAX_LENGTH:
            raise CellError(f"The tag '{tag[:20]}…' is longer than {TAG_MAX_LENGTH} characters.")
        tags.append(tag)
    return tags


# HubSpot's lifecycle stages that Accord's stages fold together.
_CHOICE_ALIASES = {
    "lifecycle_stage": {"marketing qualified lead": "lead", "sales qualified lead": "lead", "mql": "lead", "sql": "lead"},
    "status": {"closed won": "won", "closed lost": "lost"},
}  # fmt: skip
_SIZE_BANDS = ((1, "1"), (10, "2-10"), (50, "11-50"), (200, "51-200"), (1000, "201-1000"))


def _choice(field: ImportField) -> Convert:
    """Matched on the stored value or the label, ignoring case and punctuation ("In progress",
    "in_progress"); a company size may also be written as a number of employees."""
    accepted: dict[str, str] = {}
    for value, label in field.choices:
        accepted[normalize_header(value)] = value
        accepted[normalize_header(label)] = value
    stored = {value for value, _ in field.choices}
    for alias, value in _CHOICE_ALIASES.get(field.name, {}).items():
        if value in stored:
            accepted.setdefault(alias, value)
    labels = ", ".join(label for _, label in field.choices)

    def read(text: str) -> str:
        found = accepted.get(normalize_header(text)) or accepted.get(text.casefold())
        if found is not None:
            return found
        if field.name == "size_band" and text.replace(",", "").isdigit():
            employees = int(text.replace(",", ""))
            return next((band for limit, band in _SIZE_BANDS if employees <= limit), "1001+")
        raise CellError(f"'{text}' is not one of: {labels}.")

    return read


def _custom_converter(definition: CustomField, context: _Context) -> Convert:
    """Cell text to the type the custom field stores, then checked by the custom fields' own rules."""
    kind = CustomField.FieldType
    options = context.options
    dates = context.dates()

    def typed(text: str) -> Any:
        if definition.field_type == kind.NUMBER:
            number = parse_decimal(text, decimal_comma=options.decimal_comma)
            return int(number) if number == number.to_integral_value() else float(number)
        if definition.field_type == kind.BOOLEAN:
            return parse_boolean(text)
        if definition.field_type == kind.DATE:
            return dates.date(text).isoformat()
        if definition.field_type == kind.CHOICE:
            by_name = {str(choice).casefold(): choice for choice in definition.choices}
            return by_name.get(text.casefold(), text)
        return text

    def read(text: str) -> Any:
        value, message = coerce_custom_value(definition, typed(text))
        if message:
            raise CellError(message)
        return value

    return _stripped(read)
