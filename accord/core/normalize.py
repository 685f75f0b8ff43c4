"""Normalisation of the identifiers people type: emails, phone numbers, website domains, currencies."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from email_validator import EmailNotValidError, validate_email

from accord.core.errors import ValidationFailed

_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def normalize_email(value: str, *, field: str = "email") -> str:
    """Syntax-checked, lowercased email (no DNS lookup: Accord runs without network)."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationFailed({field: [str(error)]}) from error
    return result.normalized.lower()


def normalize_phone(value: str, *, field: str = "phone", region: str | None = None) -> str:
    """E.164 form; numbers without a country code are read in the default region."""
    try:
        number = phonenumbers.parse(value, region or settings.ACCORD_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationFailed({field: [f"'{value}' is not a phone number."]}) from error
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise ValidationFailed({field: [f"'{value}' is not a valid phone number."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_domain(value: str, *, field: str = "domain") -> str:
    """The bare host of a website: 'https://www.Example.com/about' -> 'example.com'."""
    text = value.strip().lower()
    if not text:
        return ""
    refused = ValidationFailed({field: [f"'{value}' is not a website domain."]})
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    except ValueError as error:  # brackets around something that is not an IP address: "[a-z]"
        raise refused from error
    host = host.removeprefix("www.").rstrip(".")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise refused
    return host


def normalize_currency(value: str, *, field: str = "currency") -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationFailed({field: ["Use a three-letter ISO 4217 currency code, e.g. EUR."]})
    return code
