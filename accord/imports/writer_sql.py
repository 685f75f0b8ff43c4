"""The SQL under the import writer: ids reserved in one query, rows inserted with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL), rows updated with one ``executemany`` per set of changed columns.

Rows bypass model instances, as ``accord.demo.loader`` does: building and saving a million model instances
would cost more than everything else an import does. Values are prepared for the database column by column
with the adapter of the column's model field, chosen once per table rather than once per value.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models

from accord.demo.loader import BulkLoader

Prepare = Callable[[Any], Any]
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
)


def _sqlite_datetime(value: Any) -> Any:
    """Django's own SQLite form ('YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC) without its per-value time zone
    lookup, which was a tenth of the writer's time for a contact."""
    if value is None:
        return None
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return str(value.replace(tzinfo=None))


def column_adapter(field: models.Field[Any, Any]) -> Prepare | None:
    """How a Python value of ``field`` is handed to the database; None when it is handed over as is."""
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if connection.vendor == "sqlite" else None
    if isinstance(field, models.JSONField):
        # JSON as text, which both databases parse on insert: psycopg's Jsonb wrapper would be dumped again
        # for every row of a COPY even when the rows share one value.
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    return lambda value: field.get_db_prep_save(value, connection)


class Table:
    """Inserts of one model's rows, given as tuples in the order of ``columns`` (field attnames)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.columns = list(columns)
        fields = {field.attname: field for field in model._meta.concrete_fields}
        adapters = [(index, column_adapter(fields[name])) for index, name in enumerate(self.columns)]
        self.adapters: list[tuple[int, Prepare]] = [
            (i, adapter) for i, adapter in adapters if adapter is not None
        ]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(str(fields[name].column)) for name in self.columns)
        self.into = f"INSERT INTO {table} ({names})"
        if connection.vendor == "postgresql":
            self.statement = f"COPY {table} ({names}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            self.statement = f"{self.into} VALUES ({marks})"

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert the rows in one statement; how many there were."""
        prepared = self._prepare(rows)
        if prepared and not self._insert_as_json(prepared):
            BulkLoader(out=io.StringIO()).insert(self.statement, prepared)
        if prepared:
            added = _rows_added()
            added[self.model._meta.db_table] = added.get(self.model._meta.db_table, 0) + len(prepared)
        return len(prepared)

    def _insert_as_json(self, rows: list[tuple[Any, ...]]) -> bool:
        """SQLite: the rows as one JSON array, read by one ``INSERT … SELECT`` over ``json_each``. SQLite
        runs it without holding Python's GIL, so another thread (the import's drafting, see
        ``accord.imports.pipeline``) keeps running meanwhile; ``executemany`` takes the GIL back after every
        row and waits for it each time while the other thread runs (20,000 rows: 30 s instead of 0.25 s).
        A column with one value in every row (a batch's timestamps, its owner, empty JSON) is a parameter
        of the statement, not a value in each row: less JSON to write in Python and to read in SQLite.

        False, and nothing written, when the rows hold what JSON cannot carry into SQLite: NaN and
        infinities, and NUL characters, at which SQLite's JSON functions cut text short. Other values are
        already in their SQLite form (text, numbers, None; ``str`` gives a decimal as SQLite's adapter
        would)."""
        if connection.vendor != "sqlite":
            return False
        picks: list[str] = []
        shared: list[Any] = []
        varying: list[Sequence[Any]] = []
        for column in zip(*rows, strict=True):
            if _one_value(column):
                picks.append("%s")
                shared.append(column[0])
            else:
                picks.append(f"value ->> {len(varying)}")
                varying.append(column)
        try:
            text = json.dumps(
                list(zip(*varying, strict=True)) if varying else [()] * len(rows),
                ensure_ascii=False,
                allow_nan=False,
                default=str,
            )
        except ValueError:
            return False
        if "\\u0000" in text:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"{self.into} SELECT {', '.join(picks)} FROM json_each(%s)", [*shared, text])
        return True

    def _prepare(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if not self.adapters:
            return [tuple(row) for row in rows]
        # Column by column: transposing with zip runs in C, and a column's loop stays short.
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        if not columns:
            return []
        for index, adapter in self.adapters:
            column = columns[index]
            # A column of one value (a batch's timestamps) is adapted once.
            columns[index] = (
                [adapter(column[0])] * len(column) if _one_value(column) else _adapted(column, adapter)
            )
        return list(zip(*columns, strict=True))


_NOTHING = object()


def _one_value(column: Sequence[Any]) -> bool:
    """Whether every value of the column is the same, of the same type (1 and True are not), both checked
    in C."""
    return column.count(column[0]) == len(column) and len(set(map(type, column))) == 1


def _adapted(values: Sequence[Any], adapter: Prepare) -> list[Any]:
    """``adapter`` applied to each value, reusing the previous result for a value equal to the previous one
    (of the same type: 1 and True dump differently): a batch's rows mostly share their timestamps and empty
    JSON, and the adapters (JSON dumps, time zone conversion) cost more than the comparison."""
    adapted = []
    previous: Any = _NOTHING
    result: Any = None
    for value in values:
        if value is not previous and (type(value) is not type(previous) or value != previous):
            previous, result = value, adapter(value)
        adapted.append(result)
    return adapted


# Rows inserted per table since its statistics were last refreshed, per thread (a worker may run imports
# side by side); see ``refresh_statistics``.
_added = threading.local()
SMALLEST_ANALYZED_GROWTH = 1000  # rows: below, a wrong estimate costs less than analysing


def _rows_added() -> dict[str, int]:
    if not hasattr(_added, "rows"):
        _added.rows = {}
    rows: dict[str, int] = _added.rows
    return rows


def refresh_statistics() -> list[str]:
    """ANALYZE the tables an import has grown to about twice what their statistics say (PostgreSQL); the
    tables analysed.

    An import fills tables faster than autovacuum analyses them (it looks once a minute). Planned with
    statistics that still say a table is empty, as after a revert or a mass delete, PostgreSQL looked a
    batch's keys up with a scan of the whole growing table: the first 100,000 rows of an import of
    1,000,000 contacts took 48 s instead of 10 s. Analysing each table when it has doubled costs about
    1.6 s over that import.
    """
    added = _rows_added()
    if connection.vendor != "postgresql" or not added:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, GREATEST(reltuples, 0) FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(added)],
        )
        counted = dict(cursor.fetchall())
        grown = [
            table
            for table, rows in added.items()
            if rows >= max(SMALLEST_ANALYZED_GROWTH, counted.get(table, 0))
        ]
        for table in grown:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            del added[table]
    return grown


_SEQUENCES: dict[str, str] = {}


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``, reserved with one query, for rows inserted with explicit ids
    (their children need the ids before the parents' rows go in with the same statement as the others)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if table not in _SEQUENCES:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                _SEQUENCES[table] = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_SEQUENCES[table], count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the import's transaction holds the database's write lock (BEGIN IMMEDIATE), so nobody
        # else can take these ids; AUTOINCREMENT's counter is read too, so ids of deleted rows are not reused.
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX({quote(column)}) FROM {quote(table)}), 0))",
            [table],
        )
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


def update_rows(model: type[models.Model], changes: Mapping[int, Mapping[str, Any]], *, bump: bool) -> None:
    """Set the given fields of each record (pk -> {attname: value}), with one ``executemany`` per set of
    changed fields. ``bump``: also add one to ``version`` and set ``updated_at`` to now, as a service's save does."""
    from django.utils import timezone

    fields = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, values in changes.items():
        groups.setdefault(tuple(sorted(values)), []).append(pk)
    now = timezone.now()
    for names, pks in groups.items():
        assignments = [f"{quote(str(fields[name].column))} = %s" for name in names]
        if bump:
            assignments += [f"{quote('version')} = {quote('version')} + 1", f"{quote('updated_at')} = %s"]
        statement = (
            f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "
            f"WHERE {quote(str(model._meta.pk.column))} = %s"
        )
        adapters = [column_adapter(fields[name]) for name in names]
        stamp = [_prepare_one(fields["updated_at"], now)] if bump else []
        rows = [
            [
                *(
                    adapter(changes[pk][name]) if adapter else changes[pk][name]
                    for name, adapter in zip(names, adapters, strict=True)
                ),
                *stamp,
                pk,
            ]
            for pk in pks
        ]
        with connection.cursor() as cursor:
            cursor.executemany(statement, rows)


def _prepare_one(field: models.Field[Any, Any], value: Any) -> Any:
    adapter = column_adapter(field)
    return adapter(value) if adapter else value


def delete_rows(model: type[models.Model], column: str, values: Sequence[Any]) -> None:
    """Delete the rows whose ``column`` is one of ``values``, in chunks the databases accept as parameters."""
    quote = connection.ops.quote_name
    for start in range(0, len(values), 900):
        chunk = list(values[start : start + 900])
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({marks})", chunk
            )
