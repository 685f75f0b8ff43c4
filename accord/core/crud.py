"""Registers the five standard endpoints of a resource (list, create, read, update, delete) on a router.

Every resource answers the same way (cursor pages, ETag/If-Match, the error shape), so the routes are
written once here; each app supplies its schemas, selectors and services in a ``Resource``.
This module deliberately does not use postponed annotations: ninja reads the parameter types of the
generated functions at registration time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import FilterSchema, Query, Router, Schema
from pydantic import BaseModel, create_model

from accord.core.actors import Actor
from accord.core.api import expected_version, set_etag
from accord.core.pagination import paginate, paginate_keys
from accord.core.schemas import ErrorOut, RecordId

ERRORS: dict[int | tuple[int, ...], Any] = {
    (400, 401, 403, 404, 409, 412, 413, 422, 429): ErrorOut,
}


def actor_of(request: HttpRequest) -> Actor:
    """The actor set by whichever authenticator accepted the request."""
    return request.actor  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Resource:
    """What a resource plugs into the standard routes; selectors scope reads, services audit writes."""

    plural: str  # URL segment and operation-id stem, e.g. "contacts"
    singular: str
    out_schema: type[Schema]
    create_schema: type[Schema]
    update_schema: type[Schema]
    filter_schema: type[FilterSchema]
    sort_fields: tuple[str, ...]
    list_records: Callable[..., QuerySet[Any]]  # (*, actor, filters, query, params) -> QuerySet
    get_record: Callable[..., Model]  # (*, actor, pk) -> Model, NotFound when invisible
    create: Callable[..., Model]  # (*, actor, data) -> Model
    update: Callable[..., Model]  # (*, actor, instance, data, expected_version) -> Model
    delete: Callable[..., None]  # (*, actor, instance, expected_version) -> None
    # Lists may show a lighter summary than the detail. With ``load_rows`` a page is found as ids by
    # ``list_records`` and its rows are read by id, in the order given (see accord.core.batch_query).
    list_schema: type[BaseModel] | None = None
    load_rows: Callable[[list[int]], list[dict[str, Any]]] | None = None


def page_schema(item_schema: type[BaseModel], plural: str) -> type[Schema]:
    return create_model(
        f"{item_schema.__name__.removesuffix('Out').removesuffix('ListItem')}Page",
        __base__=Schema,
        items=(list[item_schema], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, None),
    )


def add_crud_routes(router: Router, resource: Resource) -> None:
    out_schema = resource.out_schema
    create_schema = resource.create_schema
    update_schema = resource.update_schema
    filter_schema = resource.filter_schema
    sort_type = Literal[resource.sort_fields]  # type: ignore[name-defined]
    name = resource.singular

    @router.get(
        "",
        response={200: page_schema(resource.list_schema or out_schema, resource.plural), **ERRORS},
        operation_id=f"list_{resource.plural}",
        summary=f"List {resource.plural}",
    )
    def list_records(
        request: HttpRequest,
        filters: filter_schema = Query(...),  # type: ignore[valid-type]
        q: str | None = None,
        sort: sort_type = resource.sort_fields[0],
        cursor: str | None = None,
        limit: int = Query(50, ge=1, le=200),
    ) -> dict[str, Any]:
        queryset = resource.list_records(
            actor=actor_of(request), filters=filters, query=q, params=request.GET
        )
        if resource.load_rows is not None:
            keys = paginate_keys(queryset, sort=sort, cursor=cursor, limit=limit)
            return {"items": resource.load_rows(keys.items), "next_cursor": keys.next_cursor}
        page = paginate(queryset, sort=sort, cursor=cursor, limit=limit)
        return {"items": page.items, "next_cursor": page.next_cursor}

    @router.post(
        "",
        response={201: out_schema, **ERRORS},
        operation_id=f"create_{name}",
        summary=f"Create a {name}",
    )
    def create_record(
        request: HttpRequest,
        payload: create_schema,  # type: ignore[valid-type]
        response: HttpResponse,
    ) -> tuple[int, Model]:
        instance = resource.create(actor=actor_of(request), data=payload.dict(exclude_unset=True))  # type: ignore[attr-defined]
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return 201, instance

    @router.get(
        "/{int:record_id}",
        response={200: out_schema, **ERRORS},
        operation_id=f"get_{name}",
        summary=f"Read a {name}",
    )
    def get_record(request: HttpRequest, record_id: RecordId, response: HttpResponse) -> Model:
        instance = resource.get_record(actor=actor_of(request), pk=record_id)
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return instance

    @router.patch(
        "/{int:record_id}",
        response={200: out_schema, **ERRORS},
        operation_id=f"update_{name}",
        summary=f"Update a {name} (send If-Match with its ETag to refuse stale writes)",
    )
    def update_record(
        request: HttpRequest,
        record_id: RecordId,
        payload: update_schema,  # type: ignore[valid-type]
        response: HttpResponse,
    ) -> Model:
        actor = actor_of(request)
        instance = resource.get_record(actor=actor, pk=record_id)
        instance = resource.update(
            actor=actor,
            instance=instance,
            data=payload.dict(exclude_unset=True),  # type: ignore[attr-defined]
            expected_version=expected_version(request),
        )
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return instance

    @router.delete(
        "/{int:record_id}",
        response={204: None, **ERRORS},
        operation_id=f"delete_{name}",
        summary=f"Delete a {name}",
    )
    def delete_record(request: HttpRequest, record_id: RecordId) -> tuple[int, None]:
        actor = actor_of(request)
        instance = resource.get_record(actor=actor, pk=record_id)
        resource.delete(actor=actor, instance=instance, expected_version=expected_version(request))
        return 204, None
