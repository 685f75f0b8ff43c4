"""``UNION ALL`` of ordered, limited querysets, as SQL.

Django's ``union()`` refuses querysets that are ordered and sliced on SQLite, whose compound selects take
no ORDER BY or LIMIT in their arms. Wrapped as derived tables they are allowed on both databases, and
each arm keeps its own index range and its own limit, which is the point: a few short index walks
instead of one scan of everything the arms have in common.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet


def union_all(querysets: Sequence[QuerySet[Any, Any]]) -> tuple[str, list[Any]]:
    """``SELECT * FROM (arm 1) arm_0 UNION ALL SELECT * FROM (arm 2) arm_1 …`` and its parameters.

    Arms that can match nothing (Django raises ``EmptyResultSet`` for a condition such as ``pk__in=[]``)
    are left out; ``EmptyResultSet`` is raised when every arm is."""
    selects: list[str] = []
    params: list[Any] = []
    for index, queryset in enumerate(querysets):
        try:
            sql, arm_params = queryset.query.sql_with_params()
        except EmptyResultSet:
            continue
        selects.append(f"SELECT * FROM ({sql}) arm_{index}")
        params.extend(arm_params)
    if not selects:
        raise EmptyResultSet
    return " UNION ALL ".join(selects), params
