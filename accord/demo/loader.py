"""Bulk loading of generated rows: SQLite ``executemany`` or PostgreSQL ``COPY``, one transaction per
table, explicit ids, progress lines, and removal of everything loaded when a later table fails.

Rows bypass the ORM (a million model instances would cost more than the generation itself), so the
writer fills every concrete field the generator leaves out with that field's default, prepared for
the database by the field itself: a field added to a model later either has a default or makes
the demo fail loudly instead of silently writing wrong rows.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from django.core.management.color import no_style
from django.db import connections, models, transaction

# A larger page cache while loading keeps the random-order index inserts (emails, names) in memory.
SQLITE_LOAD_CACHE_KIB = 256 * 1024
CHUNK_ROWS = 50_000
DEFER_INDEXES_FROM_ROWS = 50_000


def chunks(total: int, size: int = CHUNK_ROWS) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` rows covering ``range(total)``."""
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))


@dataclass
class TableLoad:
    """What one table received: its ids are ``first_id .. first_id + rows - 1``."""

    model: type[models.Model]
    label: str
    first_id: int
    rows: int = 0
    seconds: float = 0.0


class TableWriter:
    """Appends rows to one table inside the loader's transaction; ids are assigned in order."""

    def __init__(self, loader: BulkLoader, load: TableLoad) -> None:
        self.loader = loader
        self.load = load
        self.started = time.perf_counter()
        self.fields = list(load.model._meta.concrete_fields)
        self.names = {f.attname for f in self.fields}
        table = loader.quote(load.model._meta.db_table)
        columns = ", ".join(loader.quote(str(f.column)) for f in self.fields)
        if loader.vendor == "postgresql":
            self.statement = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.statement = (
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"
            )

    @property
    def first_id(self) -> int:
        return self.load.first_id

    def write(self, size: int, columns: Mapping[str, Any]) -> None:
        """Insert ``size`` rows. ``columns`` maps field attnames (``owner_id``) to a sequence of
        ``size`` database-ready values or to one constant; missing fields take their default."""
        unknown = set(columns) - self.names
        if unknown:
            raise ValueError(f"{self.load.model.__name__} has no fields {sorted(unknown)}")
        first = self.load.first_id + self.load.rows
        values: list[Sequence[Any]] = []
        for model_field in self.fields:
            if model_field.primary_key:
                values.append(range(first, first + size))
                continue
            value = (
                columns[model_field.attname] if model_field.attname in columns else self._default(model_field)
            )
            if isinstance(value, np.ndarray):
                value = value.tolist()
            if isinstance(value, list | tuple | range):
                if len(value) != size:
                    raise ValueError(f"{model_field.attname}: {len(value)} values for {size} rows")
                values.append(value)
            else:
                values.append([value] * size)
        rows = list(zip(*values, strict=True))
        self.loader.insert(self.statement, rows)
        self.load.rows += size
        self.loader.progress(self.load, self.started)

    def _default(self, model_field: models.Field[Any, Any]) -> Any:
        value = model_field.get_default()  # '' for text fields without a default
        if value is None and not model_field.null:
            raise ValueError(f"{self.load.model.__name__}.{model_field.attname} needs a value")
        return model_field.get_db_prep_save(value, self.loader.connection)


@dataclass
class BulkLoader:
    """Loads tables one at a time; remembers what it loaded so ``unload`` can take it all back."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    using: str = "default"
    loads: list[TableLoad] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.connection = connections[self.using]
        self.vendor = self.connection.vendor
        self.interactive = self.out.isatty()

    def quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    # -- values in the form each database reads fastest -------------------------------------------

    def datetimes(self, seconds: np.ndarray) -> list[str]:
        """UTC epoch seconds as the text Django itself stores (SQLite) or ISO 8601 with zone (PostgreSQL)."""
        text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
        if self.vendor == "postgresql":
            return [value + "Z" for value in text.tolist()]
        # Django writes 'YYYY-MM-DD HH:MM:SS' on SQLite and compares datetimes as text, so the
        # separator must be the space: swap the 'T' in place on the fixed-width bytes.
        raw = text.astype("S19").view(np.uint8).reshape(-1, 19).copy()
        raw[:, 10] = ord(" ")
        return raw.view("S19").ravel().astype(str).tolist()

    @staticmethod
    def dates(days: np.ndarray) -> list[str]:
        """Days since the epoch as ISO dates."""
        return np.datetime_as_string(days.astype("datetime64[D]")).tolist()

    @staticmethod
    def money(cents: np.ndarray) -> list[float]:
        """Integer cents as amounts. Below 2**53 cents the shortest repr of cents / 100 is exactly the
        two-decimal amount, which is what both databases parse (and what SQLite stores anyway)."""
        return (cents / 100).tolist()

    # -- loading -------------------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[None]:
        """Settings for the duration of a load: a large page cache on SQLite."""
        if self.vendor != "sqlite":
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            previous = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(previous)}")

    @contextmanager
    def table(
        self, model: type[models.Model], label: str | None = None, *, rows: int
    ) -> Iterator[TableWriter]:
        """One table's load of ``rows`` rows in one transaction: all of them or none.

        When the load at least doubles a large table, its non-unique indexes are dropped and built
        again at the end (one sort instead of a million random inserts); unique indexes stay, so
        every constraint is still checked row by row.
        """
        label = label or str(model._meta.verbose_name_plural)
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            table = self.quote(model._meta.db_table)
            if self.vendor == "postgresql":
                # Explicit ids: keep other writers out of this table until the sequence is moved on.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"SELECT COALESCE(MAX({self.quote(str(model._meta.pk.column))}), 0) + 1 FROM {table}"
            )
            load = TableLoad(model=model, label=label, first_id=int(cursor.fetchone()[0]))
            defer_indexes = rows >= DEFER_INDEXES_FROM_ROWS and load.first_id - 1 < rows
            dropped = self._drop_secondary_indexes(cursor, model._meta.db_table) if defer_indexes else []
            writer = TableWriter(self, load)
            yield writer
            if load.rows != rows:
                raise ValueError(f"{label}: {load.rows} rows written instead of {rows}")
            self._create_indexes(cursor, dropped)
            for statement in self.connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
        load.seconds = time.perf_counter() - writer.started
        self.loads.append(load)
        self.report(load)

    def _drop_secondary_indexes(self, cursor: Any, table: str) -> list[str]:
        """Drop the table's non-unique indexes; the statements that create them again."""
        if self.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT index.relname, pg_get_indexdef(entry.indexrelid) FROM pg_index entry "
                "JOIN pg_class index ON index.oid = entry.indexrelid "
                "WHERE entry.indrelid = %s::regclass AND NOT entry.indisunique AND NOT entry.indisprimary",
                [self.quote(table)],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {self.quote(name)}")
        return [definition for _, definition in indexes]

    def _create_indexes(self, cursor: Any, statements: list[str]) -> None:
        if not statements:
            return
        if self.vendor == "postgresql":
            # Django's foreign keys are deferred; their pending checks must run before CREATE INDEX.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        if self.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def insert(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(statement, rows)

    def unload(self) -> int:
        """Delete every row this loader inserted, children first; the number of tables emptied."""
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            for load in reversed(self.loads):
                pk = self.quote(str(load.model._meta.pk.column))
                cursor.execute(
                    f"DELETE FROM {self.quote(load.model._meta.db_table)} WHERE {pk} >= %s AND {pk} < %s",
                    [load.first_id, load.first_id + load.rows],
                )
        emptied = len(self.loads)
        self.loads.clear()
        return emptied

    def optimize(self) -> None:
        """Fresh planner statistics after a bulk load; on SQLite also fold the write-ahead log back
        into the database file (outside a transaction only)."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                for table in dict.fromkeys(load.model._meta.db_table for load in self.loads):
                    cursor.execute(f"ANALYZE {self.quote(table)}")
                return
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
        if not self.connection.in_atomic_block:
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reporting -----------------------------------------------------------------------------------

    def progress(self, load: TableLoad, started: float) -> None:
        if self.interactive:
            seconds = time.perf_counter() - started
            self.out.write(f"\r  {load.label:<24}{load.rows:>12,} rows {seconds:7.1f} s")
            self.out.flush()

    def report(self, load: TableLoad) -> None:
        rate = load.rows / load.seconds if load.seconds > 0 else 0.0
        prefix = "\r" if self.interactive else ""
        self.out.write(
            f"{prefix}  {load.label:<24}{load.rows:>12,} rows {load.seconds:7.1f} s {rate:>10,.0f} rows/s\n"
        )
        self.out.flush()

    def rows_by_label(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for load in self.loads:
            totals[load.label] = totals.get(load.label, 0) + load.rows
        return totals
