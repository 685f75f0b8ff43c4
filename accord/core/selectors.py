"""Read helpers shared by the domain selectors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from ninja import FilterSchema

from accord.core.actors import Actor
from accord.core.batch_query import BatchQuery
from accord.core.custom_fields import custom_field_filter
from accord.core.models import CustomField
from accord.core.pagination import Page, paginate, paginate_keys, paginate_rows
from accord.core.permissions import require_view, scope_parts, visible_to
from accord.core.search import search

ModelT = TypeVar("ModelT", bound=Model)

# ``?q=`` on a list narrows it to this many best search hits; the list's own sort then applies.
LIST_SEARCH_LIMIT = 500


def filtered_list(
    actor: Actor,
    queryset: QuerySet[ModelT],
    *,
    filters: FilterSchema | None,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    search_kind: str | None = None,
    custom_field_object: str | None = None,
    text_fields: tuple[str, ...] = (),
    part: Q | None = None,
) -> QuerySet[ModelT]:
    """The actor's visible records narrowed by filters, custom-field filters (``cf.<key>``) and ``q``.

    Filters across to-many relations (tag name, email, company) match at most one related row per
    record because those rows are unique per record, so no DISTINCT is needed.
    ``q`` uses the search index for searchable kinds, else a case-insensitive match on ``text_fields``.
    """
    require_view(actor, queryset.model)
    if part is None:
        queryset = visible_to(actor, queryset)
    else:
        # One part of the actor's scope instead of the whole (a list page reads each part in index order).
        if part not in (scope_parts(actor, queryset.model) or ()):
            raise ValueError("part must be one of scope_parts(actor, model)")
        queryset = queryset.filter(part)
    # Each filter() copies the query, so conditions that are empty (no filter given) are left out.
    conditions = [filter_condition(actor, filters)] if filters is not None else []
    if custom_field_object and params:
        conditions.append(custom_field_filter(custom_field_object, params))
    if any(conditions):
        queryset = queryset.filter(*conditions)
    if query and query.strip():
        if search_kind is not None:
            ids = [
                hit.object_id
                for hit in search(query, actor=actor, kinds=[search_kind], limit=LIST_SEARCH_LIMIT)
            ]
            queryset = queryset.filter(pk__in=ids)
        else:
            condition = Q()
            for name in text_fields:
                condition |= Q(**{f"{name}__icontains": query.strip()})
            queryset = queryset.filter(condition)
    return queryset


def filter_condition(actor: Actor, filters: FilterSchema) -> Q:
    """``filters`` as one condition, built once per request: a list read in parts (``scope_parts``)
    narrows each part by the same filters, and ninja builds the condition field by field each time."""
    if not filters.model_fields_set:
        # No filter given (most list requests): the condition of the defaults, built once per schema.
        return _default_condition(type(filters))
    key = ("filter_condition", id(filters))
    derived = actor.access.derived
    if key not in derived:
        # The filters are kept beside their condition so that their id cannot be reused in this request.
        derived[key] = (filters, filters.get_filter_expression())
    condition: Q = derived[key][1]
    return condition


@cache
def _default_condition(schema: type[FilterSchema]) -> Q:
    return schema().get_filter_expression()


def custom_field_definitions(object_type: str) -> list[CustomField]:
    """The custom fields administrators defined on a type, by key: every signed-in user reads them (the
    values are part of the records they already see)."""
    return list(CustomField.objects.filter(object_type=object_type).order_by("key"))


def records_in_order(queryset: QuerySet[ModelT], ids: list[int]) -> list[ModelT]:
    """The records of ``ids`` (with the queryset's prefetches), in the order of ``ids``."""
    by_id = queryset.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def read_page(
    records: Callable[[Q | None], QuerySet[Any]],
    *,
    actor: Actor,
    model: type[Model],
    query: str | None,
    sort: str,
    cursor: str | None,
    limit: int,
    load_rows: Callable[[list[int]], list[Any]] | None = None,
) -> Page[Any]:
    """One keyset page of a scoped list, as the API and the web lists read it.

    ``records(part)`` is the list's selector (``part``: one of ``scope_parts``, or None for the whole
    scope); ``load_rows`` reads a page's rows by id (a ``BatchQuery`` reads them with the page's keys,
    ``paginate_rows``), else the records are read with the selector's prefetches. A scope made of a few
    owners and some shares is read part by part, each in index order; a search (``query``) already
    narrows the list to a few hundred records, so it needs no parts.
    """
    scope = scope_parts(actor, model) if not (query and query.strip()) else None
    if not scope and load_rows is None:
        return paginate(records(None), sort=sort, cursor=cursor, limit=limit)
    querysets = [records(part) for part in scope] if scope else [records(None)]
    if isinstance(load_rows, BatchQuery):
        return paginate_rows(load_rows, *querysets, sort=sort, cursor=cursor, limit=limit)
    keys = paginate_keys(*querysets, sort=sort, cursor=cursor, limit=limit)
    rows = load_rows(keys.items) if load_rows else records_in_order(records(None), keys.items)
    return Page(items=rows, next_cursor=keys.next_cursor)
