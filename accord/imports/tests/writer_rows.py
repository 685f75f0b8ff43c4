"""Building the parsed rows the file readers hand the writer, so writer tests need no file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from accord.core.actors import Actor
from accord.imports.models import ImportRun
from accord.imports.rows import ParsedRow, RowError
from accord.imports.services import import_run_create, import_run_execute


def parsed(records: Iterable[Mapping[str, Any]], *, first_row: int = 2) -> list[ParsedRow]:
    """One ParsedRow per record, numbered as a spreadsheet would (header = row 1). A record's
    ``_error`` (column, reason) makes it a row the reader rejected."""
    rows = []
    for number, record in enumerate(records, start=first_row):
        values = {
            name: value
            for name, value in record.items()
            if not name.startswith("_") and value not in ("", None)
        }
        cells = [str(value) for name, value in record.items() if not name.startswith("_")]
        errors = [RowError(number, *record["_error"])] if "_error" in record else []
        rows.append(ParsedRow(row=number, values=values, cells=cells, errors=errors))
    return rows


def mapping_for(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each field mapped from a column of the same name, capitalised (a file's header)."""
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(name for name in record if not name.startswith("_")))
    return {name.replace("_", " ").title(): name for name in names}


def run_import(
    actor: Actor,
    kind: str,
    records: Sequence[Mapping[str, Any]],
    *,
    match_key: str = "none",
    on_duplicate: str = "skip",
    dry_run: bool = False,
    batch_size: int = 1000,
) -> ImportRun:
    run = import_run_create(
        actor=actor,
        kind=kind,
        file_name=f"{kind}.csv",
        mapping=mapping_for(records),
        match_key=match_key,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
    )
    return import_run_execute(run, parsed(records), batch_size=batch_size)


def counts(run: ImportRun) -> tuple[int, int, int, int]:
    return (run.created_count, run.updated_count, run.skipped_count, run.rejected_count)


def errors(run: ImportRun) -> list[tuple[int, str, str]]:
    return list(run.row_errors.order_by("row", "id").values_list("row", "column", "reason"))
