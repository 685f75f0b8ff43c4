"""Reads of a batch of records by id, with the SQL compiled once per database and batch size.

A list page is found in two steps: a small ORM query that scopes, filters and walks the keyset returns
the ids of the page (``accord.core.pagination.paginate_keys``), then the page's rows are read by those
ids. The row query of a contact list (four correlated subqueries) took Django longer to build and compile
than the database took to run it (0.9 ms against 0.2 ms per page, measured in benchmarks/api.py), and its
SQL only changes with the number of ids. So a ``BatchQuery`` compiles it once per (database, number of
ids), with sentinel ids that it then swaps for the real ones, and applies the same converters Django
would (datetimes and JSON on SQLite, for instance), so the rows equal what ``values()`` returns.

Only ids that a scoped query has already returned may be passed in: a batch query does no scoping.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import JSONField, QuerySet
from django.db.models.fields.json import KeyTransform

# Far above any real id, so a sentinel is found only where the ids went into the SQL parameters.
_SENTINEL_BASE = 2**62


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    id_positions: tuple[int, ...]  # where each id goes in ``params``, in the order of the ids
    columns: tuple[str, ...]
    id_index: int  # of the id column
    converters: dict[int, tuple[list[Callable[..., Any]], Any]]

    @cached_property
    def around_first_id(self) -> tuple[str, str, tuple[Any, ...]]:
        """The SQL before and after the first id's placeholder ("… WHERE id IN (" and ")"), and the
        parameters without that id."""
        position = self.id_positions[0]
        start, end = _placeholders(self.sql)[position]
        return self.sql[:start], self.sql[end:], self.params[:position] + self.params[position + 1 :]


class BatchQuery:
    """``build(ids)`` returns a ``values()`` queryset of the rows of those ids; ``rows(ids)`` runs it, and
    ``finish`` (if any) completes each row in Python. Called with ids, it is a list's ``load_rows``.

    ``build`` must use the ids only in a ``pk__in``-style filter, so that the SQL does not depend on
    their values; ``_compile`` checks that every sentinel id appears exactly once in the parameters.
    """

    def __init__(
        self,
        build: Callable[[list[int]], QuerySet[Any, Any]],
        finish: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._build = build
        self._finish = finish
        self._compiled: dict[tuple[str, int], _Compiled] = {}

    def __call__(self, ids: list[int]) -> list[dict[str, Any]]:
        """The rows of ``ids``, in that order."""
        by_id = {row["id"]: row for row in self.rows(ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def rows(self, ids: Sequence[int], *, using: str = DEFAULT_DB_ALIAS) -> list[dict[str, Any]]:
        """The rows of ``ids`` as dictionaries, in no particular order; ids without a row are skipped."""
        if not ids:
            return []
        compiled = self._compiled.get((using, len(ids))) or self._compile(using, len(ids))
        params = list(compiled.params)
        for position, pk in zip(compiled.id_positions, ids, strict=True):
            params[position] = pk
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return [self._row(values, 0, compiled, connection) for values in cursor.fetchall()]

    def rows_with_keys(
        self, keys_sql: str, keys_params: Sequence[Any], *, order: str, using: str = DEFAULT_DB_ALIAS
    ) -> list[tuple[int, Any, dict[str, Any] | None]]:
        """(id, sort value, row) of each (id, sort value) that ``keys_sql`` selects, sorted by ``order``
        (the two columns by position: "2 ASC, 1 ASC"), in one statement on PostgreSQL; the row is None
        when the id has none. ``keys_sql`` must be a scoped query: its ids are not checked again.

        The row query runs for each key as a lateral subquery: 0.33 ms for a page of 50 contacts, against
        0.36 ms with the keys in a CTE joined to the rows of ``id IN (SELECT … FROM cte)``, and 0.39 ms
        for the two statements one after the other.
        """
        connection = connections[using]
        assert connection.vendor == "postgresql", "LATERAL is PostgreSQL's"
        compiled = self._compiled.get((using, 1)) or self._compile(using, 1)
        before, after, row_params = compiled.around_first_id
        sql = (
            f"SELECT page.key_id, page.key_value, page_row.* FROM ({keys_sql}) page (key_id, key_value) "
            f"LEFT JOIN LATERAL ({before}page.key_id{after}) page_row ON TRUE ORDER BY {order}"
        )
        params = [*keys_params, *row_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        id_index = 2 + compiled.id_index
        return [
            (
                values[0],
                values[1],
                self._row(values, 2, compiled, connection) if values[id_index] is not None else None,
            )
            for values in found
        ]

    def _row(self, values: Sequence[Any], start: int, compiled: _Compiled, connection: Any) -> dict[str, Any]:
        """The row of ``values[start:]``, converted as the ORM converts it, then finished."""
        row = list(values[start:]) if start else list(values)
        for index, (converters, expression) in compiled.converters.items():
            for convert in converters:
                row[index] = convert(row[index], expression, connection)
        result = dict(zip(compiled.columns, row, strict=True))
        if self._finish is not None:
            self._finish(result)
        return result

    def _compile(self, using: str, count: int) -> _Compiled:
        sentinels = [_SENTINEL_BASE + offset for offset in range(count)]
        query = self._build(sentinels).query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        positions = tuple(params.index(sentinel) for sentinel in sentinels)
        assert sum(isinstance(p, int) and p >= _SENTINEL_BASE for p in params) == count, sql
        assert len(_placeholders(sql)) == len(params), sql  # the n-th placeholder holds the n-th parameter
        columns = (*query.extra_select, *query.values_select, *query.annotation_select)
        assert len(columns) == compiler.col_count, (columns, sql)
        assert "id" in columns, f"rows read by id select it: {columns}"
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        for index, (functions, expression) in converters.items():
            converters[index] = ([_faster(function, expression) for function in functions], expression)
        compiled = _Compiled(sql, tuple(params), positions, columns, columns.index("id"), converters)
        self._compiled[(using, count)] = compiled
        return compiled


_PERCENT_SIGN = re.compile(r"%[%s]")


def _placeholders(sql: str) -> list[tuple[int, int]]:
    """Where the parameter placeholders ("%s") of Django's SQL are; "%%" is a literal percent sign."""
    return [match.span() for match in _PERCENT_SIGN.finditer(sql) if match.group() == "%s"]


def _faster(convert: Callable[..., Any], expression: Any) -> Callable[..., Any]:
    """``convert``, or an equivalent that is cheaper per value.

    A page of contacts decodes two JSON columns per row (custom fields, tag names); orjson does it in a
    fraction of the time of ``json.loads`` behind ``JSONField.from_db_value`` (0.1 ms of a 2 ms list
    request), with the same values. Fields with their own decoder keep Django's converter. On SQLite,
    each datetime only needs its UTC zone, without Django's checks around it.
    """
    owner = getattr(convert, "__self__", None)
    if (
        isinstance(owner, BaseDatabaseOperations)
        and owner.connection.vendor == "sqlite"
        and getattr(convert, "__name__", "") == "convert_datetimefield_value"
        and settings.USE_TZ
        and owner.connection.timezone is dt.UTC
    ):
        return _sqlite_utc_datetime
    field = owner
    if (
        isinstance(field, JSONField)
        and getattr(convert, "__func__", None) is JSONField.from_db_value
        and field.decoder is None
        and not isinstance(expression, KeyTransform)
    ):
        return _json_from_db
    return convert


# orjson reads an integer beyond 64 bits as a float: text with such a run of digits goes to ``json``.
_LONG_DIGIT_RUN = re.compile(r"\d{19}")
_DJANGO_JSON = JSONField()


def _sqlite_utc_datetime(value: Any, expression: Any, connection: Any) -> Any:
    """SQLite's datetimes, stored in UTC and already parsed by the driver, made aware (as Django does)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return connection.ops.convert_datetimefield_value(value, expression, connection)


def _json_from_db(value: Any, expression: Any, connection: Any) -> Any:
    if isinstance(value, str) and _LONG_DIGIT_RUN.search(value) is None:
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses (NaN, lone surrogates) is decoded as Django would
    return _DJANGO_JSON.from_db_value(value, expression, connection)
