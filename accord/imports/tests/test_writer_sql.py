"""``writer_sql.Table``: rows go in as given, whichever way they are sent (SQLite: one JSON statement with
the columns shared by every row as parameters, or ``executemany`` for what JSON cannot carry; PostgreSQL:
``COPY``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from accord.core.models import AuditEntry, Tag
from accord.imports.writer_sql import Table

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's JSON statement")

AUDIT_COLUMNS = [
    "occurred_at",
    "actor_id",
    "via",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
]
WHEN = dt.datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _stored() -> list[tuple[Any, ...]]:
    return list(
        AuditEntry.objects.order_by("object_id").values_list(
            "occurred_at", "actor_id", "via", "action", "object_type", "object_id", "object_repr", "changes"
        )
    )


@pytest.mark.parametrize(
    "reprs",
    [
        ["Ada", "Alan", "Grace"],  # a varying column
        ["Same", "Same", "Same"],
        ["'quoted' \"text\" 100%", "é ✓ 日本", "line\nbreak\ttab \\ back"],
        # JSON cannot carry it into SQLite: executemany (PostgreSQL refuses NUL in text)
        pytest.param(["NUL\x00inside", "plain", "plain"], marks=sqlite_only),
    ],
)
def test_rows_are_stored_as_given(reprs: list[str]) -> None:
    rows = [
        (WHEN, None, "import", "create", "customers.contact", index + 1, text, {"n": index % 2})
        for index, text in enumerate(reprs)
    ]
    assert Table(AuditEntry, AUDIT_COLUMNS).insert(rows) == 3
    assert _stored() == [
        (WHEN, None, "import", "create", "customers.contact", index + 1, text, {"n": index % 2})
        for index, text in enumerate(reprs)
    ]


@sqlite_only
def test_values_equal_across_types_are_not_taken_for_one_shared_value() -> None:
    # 1 == 1.0 == True in Python, but SQLite's text column stores them as '1', '1.0' and '1'.
    rows: list[tuple[Any, ...]] = [
        (WHEN, None, "import", "create", "x", index, value, {}) for index, value in enumerate((1, 1.0, True))
    ]
    Table(AuditEntry, AUDIT_COLUMNS).insert(rows)
    assert [text for *_, text, _ in _stored()] == ["1", "1.0", "1"]


def test_rows_with_every_column_shared() -> None:
    row: tuple[Any, ...] = (WHEN, None, "import", "create", "x", 7, "same", {})
    assert Table(AuditEntry, AUDIT_COLUMNS).insert([row] * 3) == 3
    assert _stored() == [row] * 3


def test_no_rows_insert_nothing() -> None:
    assert Table(Tag, ["name"]).insert([]) == 0
    assert Tag.objects.count() == 0
