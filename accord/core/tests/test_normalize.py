import pytest

from accord.core.errors import ValidationFailed
from accord.core.normalize import normalize_currency, normalize_domain, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Ada@Example.COM", "ada@example.com"), ("  bob.smith+crm@mail.co.uk ", "bob.smith+crm@mail.co.uk")],
)
def test_emails_are_lowercased_and_trimmed(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["nope", "a@", "@b.com", "a b@c.com", ""])
def test_bad_emails_name_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        normalize_email(raw, field="emails.0.email")
    assert list(error.value.fields) == ["emails.0.email"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (415) 555-2671", "+14155552671"),
        ("415 555 2671", "+14155552671"),  # default region US
        ("+49 30 901820", "+4930901820"),
        ("+44 20 7946 0018", "+442079460018"),
    ],
)
def test_phones_become_e164(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "not a phone", "+1 000 000 0000"])
def test_bad_phones_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        normalize_phone(raw)
    assert "phone" in error.value.fields


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Example.com/about", "example.com"),
        ("example.co.uk", "example.co.uk"),
        ("http://shop.example.com:8080", "shop.example.com"),
        ("", ""),
    ],
)
def test_domains_are_bare_hosts(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


# "[a-z]" made urlsplit raise ValueError, a 500 (found by tests/test_schemathesis.py).
@pytest.mark.parametrize(
    "raw", ["localhost", "exa mple.com", "-bad.com", "http://", "^[a-z][a-z0-9_]*$", "[::1"]
)
def test_bad_domains_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        normalize_domain(raw)


def test_currency_codes() -> None:
    assert normalize_currency(" eur ") == "EUR"
    with pytest.raises(ValidationFailed):
        normalize_currency("euro")
