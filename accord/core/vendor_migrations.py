"""Migration operations for SQL that only one database has: SQLite's FTS5 tables and triggers, PostgreSQL's
GIN and pattern indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def run_sql_on(vendor: str, forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run ``forward`` (``backward`` when unapplied) on a ``vendor`` database, nothing on the other."""

    def runner(statements: Sequence[str]) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == vendor:
                for statement in statements:
                    schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))
