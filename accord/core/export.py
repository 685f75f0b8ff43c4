"""CSV exports of lists: the same scoping, filters and hidden fields as the list they come from."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from accord.core.pagination import paginate, paginate_keys

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
