"""CSV exports of lists: the same scoping, filters and hidden fields as the list they come from."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from pydantic import BaseModel

from accord.core.actors import Actor
from accord.core.audit import audit_event
from accord.core.pagination import paginate, paginate_keys
from accord.core.permissions import hidden_keys, require_export

EXPORT_BATCH = 200
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection"); a leading
# apostrophe makes it text again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as spreadsheet-safe text: lists joined, objects as JSON, formulas neutralised."""
    if value is None:
        text = ""
    elif isinstance(value, list):
        text = "; ".join(cell(item) for item in value)
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header and then one line per row, as text chunks for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff"  # a byte-order mark, so that spreadsheet programs read UTF-8
    writer.writerow(columns)
    yield flush()
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
        yield flush()


def pages_of(
    queryset: QuerySet[Any],
    *,
    sort: str,
    load_rows: Callable[[list[int]], list[dict[str, Any]]] | None,
    dump: Callable[[Any], dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    """Every row of ``queryset`` in ``sort`` order, read a keyset page at a time (constant memory)."""
    cursor: str | None = None
    while True:
        if load_rows is not None:
            keys = paginate_keys(queryset, sort=sort, cursor=cursor, limit=EXPORT_BATCH)
            yield from (dump(row) for row in load_rows(keys.items))
            cursor = keys.next_cursor
        else:
            page = paginate(queryset, sort=sort, cursor=cursor, limit=EXPORT_BATCH)
            yield from (dump(record) for record in page.items)
            cursor = page.next_cursor
        if cursor is None:
            return


def csv_export(
    queryset: QuerySet[Any],
    *,
    actor: Actor,
    sort: str,
    load_rows: Callable[[list[int]], list[dict[str, Any]]] | None,
    schema: type[BaseModel],
    name: str,
    query: Mapping[str, Any],
) -> StreamingHttpResponse:
    """The rows of a scoped, filtered list as a CSV download, for the API and the web lists alike.

    It takes the role's export right; the columns are the fields of ``schema`` less the ones the role
    may not see; the export is audited with the query that chose its rows.
    """
    model = queryset.model
    require_export(actor, model)
    hidden = hidden_keys(actor, model)
    columns = [field for field in schema.model_fields if field not in hidden]
    audit_event(
        actor=actor,
        action="export",
        object_type=model._meta.label_lower,
        object_id=None,
        object_repr=f"Export of {name}",
        changes={"query": (None, dict(query))},
    )

    def dump(record: Any) -> dict[str, Any]:
        return schema.model_validate(record).model_dump()

    rows = pages_of(queryset, sort=sort, load_rows=load_rows, dump=dump)
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
