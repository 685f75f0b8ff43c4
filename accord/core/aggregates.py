"""Aggregates that Django does not ship for both of our databases."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, JSONField
from django.db.models.sql.compiler import SQLCompiler


class JSONArrayAgg(Aggregate):
    """The values of a group as a JSON array: ``json_group_array`` on SQLite, ``jsonb_agg`` on PostgreSQL.

    Lets a list read a record's small to-many values (its tag names) as one column of its row instead of a
    second query. The order of the elements is unspecified (SQLite 3.40 cannot order an aggregate).
    jsonb rather than json on PostgreSQL because Django reads jsonb as text for ``JSONField`` to decode.
    """

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)
