"""What each import kind accepts: the catalogue shared by the file readers, the mapping step and the writer.

A column of a file is mapped to one field of its kind. The readers turn each cell into the Python value of
the field's type (see ``FieldType``); the writer resolves references (owners, companies, contacts, stages)
and stores the values. Columns may also be mapped to a custom field of the kind, as ``custom:<key>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from accord.activities.models import Interaction
from accord.customers.models import Company, Contact
from accord.sales.models import Lead, Order

CUSTOM_PREFIX = "custom:"


class FieldType(StrEnum):
    """How a cell is read, and the Python value it becomes."""

    TEXT = "text"  # str, stripped; "" is no value
    LONG_TEXT = "long_text"  # str, line breaks kept
    EMAIL = "email"  # str, normalised by accord.core.normalize.normalize_email
    EMAILS = "emails"  # list[str] from one cell, split on ";", "," or whitespace
    PHONE = "phone"  # str in E.164, normalised by accord.core.normalize.normalize_phone
    PHONES = "phones"  # list[str] in E.164, split on ";" or ","
    DOMAIN = "domain"  # str, from a URL or a bare domain, by accord.core.normalize.normalize_domain
    DATE = "date"  # datetime.date; day/month order chosen per import
    DATETIME = "datetime"  # aware datetime.datetime; a date alone is midnight in the import's time zone
    DECIMAL = "decimal"  # decimal.Decimal; thousands separators and a decimal comma understood
    INTEGER = "integer"  # int
    DURATION = "duration"  # int seconds, from "90", "1:30", "01:30:00", "5 min", "1h 5m"
    BOOLEAN = "boolean"  # bool from yes/no, true/false, 1/0, y/n, x/""
    CHOICE = "choice"  # str: one of the field's choices, matched on value or label, case-insensitively
    TAGS = "tags"  # list[str] split on ";" or ","
    CURRENCY = "currency"  # str, ISO 4217, by accord.core.normalize.normalize_currency
    COUNTRY = "country"  # str, ISO 3166-1 alpha-2 from a code or an English country name
    USER = "user"  # str: a username or a user's email, resolved by the writer
    REFERENCE = "reference"  # str: a natural key of another record, resolved by the writer


@dataclass(frozen=True, slots=True)
class ImportField:
    """One field a column can be mapped to."""

    name: str
    label: str
    type: FieldType
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label) for CHOICE
    max_length: int | None = None  # for text-like fields: longer cells are rejected, not cut


@dataclass(frozen=True, slots=True)
class ImportKind:
    """One kind of record a file can hold."""

    name: str  # the CLI's KIND: companies, contacts, …
    label: str
    object_type: str  # as in the audit trail and custom fields: company, contact, …
    fields: tuple[ImportField, ...]
    # Each inner tuple lists fields of which at least one must have a value in a row.
    requires_any: tuple[tuple[str, ...], ...] = ()
    # Match keys this kind supports (the CLI's --match), besides "none".
    match_keys: tuple[str, ...] = ("external_id",)

    def field(self, name: str) -> ImportField:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _text(name: str, label: str, max_length: int, *, required: bool = False) -> ImportField:
    return ImportField(name, label, FieldType.TEXT, required=required, max_length=max_length)


def _choice(name: str, label: str, choices: tuple[tuple[str, str], ...]) -> ImportField:
    return ImportField(name, label, FieldType.CHOICE, choices=choices)


EXTERNAL_ID = _text("external_id", "External id", 100)
OWNER = ImportField("owner", "Owner", FieldType.USER)
TAGS = ImportField("tags", "Tags", FieldType.TAGS)
CREATED_AT = ImportField("created_at", "Created at", FieldType.DATETIME)
COMPANY_NAME = ImportField("company_name", "Company name", FieldType.REFERENCE, max_length=200)
COMPANY_DOMAIN = ImportField("company_domain", "Company website", FieldType.DOMAIN, max_length=253)
GIVEN_NAME = _text("given_name", "First name", 100)
FAMILY_NAME = _text("family_name", "Last name", 100)
FULL_NAME = _text("full_name", "Full name", 201)  # split into first and last name when those are absent
JOB_TITLE = _text("job_title", "Job title", 150)


def _choices(text_choices: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in text_choices.choices)


COMPANIES = ImportKind(
    name="companies",
    label="Companies",
    object_type="company",
    fields=(
        EXTERNAL_ID,
        _text("name", "Name", 200, required=True),
        ImportField("domain", "Website", FieldType.DOMAIN, max_length=253),
        _text("industry", "Industry", 100),
        _choice("size_band", "Size", _choices(Company.SizeBand)),
        ImportField("annual_revenue", "Annual revenue", FieldType.DECIMAL),
        ImportField("currency", "Currency", FieldType.CURRENCY),
        ImportField("phone", "Phone", FieldType.PHONE),
        _text("street", "Street", 200),
        _text("city", "City", 100),
        _text("region", "Region", 100),
        _text("postal_code", "Postal code", 20),
        ImportField("country", "Country", FieldType.COUNTRY),
        ImportField("parent_domain", "Parent company website", FieldType.DOMAIN, max_length=253),
        OWNER,
        TAGS,
        CREATED_AT,
    ),
    match_keys=("external_id", "domain", "phone"),
)

CONTACTS = ImportKind(
    name="contacts",
    label="Contacts",
    object_type="contact",
    fields=(
        EXTERNAL_ID,
        GIVEN_NAME,
        FAMILY_NAME,
        FULL_NAME,
        ImportField("email", "Email", FieldType.EMAIL),
        ImportField("other_emails", "Other emails", FieldType.EMAILS),
        ImportField("phone", "Phone", FieldType.PHONE),
        ImportField("mobile_phone", "Mobile phone", FieldType.PHONE),
        ImportField("other_phones", "Other phones", FieldType.PHONES),
        JOB_TITLE,
        COMPANY_NAME,
        COMPANY_DOMAIN,
        _choice("lifecycle_stage", "Lifecycle stage", _choices(Contact.LifecycleStage)),
        _text("acquisition_source", "Source", 100),
        _text("acquisition_channel", "Channel", 100),
        OWNER,
        TAGS,
        CREATED_AT,
    ),
    requires_any=(("given_name", "family_name", "full_name", "email"),),
    match_keys=("external_id", "email", "phone"),
)

LEADS = ImportKind(
    name="leads",
    label="Leads",
    object_type="lead",
    fields=(
        EXTERNAL_ID,
        GIVEN_NAME,
        FAMILY_NAME,
        FULL_NAME,
        ImportField("email", "Email", FieldType.EMAIL),
        ImportField("phone", "Phone", FieldType.PHONE),
        JOB_TITLE,
        _text("company_name", "Company name", 200),
        COMPANY_DOMAIN,
        _text("source", "Source", 100),
        _choice("status", "Status", _choices(Lead.Status)),
        _text("disqualified_reason", "Disqualification reason", 300),
        ImportField("notes", "Notes", FieldType.LONG_TEXT),
        OWNER,
        TAGS,
        CREATED_AT,
    ),
    requires_any=(("given_name", "family_name", "full_name", "email", "company_name"),),
    match_keys=("external_id", "email", "phone"),
)

DEALS = ImportKind(
    name="deals",
    label="Deals",
    object_type="deal",
    fields=(
        EXTERNAL_ID,
        _text("name", "Name", 200, required=True),
        ImportField("amount", "Amount", FieldType.DECIMAL),
        ImportField("currency", "Currency", FieldType.CURRENCY),
        ImportField("pipeline", "Pipeline", FieldType.REFERENCE, max_length=100),
        ImportField("stage", "Stage", FieldType.REFERENCE, required=True, max_length=100),
        ImportField("expected_close_date", "Expected close date", FieldType.DATE),
        ImportField("closed_at", "Closed at", FieldType.DATETIME),
        _text("lost_reason", "Lost reason", 300),
        COMPANY_NAME,
        COMPANY_DOMAIN,
        ImportField("contact_emails", "Contact emails", FieldType.EMAILS),
        OWNER,
        TAGS,
        CREATED_AT,
    ),
)

ORDERS = ImportKind(
    name="orders",
    label="Orders",
    object_type="order",
    # One row per order line; rows with the same order number are one order.
    fields=(
        _text("number", "Order number", 40, required=True),
        ImportField("ordered_at", "Ordered at", FieldType.DATETIME, required=True),
        _choice("status", "Status", _choices(Order.Status)),
        ImportField("currency", "Currency", FieldType.CURRENCY),
        _choice("sales_channel", "Sales channel", _choices(Order.Channel)),
        ImportField("contact_email", "Customer email", FieldType.EMAIL),
        COMPANY_NAME,
        COMPANY_DOMAIN,
        ImportField("product_sku", "Product SKU", FieldType.REFERENCE, max_length=64),
        _text("line_description", "Line description", 300),
        ImportField("quantity", "Quantity", FieldType.DECIMAL),
        ImportField("unit_price", "Unit price", FieldType.DECIMAL, required=True),
        ImportField("discount", "Discount", FieldType.DECIMAL),
        ImportField("tax_rate", "Tax rate (%)", FieldType.DECIMAL),
        OWNER,
    ),
    requires_any=(("contact_email", "company_name", "company_domain"),),
    match_keys=("external_id",),  # an order's number is its external id
)

INTERACTIONS = ImportKind(
    name="interactions",
    label="Interactions",
    object_type="interaction",
    fields=(
        EXTERNAL_ID,
        _choice("kind", "Kind", _choices(Interaction.Kind)),
        _choice("channel", "Channel", _choices(Interaction.Channel)),
        _choice("direction", "Direction", _choices(Interaction.Direction)),
        _text("subject", "Subject", 300),
        ImportField("body", "Body", FieldType.LONG_TEXT),
        ImportField("occurred_at", "Occurred at", FieldType.DATETIME, required=True),
        ImportField("duration_seconds", "Duration", FieldType.DURATION),
        _text("outcome", "Outcome", 100),
        ImportField("contact_emails", "Contact emails", FieldType.EMAILS),
        COMPANY_NAME,
        COMPANY_DOMAIN,
        ImportField("deal_external_id", "Deal external id", FieldType.REFERENCE, max_length=100),
        OWNER,
    ),
    requires_any=(("kind", "channel"),),
)

KINDS: dict[str, ImportKind] = {
    kind.name: kind for kind in (COMPANIES, CONTACTS, LEADS, DEALS, ORDERS, INTERACTIONS)
}
