"""Exports of lists as CSV or XLSX: the same scoping, filters and hidden fields as the list they come from.

Both formats stream: rows are read a keyset page at a time and written as they come, so an export of a
million rows holds one page in memory, whatever its size (measured in benchmarks/export.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from django.db.models import Model, Q, QuerySet
from django.http import StreamingHttpResponse
from pydantic import BaseModel

from accord.core.actors import Actor
from accord.core.audit import audit_event
from accord.core.errors import ValidationFailed
from accord.core.permissions import hidden_keys, require_export
from accord.core.selectors import read_page
from accord.core.xlsx import xlsx_chunks

FileFormat = Literal["csv", "xlsx"]
FILE_FORMATS: tuple[FileFormat, ...] = ("csv", "xlsx")
# Rows per keyset page: large enough that the per-page queries cost little beside the rows themselves.
EXPORT_BATCH = 500
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection"); a leading
# apostrophe makes it text again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as spreadsheet-safe text: lists joined, objects as JSON, formulas neutralised."""
    if value is None:
        text = ""
    elif isinstance(value, list | tuple):
        text = "; ".join(cell(item) for item in value)
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header and then the rows, as text chunks for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"  # a byte-order mark, so that spreadsheet programs read UTF-8
    writer.writerow([cell(header) for header in headers])
    yield flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        # A chunk per row made the response's per-chunk work a fifth of an export's time.
        if count % 100 == 0:
            yield flush()
    yield flush()


def file_format(value: str | None) -> FileFormat:
    """``?format=`` of an export: csv (the default) or xlsx; 400 for anything else."""
    if value in (None, "", "csv"):
        return "csv"
    if value == "xlsx":
        return "xlsx"
    raise ValidationFailed({"format": ["Choose csv or xlsx."]})


def export_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, name: str, file_format: FileFormat
) -> StreamingHttpResponse:
    """``rows`` under ``headers`` as a CSV or XLSX download named ``name``, streamed."""
    content: Iterator[str] | Iterator[bytes]
    if file_format == "xlsx":
        content = xlsx_chunks(headers, rows, name=name, text=cell)
    else:
        content = csv_lines(headers, rows)
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def start_export(actor: Actor, model: type[Model], *, name: str, query: Mapping[str, Any]) -> None:
    """The role's export right (403 without), and the audit entry naming the query that chose the rows."""
    require_export(actor, model)
    audit_event(
        actor=actor,
        action="export",
        object_type=model._meta.label_lower,
        object_id=None,
        object_repr=f"Export of {name}",
        changes={"query": (None, dict(query))},
    )


def pages(
    records: Callable[[Q | None], QuerySet[Any]],
    *,
    actor: Actor,
    model: type[Model],
    query: str | None,
    sort: str,
    load_rows: Callable[[list[int]], list[Any]] | None,
    batch: int = EXPORT_BATCH,
) -> Iterator[list[Any]]:
    """Every row of a scoped list in ``sort`` order, a keyset page at a time (constant memory), read as
    the list reads its pages (``read_page``: by scope part, rows by id with ``load_rows``)."""
    cursor: str | None = None
    while True:
        page = read_page(
            records, actor=actor, model=model, query=query, sort=sort, cursor=cursor, limit=batch,
            load_rows=load_rows,
        )  # fmt: skip
        if page.items:
            yield page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def list_export(
    records: Callable[[Q | None], QuerySet[Any]],
    *,
    actor: Actor,
    model: type[Model],
    query: str | None,
    sort: str,
    load_rows: Callable[[list[int]], list[dict[str, Any]]] | None,
    schema: type[BaseModel],
    name: str,
    params: Mapping[str, Any],
    file_format: FileFormat = "csv",
) -> StreamingHttpResponse:
    """The rows of a scoped, filtered list as a CSV or XLSX download, as the API lists them.

    The columns are the fields of ``schema`` less the ones the role may not see; the export is audited
    with the query parameters that chose its rows.
    """
    start_export(actor, model, name=name, query=params)
    hidden = hidden_keys(actor, model)
    columns = [field for field in schema.model_fields if field not in hidden]

    def rows() -> Iterator[list[Any]]:
        for page in pages(records, actor=actor, model=model, query=query, sort=sort, load_rows=load_rows):
            for record in page:
                values = schema.model_validate(record).model_dump()
                yield [values.get(column) for column in columns]

    return export_response(columns, rows(), name=name, file_format=file_format)
