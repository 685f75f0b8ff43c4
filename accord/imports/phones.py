"""Phone numbers to E.164 at import speed, with the answers of ``accord.core.normalize.normalize_phone``.

phonenumbers' parse-validate-format takes about 16 µs a number, as much as the whole budget of a row
when a million contacts are imported. Most numbers in a file are plain: "+49 151 2345 6789", or
"030 1234567" in the import's default region. For those this module does what ``parse`` would do
(country code, national prefix) in a few string operations, and decides validity with one regular
expression per country and number length, built once from the same metadata ``is_valid_number`` reads:
valid means the number fits the country's general pattern and the pattern of at least one number type.
Whatever is not plain (an extension, a "(0)", an international call prefix, letters, a region that shares
its country code with others, a national-prefix rule with carrier codes) takes the careful path. The
equality is property-tested in ``tests/test_parsers_phones.py``.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata

from accord.core.errors import ValidationFailed
from accord.core.normalize import normalize_phone
from accord.imports.values import CellError, Memo, first_message

_PUNCTUATION = str.maketrans("", "", " -.()/\u00a0\u2011\u2013")
_COUNTRY_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
_CODE_OF_PREFIX = {str(code): code for code in _COUNTRY_CODES}  # country codes are prefix-free
# The number types ``_number_type_helper`` tries: a number matching any of them is valid.
_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
    "fixed_line", "mobile",
)  # fmt: skip


class PhoneReader:
    """Phone numbers in E.164; equal to ``normalize_phone(text, region=region)``, errors included."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._metadata = PhoneMetadata.metadata_for_region(region, None)
        self._memo: Memo[str] = Memo()

    def __call__(self, text: str) -> str:
        return self._memo.get(text, self._parse)

    def _parse(self, text: str) -> str:
        fast = self._plain_number(text)
        if fast is not None:
            return fast
        try:
            return normalize_phone(text, region=self.region)
        except ValidationFailed as error:
            raise CellError(first_message(error)) from None

    def _plain_number(self, text: str) -> str | None:
        # Spaces and hyphens first: str.translate costs a microsecond, two replaces a tenth of that.
        digits = text.replace(" ", "").replace("-", "")
        if not digits[1:].isdigit():
            digits = text.translate(_PUNCTUATION)
        if digits.startswith("+"):
            digits = digits[1:]
            if not (digits.isascii() and digits.isdigit()):
                return None
            for length in (1, 2, 3):
                country_code = _CODE_OF_PREFIX.get(digits[:length])
                if country_code is not None:
                    return _valid_e164(country_code, digits[length:])
            return None
        metadata = self._metadata
        country_code = metadata.country_code if metadata is not None else None
        if metadata is None or country_code is None or not (digits.isascii() and digits.isdigit()):
            return None
        if _starts_international(metadata, digits) or digits.startswith(str(country_code)):
            return None  # "0049…" or "49…": parse reads a country code there; leave that to it
        if _COUNTRY_CODES.get(country_code, ("",))[0] != self.region:
            return None  # the region shares its code and is not the code's main region: its own rules
        return _valid_e164(country_code, digits)


def _starts_international(metadata: PhoneMetadata, digits: str) -> bool:
    prefix = metadata.international_prefix
    return bool(prefix) and _compiled(prefix).match(digits) is not None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _valid_e164(country_code: int, national: str) -> str | None:
    """E.164 of a national number of ``country_code``, when it is plainly valid; None to ask the careful
    path (which also words the error)."""
    checker = _CHECKERS.get(country_code, _UNKNOWN)
    if checker is _UNKNOWN:
        checker = _CHECKERS[country_code] = _checker(country_code)
    if checker is None:
        return None
    national_prefix, by_length = checker
    if national_prefix and national.startswith(national_prefix):
        national = national[len(national_prefix) :]  # parse strips it when what remains is valid
    if national.startswith("0"):
        return None  # a leading zero kept in the number (Italy) needs phonenumbers' own handling
    pattern = by_length.get(len(national))  # lengths only dialable locally have no pattern
    if pattern is None or pattern.fullmatch(national) is None:
        return None
    return f"+{country_code}{national}"


_Checker = tuple[str, dict[int, re.Pattern[str]]]
_UNKNOWN: _Checker = ("", {})
_CHECKERS: dict[int, _Checker | None] = {}  # by country code, built on first use


def _checker(country_code: int) -> _Checker | None:
    """(national prefix to strip, {national number length: validity pattern}) of a country code, or None
    when the careful path must decide: several regions share the code (+1, +7, +44), or the national
    prefix rule is more than a fixed prefix (Argentina's, Brazil's carrier codes)."""
    regions = _COUNTRY_CODES.get(country_code, ())
    if not regions:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    if metadata is None or metadata.general_desc is None:
        return None
    if len(regions) > 1 and metadata.leading_digits is not None:
        # is_valid_number tries a shared code's regions in order: the first region decides alone only
        # when it claims numbers by pattern, not by leading digits (+1 starts with the US, +7 does not).
        return None
    national_prefix = metadata.national_prefix_for_parsing or ""
    if national_prefix and not national_prefix.isdigit():
        return None
    general = metadata.general_desc
    if not general.national_number_pattern:
        return None
    by_length: dict[int, re.Pattern[str]] = {}
    local_only = set(general.possible_length_local_only or ())
    for length in general.possible_length:
        if length < 1 or length in local_only:
            continue
        alternatives = []
        for name in _TYPES:
            description = getattr(metadata, name)
            if description is None or not description.national_number_pattern:
                continue
            lengths = description.possible_length
            if lengths and length not in lengths:
                continue
            alternatives.append(f"(?:{description.national_number_pattern})")
        if alternatives:
            # The general pattern as a lookahead: valid means it and one type's pattern fit the whole number.
            by_length[length] = re.compile(
                rf"(?=(?:{general.national_number_pattern})$)(?:{'|'.join(alternatives)})"
            )
    return national_prefix, by_length
