"""The fast paths of cell parsing give exactly the answers of accord.core.normalize (property tests)."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.core.normalize import normalize_email, normalize_phone
from accord.imports.phones import PhoneReader
from accord.imports.values import CellError, parse_email


def _careful_email(text: str) -> str | None:
    try:
        return normalize_email(text)
    except ValidationFailed:
        return None


def _fast_email(text: str) -> str | None:
    try:
        return parse_email(text)
    except CellError:
        return None


_LOCAL = st.from_regex(r"[A-Za-z0-9._%+'\-]{1,70}", fullmatch=True)
_DOMAIN = st.from_regex(
    r"[A-Za-z0-9\-]{1,20}(\.[A-Za-z0-9\-]{1,66}){0,3}\.(com|de|[a-z]{2,4}|test|local|1a|x)", fullmatch=True
)
_ADDRESSES = st.one_of(
    st.emails(), st.builds(lambda local, domain: f"{local}@{domain}", _LOCAL, _DOMAIN), st.text(max_size=40)
)


@settings(max_examples=400, deadline=None)
@given(_ADDRESSES)
@example("Anna.Schmidt@Example.COM")
@example("a--b@ex--ample.com")
@example("a@b.test")
@example("x" * 64 + "@example.com")
@example("x" * 65 + "@example.com")
@example("a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 57 + ".com")
@example("müller@example.de")
def test_fast_email_equals_normalize_email(address: str) -> None:
    text = address.strip()
    assert _fast_email(text) == _careful_email(text)


_REGIONS = [
    "DE",
    "US",
    "GB",
    "FR",
    "IT",
    "AT",
    "CH",
    "NL",
    "IN",
    "BR",
    "AR",
    "RU",
    "CA",
    "AU",
    "JP",
    "MX",
    "GG",
]
_TYPES = [
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]
_FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]


@st.composite
def _phone_texts(draw: st.DrawFn) -> tuple[str, str]:
    """(number as a person writes it, default region): real example numbers with their last digits
    changed (mostly valid), written in every format, and random digit strings (mostly invalid)."""
    region = draw(st.sampled_from(_REGIONS))
    example_number = phonenumbers.example_number_for_type(
        draw(st.sampled_from(_REGIONS)), draw(st.sampled_from(_TYPES))
    )
    if example_number is None or (draw(st.booleans()) is False and draw(st.booleans())):
        digits = draw(st.from_regex(r"\+?0{0,2}[0-9]{2,14}", fullmatch=True))
        return digits, region
    national = str(example_number.national_number)
    tail = draw(st.integers(min_value=0, max_value=min(4, len(national) - 1)))
    if tail:
        national = national[:-tail] + "".join(draw(st.sampled_from("0123456789")) for _ in range(tail))
    example_number.national_number = int(national)
    text = phonenumbers.format_number(example_number, draw(st.sampled_from(_FORMATS)))
    return text.replace(" ", draw(st.sampled_from([" ", "-", "", ".", " / "]))), region


def _careful_phone(text: str, region: str) -> str:
    try:
        return normalize_phone(text, region=region)
    except ValidationFailed as error:
        return f"error: {error.fields['phone'][0]}"


def _fast_phone(text: str, region: str) -> str:
    try:
        return PhoneReader(region)(text)
    except CellError as error:
        return f"error: {error.reason}"


@settings(max_examples=1500, deadline=None)
@given(_phone_texts())
@example(("+49 151 23456789", "DE"))
@example(("+49 (0)30 1234567", "DE"))
@example(("0049 30 1234567", "DE"))
@example(("4930 1234567", "DE"))
@example(("+39 06 1234 5678", "DE"))
@example(("+1 212 555 0199", "DE"))
@example(("(212) 555-0199", "US"))
@example(("1 212 555 0199", "US"))
@example(("+7 912 345 67 89", "DE"))
@example(("8 912 345 67 89", "RU"))
@example(("+54 9 11 1234 5678", "AR"))
@example(("+44 1481 123456", "GG"))
@example(("\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "DE"))  # full-width digits
def test_fast_phone_equals_normalize_phone(case: tuple[str, str]) -> None:
    text, region = case
    assert _fast_phone(text, region) == _careful_phone(text, region)


@pytest.mark.parametrize(
    ("text", "region"), [("+49 151 23456789", "DE"), ("030 1234567", "DE"), ("(212) 555-0199", "US")]
)
def test_plain_numbers_take_the_fast_path(text: str, region: str) -> None:
    # The fast path is what makes parsing fast: plain numbers must not fall through to the careful one.
    assert PhoneReader(region)._plain_number(text) == normalize_phone(text, region=region)
