"""One cell's text to the Python value of its field's type (see ``fields.FieldType``), fast.

A file of a million rows passes every cell through here, so the common case takes a fast path whose
result equals the careful one (emails: a strict ASCII pattern before email-validator; phones: numbers
written with a country code before phonenumbers' full parser) and repeated values are parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Generic, TypeVar

import phonenumbers  # its country names and region list
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from accord.core.errors import ValidationFailed
from accord.core.normalize import normalize_domain, normalize_email
from accord.imports.mapping import normalize_header

T = TypeVar("T")


class CellError(Exception):
    """Why one cell cannot be read, in words for the person who wrote it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def first_message(error: ValidationFailed) -> str:
    for messages in error.fields.values():
        if messages:
            return messages[0]
    return error.message


class Memo(Generic[T]):
    """Results (and errors) of a parse function by input text, bounded so a file of a million distinct
    values cannot grow it without limit: when full it starts afresh, which costs only speed."""

    __slots__ = ("_results",)
    LIMIT = 100_000

    def __init__(self) -> None:
        self._results: dict[str, T | CellError] = {}

    def get(self, text: str, parse: Callable[[str], T]) -> T:
        result = self._results.get(text)
        if result is None:
            try:
                result = parse(text)
            except CellError as error:
                result = error
            if len(self._results) >= self.LIMIT:
                self._results.clear()
            self._results[text] = result
        if isinstance(result, CellError):
            raise result
        return result


# --- emails -----------------------------------------------------------------------------------------------

# Common ASCII addresses, checked exactly as email-validator would accept them: dot-atom local part of
# the usual characters, domain labels of letters, digits and single hyphens, a letters-only top-level
# domain. Anything else (quotes, Unicode, "--", an all-digit TLD) takes the careful path.
_SIMPLE_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)  # single labels: "local", "test", …


def parse_email(text: str) -> str:
    """Lowercased, syntax-checked address: always equal to ``normalize_email(text)`` (tested)."""
    match = _SIMPLE_EMAIL.fullmatch(text)
    if match is not None and len(text) <= 254:
        lowered = text.lower()
        at = match.end("local")
        if at <= 64 and "--" not in lowered[at:] and lowered.rpartition(".")[2] not in _SPECIAL_USE:
            return lowered
    try:
        return normalize_email(text)
    except ValidationFailed as error:
        detail = first_message(error)
        raise CellError(f"'{text}' is not a valid email address: {detail[:1].lower()}{detail[1:]}") from None


# --- other identifiers ------------------------------------------------------------------------------------


def parse_domain(text: str) -> str:
    try:
        return normalize_domain(text)
    except ValidationFailed as error:
        raise CellError(first_message(error)) from None


_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF", "₹": "INR"}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def parse_currency(text: str) -> str:
    symbol = _CURRENCY_SYMBOLS.get(text)
    if symbol:
        return symbol
    if not _CURRENCY.match(text):
        raise CellError(f"'{text}' is not a currency. Use a three-letter code such as EUR or USD.")
    return text.upper()


# Names people write that phonenumbers' country names (below) do not hold.
_COUNTRY_ALIASES = {
    "usa": "US", "u s a": "US", "us": "US", "u s": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u k": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "holland": "NL", "the netherlands": "NL", "czech republic": "CZ",
    "south korea": "KR", "korea": "KR", "russia": "RU", "uae": "AE", "turkey": "TR",
}  # fmt: skip


@cache
def _country_names() -> dict[str, str]:
    """Country name (in every language phonenumbers knows: "Germany", "Deutschland", "Allemagne") -> ISO
    3166-1 alpha-2 code, compared in ``normalize_header`` form."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: dict[str, str] = {}
    for code, by_language in LOCALE_DATA.items():
        if len(code) != 2 or not code.isalpha():
            continue  # "001" and the like are not countries
        for name in by_language.values():
            if not name.startswith("*"):  # "*xx" points at another language's identical name
                names.setdefault(normalize_header(name), code)
    names.update(_COUNTRY_ALIASES)
    return names


def parse_country(text: str) -> str:
    if len(text) == 2 and text.isalpha() and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    code = _country_names().get(normalize_header(text))
    if code is None:
        raise CellError(
            f"'{text}' is not a country. Write its name in English or its two-letter code (DE, US)."
        )
    return code


# --- numbers ----------------------------------------------------------------------------------------------

_AMOUNT_DECORATION = re.compile(
    r"^(?:[A-Za-z]{3}|[€$£¥₹]|US\$)?\s*(?P<number>.*?)\s*(?:[A-Za-z]{3}|[€$£¥₹]|%)?$"
)
_GROUPED = {
    ".": re.compile(r"^[+-]?(?:\d{1,3}(?:[, '\u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?$"),
    ",": re.compile(r"^[+-]?(?:\d{1,3}(?:[. '\u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$"),
}
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d{1,3}$")  # how XLSX writes 0.00001
_POINT_GROUPING = str.maketrans("", "", ", '\u00a0\u202f")
_COMMA_GROUPING = str.maketrans({".": None, " ": None, "'": None, "\u00a0": None, "\u202f": None, ",": "."})
MAX_NUMBER_DIGITS = 30


def parse_decimal(text: str, *, decimal_comma: bool) -> Decimal:
    """ "1,234.50", "€ 1.234,50", "19%" with the import's decimal separator; grouping must be in threes, so
    "1,5" read with a decimal point is an error, not fifteen."""
    match = _AMOUNT_DECORATION.match(text)
    number = match["number"] if match else text
    point = "," if decimal_comma else "."
    if _GROUPED[point].match(number):
        number = number.translate(_COMMA_GROUPING if decimal_comma else _POINT_GROUPING)
    elif not _SCIENTIFIC.match(number):
        hint = "a decimal comma" if decimal_comma else "a decimal point"
        raise CellError(f"'{text}' is not a number (this import reads numbers with {hint}).")
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise CellError(f"'{text}' is not a number.") from None
    if len(value.as_tuple().digits) > MAX_NUMBER_DIGITS or value.adjusted() > MAX_NUMBER_DIGITS:
        raise CellError(f"'{text}' is too large a number.")
    return value


def parse_integer(text: str, *, decimal_comma: bool) -> int:
    try:
        value = parse_decimal(text, decimal_comma=decimal_comma)
    except CellError:
        raise CellError(f"'{text}' is not a whole number.") from None
    if value != value.to_integral_value():
        raise CellError(f"'{text}' is not a whole number.")
    return int(value)


_DURATION_PART = re.compile(
    r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(?:(?P<hours>\d+):)?(?P<minutes>\d{1,2}):(?P<seconds>\d{2})$")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Seconds from "90" (seconds), "1:30" (minutes:seconds), "01:30:00", "5 min", "1h 5m"."""
    if text.isdigit():
        return int(text)
    clock = _CLOCK.match(text)
    if clock:
        return int(clock["hours"] or 0) * 3600 + int(clock["minutes"]) * 60 + int(clock["seconds"])
    parts = list(_DURATION_PART.finditer(text))
    if parts and not _DURATION_PART.sub("", text).strip(" ,"):
        total = sum(
            Decimal(part["amount"].replace(",", ".")) * _UNIT_SECONDS[part["unit"][0].lower()]
            for part in parts
        )
        return int(total)
    raise CellError(f"'{text}' is not a duration. Write it as 1:30, 01:30:00, 90 s or 1h 5m.")


_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "on", "ja", "oui", "si", "✓", "✔"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "off", "nein", "non", "-"})


def parse_boolean(text: str) -> bool:
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(f"'{text}' is not yes or no.")


# --- lists --------------------------------------------------------------------------------------------------

_LIST_SEPARATORS = re.compile(r"\s*(?:;|,|:::)\s*")  # ":::" is how Google Contacts joins values
_EMAIL_SEPARATORS = re.compile(r"[\s;,]+|:::")


def split_list(text: str) -> list[str]:
    items: list[str] = []
    for item in _LIST_SEPARATORS.split(text):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


def split_emails(text: str) -> list[str]:
    """Addresses of one cell; "Anna <anna@example.com>" keeps the address."""
    items: list[str] = []
    for item in _EMAIL_SEPARATORS.split(text):
        item = item.strip("<>()\"'")
        if item and (("@" in item) or "@" not in text):
            items.append(item)
    return items
