"""Which existing record a row of a file is: its key (external id, email, phone or domain) and one query per
batch that finds the records holding the batch's keys.

Matching looks at every record, not only those the importing user sees: a row that matches a record they
may not change is rejected (without saying whose it is) rather than silently becoming a duplicate.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import connection, models

from accord.activities.models import Interaction
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone
from accord.sales.models import Deal, Lead, Order

NONE = "none"

# For each kind and match key: the row's field holding the key, then where records keep it (a model and
# its field, and for child rows the field pointing at the record).
KeySource = tuple[tuple[str, ...], type[models.Model], str, str]
KEY_SOURCES: dict[tuple[str, str], KeySource] = {
    ("companies", "external_id"): (("external_id",), Company, "external_id", "id"),
    ("companies", "domain"): (("domain",), Company, "domain", "id"),
    ("companies", "phone"): (("phone",), Company, "phone", "id"),
    ("contacts", "external_id"): (("external_id",), Contact, "external_id", "id"),
    ("contacts", "email"): (("email", "other_emails"), ContactEmail, "email", "contact_id"),
    ("contacts", "phone"): (("phone", "mobile_phone", "other_phones"), ContactPhone, "number", "contact_id"),
    ("leads", "external_id"): (("external_id",), Lead, "external_id", "id"),
    ("leads", "email"): (("email",), Lead, "email", "id"),
    ("leads", "phone"): (("phone",), Lead, "phone", "id"),
    ("deals", "external_id"): (("external_id",), Deal, "external_id", "id"),
    # An order's number is its external id, and unique: every import of orders matches on it.
    ("orders", "external_id"): (("number",), Order, "number", "id"),
    ("interactions", "external_id"): (("external_id",), Interaction, "external_id", "id"),
}


def key_fields(kind: str, match_key: str) -> tuple[str, ...]:
    """The row fields a key is read from, first found wins; () when the run does not match."""
    source = KEY_SOURCES.get((kind, match_key))
    return source[0] if source else ()


def row_key(kind: str, match_key: str, values: Mapping[str, Any]) -> str | None:
    """The key of a row: the first of its key fields with a value (a list field gives its first item)."""
    keys = row_keys(kind, match_key, values)
    return keys[0] if keys else None


def row_keys(kind: str, match_key: str, values: Mapping[str, Any]) -> list[str]:
    """Every key a record made from the row is found by (a contact's other emails, say), ``row_key`` first."""
    found: list[str] = []
    for name in key_fields(kind, match_key):
        value = values.get(name)
        items = value if isinstance(value, list) else [value]
        found += [str(item) for item in items if item]
    return found


def find_matches(kind: str, match_key: str, keys: Collection[str]) -> dict[str, int]:
    """The id of the record holding each key, with one query; the oldest record when several do."""
    source = KEY_SOURCES.get((kind, match_key))
    if source is None or not keys:
        return {}
    _, model, field, record = source
    found: dict[str, int] = {}
    for key, pk in _lookup(model, field, record, list(keys)):
        found.setdefault(key, pk)
    return found


def _lookup(model: type[models.Model], field: str, record: str, keys: list[str]) -> list[tuple[str, int]]:
    """(key, record id) of the rows holding ``keys``, oldest record first. Plain SQL: building the ORM's
    ``IN`` of a batch's 2,000 keys took longer than the database took to answer it. Every key column has
    an index (a test checks), so each key is one index lookup."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = {model_field.attname: str(model_field.column) for model_field in meta.concrete_fields}
    column, record_column = quote(columns[field]), quote(columns[record])
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One index lookup per key, in a lateral subquery that OFFSET 0 keeps from being merged into
            # the join: PostgreSQL costed ``column = ANY(keys)`` as a scan of the table as soon as it had a
            # few hundred thousand rows (10.6 ms against 3.5 ms per batch of 2,000 keys at 130,000 rows,
            # and the scan grows with the table: an import slowed down as it filled it). Never prepared: a
            # generic plan made while an import fills an empty table would keep scanning it.
            sql = (
                f"SELECT found.key, found.record FROM unnest(%s::text[]) AS wanted (key) CROSS JOIN LATERAL "
                f"(SELECT {column} AS key, {record_column} AS record FROM {table} "
                f"WHERE {column} = wanted.key OFFSET 0) AS found ORDER BY found.record"
            )
            cursor.cursor.execute(sql, [keys], prepare=False)
        else:
            cursor.execute(sqlite_lookup(table, column, record_column, len(keys)), keys)
        return list(cursor.fetchall())


def sqlite_lookup(table: str, column: str, record_column: str, count: int) -> str:
    """SQLite's lookup of ``count`` keys. The unary ``+`` keeps the ORDER BY from choosing an index: for a
    long ``IN`` list SQLite otherwise read the whole (contact, email) index, in contact order and holding
    both columns, instead of looking each email up. At 1,000,000 contacts that was 0.25 s per batch of
    5,000 emails instead of 0.02 s, a quarter of the import's time, and it grew with the table."""
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT {column}, {record_column} FROM {table} WHERE {column} IN ({marks}) ORDER BY +{record_column}"
    )
