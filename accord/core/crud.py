"""Registers the five standard endpoints of a resource (list, create, read, update, delete) on a router.

Every resource answers the same way (cursor pages, ETag/If-Match, the error shape), so the routes are
written once here; each app supplies its schemas, selectors and services in a ``Resource``.
This module deliberately does not use postponed annotations: ninja reads the parameter types of the
generated functions at registration time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import FilterSchema, Query, Router, Schema, Status
from pydantic import BaseModel, Field, create_model

from accord.core.actors import Actor
from accord.core.api import ORJSONRenderer, expected_version, set_etag
from accord.core.duplicates import reject_likely_duplicates
from accord.core.export import CONTENT_TYPES, FileFormat, list_export
from accord.core.patch import nulls_as_cleared
from accord.core.permissions import hidden_keys
from accord.core.schemas import ErrorOut, RecordId
from accord.core.selectors import read_page

ERRORS: dict[int | tuple[int, ...], Any] = {
    (400, 401, 403, 404, 409, 412, 413, 422, 429): ErrorOut,
}


def actor_of(request: HttpRequest) -> Actor:
    """The actor set by whichever authenticator accepted the request."""
    return request.actor  # type: ignore[attr-defined]


def without_hidden_fields(
    request: HttpRequest,
    model: type[Model],
    schema: type[BaseModel],
    result: Any,
    *,
    status: int = 200,
    headers: HttpResponse | None = None,
    records: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> Any:
    """``result`` as ninja would return it, less the fields the actor's role may not see.

    Those fields are optional in the schema, so a response without them is still valid; it is rendered
    here because ninja's own validation would put them back as nulls. With nothing hidden (most
    requests) the result goes through ninja unchanged. A page's items are filtered one by one;
    ``records`` finds the records of ``model`` elsewhere in the response (a lead inside a conversion).
    """
    hidden = hidden_keys(actor_of(request), model)
    if not hidden:
        return Status(status, result)
    data = schema.model_validate(result).model_dump()
    if records is None:
        records = _page_items if "items" in data and "next_cursor" in data else _itself
    for item in records(data):
        for key in hidden & item.keys():
            del item[key]
    response = _json_response(request, data, status)
    for name, value in headers.items() if headers is not None else ():
        response[name] = value
    return response


def rows_page_response(
    request: HttpRequest,
    model: type[Model],
    schema: type[BaseModel],
    rows: list[dict[str, Any]],
    next_cursor: str | None,
) -> HttpResponse:
    """A list page whose rows ``Resource.load_rows`` read as dicts already shaped like the list schema
    (its keys, their types), sent as they are, less the fields the actor's role may not see.

    Validating and dumping 50 such rows again cost 0.29 ms of a 2.3 ms list request on PostgreSQL,
    more than reading them (benchmarks/api.py). With ``ACCORD_VERIFY_ROW_PAGES`` (on in the tests) each
    page is also validated and must equal what ninja's validation would have sent.
    """
    hidden = hidden_keys(actor_of(request), model)
    for row in rows:
        for key in hidden & row.keys():
            del row[key]
    data = {"items": rows, "next_cursor": next_cursor}
    if settings.ACCORD_VERIFY_ROW_PAGES:
        _verify_row_page(schema, data, hidden)
    return _json_response(request, data, 200)


def _verify_row_page(schema: type[BaseModel], data: dict[str, Any], hidden: frozenset[str]) -> None:
    expected = schema.model_validate(data).model_dump()
    for item in expected["items"]:
        for key in hidden & item.keys():
            del item[key]
    for sent, validated in zip(data["items"], expected["items"], strict=True):
        # Compared with their types: 1 == 1.0, but JSON writes them differently.
        sent_typed, validated_typed = _typed(sent), _typed(validated)
        if sent_typed != validated_typed:
            keys = sorted(
                key
                for key in sent.keys() | validated.keys()
                if sent_typed.get(key) != validated_typed.get(key)
            )
            raise AssertionError(f"{schema.__name__}: rows differ from their validation in {keys}: {sent}")


def _typed(row: dict[str, Any]) -> dict[str, tuple[Any, type]]:
    return {key: (value, type(value)) for key, value in row.items()}


def _json_response(request: HttpRequest, data: Any, status: int) -> HttpResponse:
    """``data`` rendered as ninja renders responses (``NinjaAPI.create_response``)."""
    renderer = ORJSONRenderer()
    return HttpResponse(
        renderer.render(request, data, response_status=status),
        status=status,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )


@dataclass(frozen=True)
class Resource:
    """What a resource plugs into the standard routes; selectors scope reads, services audit writes."""

    plural: str  # URL segment and operation-id stem, e.g. "contacts"
    singular: str
    model: type[Model]
    out_schema: type[Schema]
    create_schema: type[Schema]
    update_schema: type[Schema]
    filter_schema: type[FilterSchema]
    sort_fields: tuple[str, ...]
    list_records: Callable[..., QuerySet[Any]]  # (*, actor, filters, query, params, part) -> QuerySet
    get_record: Callable[..., Model]  # (*, actor, pk) -> Model, NotFound when invisible
    create: Callable[..., Model]  # (*, actor, data) -> Model
    update: Callable[..., Model]  # (*, actor, instance, data, expected_version) -> Model
    delete: Callable[..., None]  # (*, actor, instance, expected_version) -> None
    # Lists may show a lighter summary than the detail. With ``load_rows`` a page is found as ids by
    # ``list_records`` and its rows are read by id, in the order given (see accord.core.batch_query), as
    # dicts with exactly the fields of ``list_schema`` in their types (sent unvalidated: rows_page_response).
    list_schema: type[BaseModel] | None = None
    load_rows: Callable[[list[int]], list[dict[str, Any]]] | None = None
    # Whether create takes ``?on_duplicate=reject`` (companies, contacts: accord.core.duplicates).
    detects_duplicates: bool = False


class NoCreateOptions(Schema):
    pass


class DuplicateOptions(Schema):
    on_duplicate: Literal["create", "reject"] = Field(
        "create",
        description=(
            "`reject`: answer 409 `likely_duplicate` with the `candidates` (id, name, score, evidence) "
            "when records you can see look like this one, instead of creating it."
        ),
    )


class CountOut(Schema):
    count: int


def _page_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data["items"])


def _itself(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [data]


def _scoped(
    resource: Resource, actor: Actor, filters: FilterSchema, q: str | None, request: HttpRequest
) -> Callable[[Q | None], QuerySet[Any]]:
    """The list's selector as ``read_page`` calls it, with one part of the actor's scope or all of it."""

    def records(part: Q | None = None) -> QuerySet[Any]:
        # Only owned types have scope parts; other selectors (custom fields) take no ``part``.
        scope = {"part": part} if part is not None else {}
        return resource.list_records(actor=actor, filters=filters, query=q, params=request.GET, **scope)

    return records


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

    create_options = DuplicateOptions if resource.detects_duplicates else NoCreateOptions
    list_item_schema = resource.list_schema or out_schema
    list_page = page_schema(list_item_schema, resource.plural)

    @router.get(
        "",
        response={200: list_page, **ERRORS},
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
    ) -> Any:
        actor = actor_of(request)
        records = _scoped(resource, actor, filters, q, request)
        page = read_page(
            records, actor=actor, model=resource.model, query=q, sort=sort, cursor=cursor, limit=limit,
            load_rows=resource.load_rows,
        )  # fmt: skip
        if resource.load_rows is not None:
            return rows_page_response(request, resource.model, list_page, page.items, page.next_cursor)
        return without_hidden_fields(
            request, resource.model, list_page, {"items": page.items, "next_cursor": page.next_cursor}
        )

    @router.get(
        "/count",
        response={200: CountOut, **ERRORS},
        operation_id=f"count_{resource.plural}",
        summary=f"Count {resource.plural} (the same filters and search as the list)",
    )
    def count_records(
        request: HttpRequest,
        filters: filter_schema = Query(...),  # type: ignore[valid-type]
        q: str | None = None,
    ) -> dict[str, int]:
        actor = actor_of(request)
        queryset = resource.list_records(actor=actor, filters=filters, query=q, params=request.GET)
        return {"count": queryset.count()}

    @router.get(
        "/export",
        response={200: None, **ERRORS},
        operation_id=f"export_{resource.plural}",
        summary=f"Export {resource.plural} as CSV or XLSX (the same filters, search and sort as the list)",
        description=(
            "Every matching record the caller may see, streamed: `format=csv` (UTF-8 with a byte-order "
            "mark) or `format=xlsx` (one sheet, typed cells, a frozen header row). Fields the caller's role "
            "may not see are left out; text that a spreadsheet would read as a formula starts with `'`."
        ),
        openapi_extra={
            "responses": {
                200: {
                    "description": "The records as CSV or XLSX",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
    )
    def export_records(
        request: HttpRequest,
        filters: filter_schema = Query(...),  # type: ignore[valid-type]
        q: str | None = None,
        sort: sort_type = resource.sort_fields[0],
        format: FileFormat = "csv",
    ) -> StreamingHttpResponse:
        actor = actor_of(request)
        return list_export(
            _scoped(resource, actor, filters, q, request), actor=actor, model=resource.model, query=q, sort=sort, load_rows=resource.load_rows,
            schema=list_item_schema, name=resource.plural, params=request.GET.dict(), file_format=format,
        )  # fmt: skip

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
        options: create_options = Query(None),  # type: ignore[valid-type]
    ) -> Any:
        actor, data = actor_of(request), payload.dict(exclude_unset=True)  # type: ignore[attr-defined]
        if getattr(options, "on_duplicate", "create") == "reject":
            reject_likely_duplicates(actor=actor, object_type=resource.singular, data=data)
        instance = resource.create(actor=actor, data=data)
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return without_hidden_fields(
            request, type(instance), out_schema, instance, status=201, headers=response
        )

    @router.get(
        "/{int:record_id}",
        response={200: out_schema, **ERRORS},
        operation_id=f"get_{name}",
        summary=f"Read a {name}",
    )
    def get_record(request: HttpRequest, record_id: RecordId, response: HttpResponse) -> Any:
        instance = resource.get_record(actor=actor_of(request), pk=record_id)
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return without_hidden_fields(request, type(instance), out_schema, instance, headers=response)

    @router.patch(
        "/{int:record_id}",
        response={200: out_schema, **ERRORS},
        operation_id=f"update_{name}",
        summary=f"Update a {name} (send If-Match with its ETag to refuse stale writes)",
        description=(
            "Fields left out keep their value. `null` clears a field: `null` for an optional value or link, "
            '`""` for optional text, `[]` for a list; a field that cannot be empty answers 422.'
        ),
    )
    def update_record(
        request: HttpRequest,
        record_id: RecordId,
        payload: update_schema,  # type: ignore[valid-type]
        response: HttpResponse,
    ) -> Any:
        actor = actor_of(request)
        instance = resource.get_record(actor=actor, pk=record_id)
        instance = resource.update(
            actor=actor,
            instance=instance,
            data=nulls_as_cleared(resource.model, payload.dict(exclude_unset=True)),  # type: ignore[attr-defined]
            expected_version=expected_version(request),
        )
        set_etag(response, instance.version)  # type: ignore[attr-defined]
        return without_hidden_fields(request, type(instance), out_schema, instance, headers=response)

    @router.delete(
        "/{int:record_id}",
        response={204: None, **ERRORS},
        operation_id=f"delete_{name}",
        summary=f"Delete a {name}",
    )
    def delete_record(request: HttpRequest, record_id: RecordId) -> Status[None]:
        actor = actor_of(request)
        instance = resource.get_record(actor=actor, pk=record_id)
        resource.delete(actor=actor, instance=instance, expected_version=expected_version(request))
        return Status(204, None)
