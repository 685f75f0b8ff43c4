"""The web lists: one small declaration per list (columns, filters, selector, services), one set of pages.

A ``ListSpec`` names the list's selector (the one its API endpoint uses, so scoping, filters and
``?q=`` behave alike), its ninja ``FilterSchema``, the columns a user may show and sort by, the filters
the form offers, and the services behind its bulk actions. ``list_urls(spec)`` gives the five pages
every list has:

- ``/<key>/``: the list. Search as you type, filters, sort by column, keyset pages, chosen columns. An
  htmx request gets only the results region (``core/list_results.html``), any other the whole page.
- ``/<key>/export/?format=csv|xlsx``: the current view (its search, filters, sort and chosen columns, in
  their order, after the record's id) as CSV or XLSX, streamed through ``accord.core.export`` as the API
  export (export right, hidden fields left out, audited).
- ``/<key>/bulk/``: assign owner, add tag or delete the selected rows, one service call per record
  (permission-checked, versioned, audited); a record that cannot be changed is reported by name.
- ``/<key>/views/`` and ``/<key>/views/<id>/delete/``: save the current view under a name, delete one.

Hidden (sensitive) fields of the user's role never reach a page: their columns are not offered, not
sortable, and filters on them are not read.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import wraps
from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet, TextChoices
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST
from ninja import FilterSchema
from pydantic import ValidationError

from accord.access.rules import rule_for
from accord.core.actors import Actor
from accord.core.errors import AccordError, NotFound, PermissionDenied, ValidationFailed
from accord.core.export import export_response, file_format, pages, start_export
from accord.core.models import CustomField, Tag
from accord.core.pagination import Page
from accord.core.permissions import hidden_keys, require_view, visible_to
from accord.core.saved_views import saved_view_delete, saved_view_get, saved_view_list, saved_view_save
from accord.core.schemas import NUL_MESSAGE, contains_nul
from accord.core.selectors import read_page, records_in_order
from accord.core.web import render_page, web_actor

PAGE_SIZE = 50
# At most a page's worth of records per bulk action: each is its own audited service call.
BULK_LIMIT = 200
SEARCH_LENGTH = 200
Options = Callable[[Actor], Sequence[tuple[str, str]]]


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Column:
    """A column a list may show. ``value`` is a path into the row (``"stage.name"``; dictionaries and
    objects alike) or a function of the row; ``sort`` the indexed field it sorts by (one the API sorts
    by too); ``field`` the output key whose hiding hides the column (defaults to ``key``)."""

    key: str
    label: str
    value: str | Callable[[Any], Any] = ""
    kind: Literal["text", "date", "datetime", "money", "tags", "user"] = "text"
    sort: str | None = None
    link: str | None = None  # "/contacts/{id}/": the row's values fill the braces; no link when one is empty
    choices: type[TextChoices] | None = None
    flag: Callable[[Any], str] | None = None  # a CSS class for the cell, e.g. "overdue"
    shown: bool = True  # in the default set of columns
    field: str | None = None
    # The list's own order when none is asked for: this column, ascending or descending.
    initial: Literal["ascending", "descending"] | None = None
    # A column showing another record (its id is the one field in ``link``): shown only when the actor
    # may see that record, checked for the whole page in one query.
    related: type[Model] | None = None

    @property
    def related_id(self) -> str:
        assert self.link is not None, f"column {self.key}: a related column needs a link"
        return _BRACES.findall(self.link)[0]


@dataclass(frozen=True)
class Filter:
    """A filter of the form: a field of the list's ``FilterSchema`` (and its query parameter). The input
    follows the schema's type (a choice, a date, a number, text) unless ``options`` lists the choices.
    ``field``: a sensitive field the filter reads, so it is not offered to roles that may not see it."""

    name: str
    label: str
    options: Options | None = None
    field: str | None = None
    alias: str | None = None  # another query parameter read when ``name`` is absent (links from elsewhere)


@dataclass(frozen=True)
class Bulk:
    """The services behind a list's bulk actions: ``get`` reads a record the actor may see, ``update``
    and ``delete`` are the API's services. ``owner_field`` is the field "assign owner" sets."""

    get: Callable[..., Model]
    update: Callable[..., Model]
    delete: Callable[..., None]
    owner_field: str = "owner_id"
    tags: bool = False

    @property
    def owner_label(self) -> str:
        return self.owner_field.removesuffix("_id").capitalize()


@dataclass(frozen=True)
class ListSpec:
    key: str  # URL segment and saved-view key, e.g. "contacts"
    title: str
    model: type[Model]
    records: Callable[..., QuerySet[Any]]  # the API's list selector: (*, actor, filters, query, params, part)
    filter_schema: type[FilterSchema]
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    default_sort: str
    load_rows: Callable[[list[int]], list[Any]]  # rows of ids a scoped query found, in that order
    bulk: Bulk
    empty_hint: str
    # Other downloads of the current view beside CSV and XLSX: (label, path), the view's query appended.
    more_exports: tuple[tuple[str, str], ...] = ()
    custom_fields: str | None = None  # the object type of its custom fields, when it has some
    new_url: str | None = None  # the page that creates one, when there is one

    @property
    def url(self) -> str:
        return f"/{self.key}/"

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    def count(self, number: int) -> str:
        """ "1 contact", "3 contacts"."""
        return f"{number} {self.noun if number != 1 else self.singular}"


def rows_by_id(queryset: Callable[[], QuerySet[Any]]) -> Callable[[list[int]], list[Any]]:
    """A ``load_rows`` reading records by id with ``queryset()``'s joins and prefetches (the ids come
    from the scoped keyset query, so no scoping is repeated)."""

    def load(ids: list[int]) -> list[Any]:
        return records_in_order(queryset(), ids)

    return load


@dataclass(frozen=True)
class Domain:
    """An app's modules, from which a list takes the API's parts by their names, as
    ``accord.sales.api.add_resource`` does: ``<singular>_list``, ``<singular>_get`` and
    ``<singular>_queryset`` (selectors), ``<singular>_update`` and ``<singular>_delete`` (services),
    ``<Model>Filter`` (filters)."""

    selectors: types.ModuleType
    services: types.ModuleType
    filters: types.ModuleType
    schemas: types.ModuleType

    def declare(
        self,
        model: type[Model],
        *,
        hint: str,
        columns: tuple[Column, ...],
        filters: tuple[Filter, ...],
        load_rows: Callable[[list[int]], list[Any]] | None = None,
        new_url: str | None = None,
        more_exports: tuple[tuple[str, str], ...] = (),
    ) -> ListSpec:
        """A list of ``model``: its columns (one with the ``initial``), filters and empty-state hint; ``load_rows``
        when the page needs more joins than ``<singular>_queryset``; ``new_url`` the page that creates one
        (linked for the roles that may create the type); ``more_exports`` downloads besides CSV and XLSX."""
        singular, plural = model._meta.model_name, str(model._meta.verbose_name_plural)
        selectors, services = self.selectors, self.services
        queryset = getattr(selectors, f"{singular}_queryset", model._default_manager.all)
        first = next(column for column in columns if column.initial)
        return ListSpec(
            key=plural,
            title=plural.capitalize(),
            model=model,
            records=getattr(selectors, f"{singular}_list"),
            filter_schema=getattr(self.filters, f"{model.__name__}Filter"),
            columns=columns,
            filters=filters,
            default_sort=f"{'-' if first.initial == 'descending' else ''}{first.sort}",
            load_rows=load_rows or rows_by_id(queryset),
            more_exports=more_exports,
            bulk=Bulk(
                get=getattr(selectors, f"{singular}_get"),
                update=getattr(services, f"{singular}_update"),
                delete=getattr(services, f"{singular}_delete"),
                owner_field=f"{rule_for(model).owner_field}_id",
                tags=any(field.name == "tags" for field in model._meta.get_fields()),
            ),
            empty_hint=hint,
            custom_fields=singular if singular in CustomField.ObjectType.values else None,
            new_url=new_url,
        )


# ---------------------------------------------------------------- options shared by lists


def users(actor: Actor) -> list[tuple[str, str]]:
    """The active colleagues, to filter by owner or assign one (the directory every user reads)."""
    return [(str(pk), name) for pk, (name, active) in user_names(actor).items() if active]


def user_names(actor: Actor) -> dict[int, tuple[str, bool]]:
    """Every user as id -> (display name, active), read once per request."""
    cached: dict[int, tuple[str, bool]] | None = getattr(actor, "_user_names", None)
    if cached is None:
        people = visible_to(actor, get_user_model().objects.order_by("username"))
        cached = {
            row["pk"]: (
                f"{row['first_name']} {row['last_name']}".strip() or row["username"],
                row["is_active"],
            )
            for row in people.values("pk", "username", "first_name", "last_name", "is_active")
        }
        object.__setattr__(actor, "_user_names", cached)
    return cached


def tags(actor: Actor) -> list[tuple[str, str]]:
    return [
        (name, name)
        for name in visible_to(actor, Tag.objects.order_by("name")).values_list("name", flat=True)
    ]


# Columns and filters most lists share.
OWNER = Column("owner", "Owner", "owner_id", kind="user")
TAGS = Column("tags", "Tags", kind="tags")
CREATED = Column("created", "Created", "created_at", kind="datetime", sort="created_at", shown=False)
UPDATED = Column("updated", "Updated", "updated_at", kind="datetime", sort="updated_at", shown=False)
OWNER_FILTER = Filter("owner_id", "Owner", users)
TAG_FILTER = Filter("tag", "Tag", tags)
CREATED_FILTERS = (Filter("created_after", "Created from"), Filter("created_before", "Created before"))
UPDATED_FILTERS = (Filter("updated_after", "Updated from"), Filter("updated_before", "Updated before"))
NEWEST_FIRST = replace(CREATED, initial="descending")
TIMESTAMPS = (CREATED, UPDATED)
OWNED = (OWNER, *TIMESTAMPS)
TAGGED = (OWNER, TAGS, *TIMESTAMPS)
TAGGED_FILTERS = (OWNER_FILTER, TAG_FILTER, *CREATED_FILTERS)


# ---------------------------------------------------------------- reading a request


@dataclass
class FormField:
    """One input of the filter form, as the template draws it."""

    name: str
    label: str
    widget: Literal["select", "text", "date", "number"]
    value: str
    options: Sequence[tuple[str, str]] = ()
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return "filter-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower())


@dataclass
class ListState:
    """What a list request asks for, checked: search, filters, sort, columns and the page cursor."""

    spec: ListSpec
    actor: Actor
    query: str
    values: dict[str, str]  # filter parameters as given (the schema's and the custom fields')
    filters: FilterSchema | None
    form: list[FormField]
    columns: list[Column]  # the columns shown
    available: list[Column]  # the columns the role may see
    columns_chosen: bool
    sort: str
    cursor: str | None
    errors: dict[str, list[str]]

    def params(self, **changes: str | None) -> list[tuple[str, str]]:
        """The query parameters of this view (no cursor), with ``changes``; None removes one."""
        pairs: dict[str, str | list[str] | None] = {"q": self.query or None, **self.values}
        pairs["sort"] = self.sort if self.sort != self.spec.default_sort else None
        if self.columns_chosen:
            pairs["columns"] = [column.key for column in self.columns]
        pairs.update(changes)
        flat: list[tuple[str, str]] = []
        for name, value in pairs.items():
            for item in value if isinstance(value, list) else [value]:
                if item:
                    flat.append((name, item))
        return flat

    def url(self, **changes: str | None) -> str:
        encoded = urlencode(self.params(**changes))
        return f"{self.spec.url}?{encoded}" if encoded else self.spec.url

    @property
    def is_filtered(self) -> bool:
        return bool(self.query or self.values)

    @property
    def sort_field(self) -> str:
        return self.sort.lstrip("-")


def _sortable(columns: Sequence[Column]) -> set[str]:
    return {order for column in columns if column.sort for order in (column.sort, f"-{column.sort}")}


def _base_type(annotation: Any) -> Any:
    """The type of a filter field without ``None``, ``Annotated`` metadata and unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _base_type(kept[0])
    return annotation


def _input_for(
    schema: type[FilterSchema], spec_filter: Filter, actor: Actor
) -> tuple[Any, Sequence[tuple[str, str]]]:
    kind = _base_type(schema.model_fields[spec_filter.name].annotation)
    if spec_filter.options is not None:
        return "select", spec_filter.options(actor)
    if typing.get_origin(kind) is Literal:
        return "select", [
            (str(value), str(value).replace("_", " ").capitalize())
            for value in typing.get_args(kind)
            if value
        ]
    if kind is bool:
        return "select", [("true", "Yes"), ("false", "No")]
    if kind in (dt.date, dt.datetime):
        return "date", ()
    if kind in (Decimal, int, float):
        return "number", ()
    return "text", ()


_CUSTOM_WIDGETS: dict[str, Literal["select", "text", "date", "number"]] = {
    CustomField.FieldType.NUMBER: "number",
    CustomField.FieldType.DATE: "date",
    CustomField.FieldType.CHOICE: "select",
    CustomField.FieldType.BOOLEAN: "select",
}


def _custom_inputs(object_type: str | None, params: QueryDict) -> list[FormField]:
    if object_type is None:
        return []
    inputs = []
    for definition in CustomField.objects.filter(object_type=object_type).order_by("key"):
        options: list[tuple[str, str]] = [(choice, choice) for choice in definition.choices]
        if definition.field_type == CustomField.FieldType.BOOLEAN:
            options = [("true", "Yes"), ("false", "No")]
        name = f"cf.{definition.key}"
        inputs.append(
            FormField(
                name=name,
                label=definition.label,
                widget=_CUSTOM_WIDGETS.get(definition.field_type, "text"),
                value=params.get(name, "").strip(),
                options=options,
            )
        )
    return inputs


def _schema_value(schema: type[FilterSchema], name: str, raw: str) -> str:
    """A date typed in a date input, for a filter on a date and time: midnight UTC of that day."""
    if _base_type(schema.model_fields[name].annotation) is dt.datetime and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", raw
    ):
        return f"{raw}T00:00:00+00:00"
    return raw


def list_state(spec: ListSpec, actor: Actor, params: QueryDict) -> ListState:
    """Read and check a list's query parameters; bad values become errors beside their inputs."""
    hidden = hidden_keys(actor, spec.model)
    available = [column for column in spec.columns if (column.field or column.key) not in hidden]
    by_key = {column.key: column for column in available}
    # In the order asked for (an export's column order), each once; unknown or hidden keys are ignored.
    chosen = [by_key[key] for key in dict.fromkeys(params.getlist("columns")) if key in by_key]
    form: list[FormField] = []
    for spec_filter in spec.filters:
        if spec_filter.field in hidden:
            continue
        try:
            widget, options = _input_for(spec.filter_schema, spec_filter, actor)
        except PermissionDenied:
            continue  # choices the role may not read (pipelines for a partner): no such filter
        value = params.get(spec_filter.name, params.get(spec_filter.alias or spec_filter.name, "")).strip()
        form.append(FormField(spec_filter.name, spec_filter.label, widget, value, options))
    form.extend(_custom_inputs(spec.custom_fields, params))
    values = {item.name: item.value for item in form if item.value}
    errors: dict[str, list[str]] = {}
    schema_values = {
        name: _schema_value(spec.filter_schema, name, value)
        for name, value in values.items()
        if name in spec.filter_schema.model_fields
    }
    filters: FilterSchema | None = None
    try:
        filters = spec.filter_schema.model_validate(schema_values)
    except ValidationError as error:
        for problem in error.errors():
            errors.setdefault(str(problem["loc"][0]), []).append(str(problem["msg"]))
    query = params.get("q", "").strip()[:SEARCH_LENGTH]
    for name, value in (("q", query), *values.items()):
        if contains_nul(value):  # no database stores it (PostgreSQL fails): refused, not a 500
            errors.setdefault(name, []).append(NUL_MESSAGE)
    sort = params.get("sort", "")
    return ListState(
        spec=spec,
        actor=actor,
        query=query,
        values=values,
        filters=filters,
        form=form,
        # By default the shown columns, and the one the list is sorted by.
        columns=chosen or [c for c in available if c.shown or c.sort == spec.default_sort.lstrip("-")],
        available=available,
        columns_chosen=bool(chosen),
        sort=sort if sort in _sortable(available) else spec.default_sort,
        cursor=params.get("cursor") or None,
        errors=errors,
    )


def _records(state: ListState, params: Mapping[str, str]) -> Callable[[Q | None], QuerySet[Any]]:
    def records(part: Q | None) -> QuerySet[Any]:
        return state.spec.records(
            actor=state.actor, filters=state.filters, query=state.query, params=params, part=part
        )

    return records


def _custom_params(state: ListState) -> dict[str, str]:
    return {name: value for name, value in state.values.items() if name.startswith("cf.")}


# ---------------------------------------------------------------- what the results show


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    items: Sequence[str] = ()
    css: str = ""


@dataclass(frozen=True)
class Row:
    id: int
    version: int
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Header:
    column: Column
    aria_sort: str  # "ascending", "descending" or "none"
    url: str | None  # the list sorted by this column (the other way round when it already is)


def _lookup(row: Any, path: str) -> Any:
    value = row
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


_BRACES = re.compile(r"\{(\w+(?:\.\w+)*)\}")


def _link(template: str, row: Any) -> str | None:
    values = {name: _lookup(row, name) for name in _BRACES.findall(template)}
    if any(value in (None, "") for value in values.values()):
        return None
    return _BRACES.sub(lambda match: str(values[match.group(1)]), template)


def _text(column: Column, value: Any, row: Any, names: Mapping[int, tuple[str, bool]]) -> str:
    if value is None or value == "":
        return "—"
    if column.kind == "user":
        return names.get(value, (f"User {value}", False))[0]
    if column.kind == "datetime":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if column.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if column.kind == "money":
        return f"{Decimal(value):,.2f} {_lookup(row, 'currency') or ''}".strip()
    if column.choices is not None:
        return str(dict(column.choices.choices).get(value, value))
    return str(value)


def _value(column: Column, row: Any) -> Any:
    source = column.value or column.key
    return source(row) if callable(source) else _lookup(row, source)


def _tag_names(value: Any) -> list[str]:
    """Tags as a list of names, from a row's list or a record's prefetched tags."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [tag.name for tag in value.all()]


def _cell(
    column: Column, row: Any, names: Mapping[int, tuple[str, bool]], visible: Mapping[str, set[int]]
) -> Cell:
    if column.related is not None and _lookup(row, column.related_id) not in visible[column.key]:
        return Cell(text="—")  # none, or a record the actor may not see: not even its name
    value = _value(column, row)
    href = _link(column.link, row) if column.link else None
    css = column.flag(row) if column.flag else ""
    if column.kind == "tags":
        items = _tag_names(value)
        return Cell(text="" if items else "—", items=items, href=href, css=css)
    return Cell(text=_text(column, value, row, names), href=href, css=css)


def _export_value(
    column: Column,
    row: Any,
    names: Mapping[int, tuple[str, bool]],
    visible: Mapping[str, set[int]],
    labels: Mapping[str, str] | None,
) -> Any:
    """A cell of an export: what the page shows, but typed (numbers, dates) for a spreadsheet."""
    if column.related is not None and _lookup(row, column.related_id) not in visible[column.key]:
        return None
    value = _value(column, row)
    if value is None or value == "":
        return None
    if column.kind == "tags":
        return _tag_names(value)
    if column.kind == "user":
        return names.get(value, (f"User {value}", False))[0]
    if column.kind == "money":
        return Decimal(value)
    if labels is not None:
        return str(labels.get(value, value))
    if isinstance(value, str | int | Decimal | dt.date | list):
        return value
    return str(value)


def _export_headers(columns: Sequence[Column]) -> list[str]:
    """The record's id, then each column's label; a money column is followed by its currency."""
    headers = ["ID"]
    for column in columns:
        headers.append(column.label)
        if column.kind == "money":
            headers.append(f"{column.label} currency")
    return headers


def _export_rows(state: ListState, batches: Iterator[list[Any]]) -> Iterator[list[Any]]:
    names = user_names(state.actor) if any(column.kind == "user" for column in state.columns) else {}
    # Built once: a million rows looking labels up in a fresh dict each was a sixth of a CSV export.
    labels = {
        column.key: dict(column.choices.choices) if column.choices else None for column in state.columns
    }
    for batch in batches:
        visible = _visible_related(state, batch)
        for item in batch:
            row: list[Any] = [_lookup(item, "id")]
            for column in state.columns:
                row.append(_export_value(column, item, names, visible, labels[column.key]))
                if column.kind == "money":
                    row.append(_lookup(item, "currency") if row[-1] is not None else None)
            yield row


def _visible_related(state: ListState, items: list[Any]) -> dict[str, set[int]]:
    """Per related column, which of the records the page names the actor may see (one query each)."""
    visible: dict[str, set[int]] = {}
    for column in state.columns:
        if column.related is None:
            continue
        ids = {pk for pk in (_lookup(item, column.related_id) for item in items) if pk is not None}
        queryset = column.related._default_manager.filter(pk__in=sorted(ids))
        visible[column.key] = (
            set(visible_to(state.actor, queryset).values_list("pk", flat=True)) if ids else set()
        )
    return visible


def _rows(state: ListState, page: Page[Any]) -> list[Row]:
    names = user_names(state.actor) if any(column.kind == "user" for column in state.columns) else {}
    visible = _visible_related(state, page.items)
    rows = []
    for item in page.items:
        cells = [_cell(column, item, names, visible) for column in state.columns]
        label = next((cell.text for cell in cells if cell.text and cell.text != "—"), "")
        rows.append(Row(id=_lookup(item, "id"), version=_lookup(item, "version"), label=label, cells=cells))
    return rows


def _headers(state: ListState) -> list[Header]:
    headers = []
    for column in state.columns:
        if column.sort is None:
            headers.append(Header(column, "none", None))
            continue
        if state.sort == column.sort:
            aria, target = "ascending", f"-{column.sort}"
        elif state.sort == f"-{column.sort}":
            aria, target = "descending", column.sort
        else:
            newest_first = column.kind in ("date", "datetime", "money")
            aria, target = "none", f"-{column.sort}" if newest_first else column.sort
        headers.append(Header(column, aria, state.url(sort=target)))
    return headers


# ---------------------------------------------------------------- pages


def web_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Expected failures of a page as pages: 403, 404, 409, 412 and 400 for a bad request, never a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except AccordError as error:
            status = 400 if isinstance(error, ValidationFailed) else error.status
            details = [f"{name}: {', '.join(problems)}" for name, problems in error.fields.items()]
            context = {"status": status, "message": error.message, "details": details}
            return render(request, "core/error.html", context, status=status)

    return wrapper


def _page_context(state: ListState, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    spec, actor = state.spec, state.actor
    page: Page[Any] = Page(items=[], next_cursor=None)
    if not state.errors:
        try:
            page = read_page(
                _records(state, _custom_params(state)), actor=actor, model=spec.model, query=state.query,
                sort=state.sort, cursor=state.cursor, limit=PAGE_SIZE, load_rows=spec.load_rows,
            )  # fmt: skip
        except ValidationFailed as error:
            state.errors.update(error.fields)
    for item in state.form:
        item.errors = state.errors.get(item.name, [])
    object_type = rule_for(spec.model).object_type
    can = {action: actor.access.can(action, object_type) for action in ("create", "edit", "delete", "export")}
    rows = _rows(state, page)
    return {
        "nav": spec.key,
        "spec": spec,
        "state": state,
        "headers": _headers(state),
        "rows": rows,
        "shown": spec.count(len(rows)),
        "next_url": state.url(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": state.url() if state.cursor else None,
        "cursor_error": state.errors.get("cursor"),
        "other_errors": [
            message
            for name, problems in state.errors.items()
            if name != "cursor" and name not in {item.name for item in state.form}
            for message in problems
        ],
        "can": can,
        "current_query": urlencode(state.params()),
        **extra,
    }


def _full_context(state: ListState, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    """The whole page: the results plus the saved views, the team choices and the bulk-action inputs."""
    actor = state.actor
    views = list(saved_view_list(actor=actor, list_key=state.spec.key))
    for view in views:
        view.url = f"{state.spec.url}?{urlencode({**view.query, 'view': view.pk}, doseq=True)}"  # type: ignore[attr-defined]
    teams = actor.user.teams.order_by("name") if actor.user is not None else []  # type: ignore[attr-defined]
    context = _page_context(state, request, **extra)
    can = context["can"]
    context.update(
        saved_views=views,
        current_view=request.GET.get("view", ""),
        teams=list(teams),
        owners=users(actor) if can["edit"] else [],
        bulk_actions=can["edit"] or can["delete"],
    )
    return context


def _requested(request: HttpRequest, spec: ListSpec) -> ListState:
    """The list a GET asks for, once the role's right to view the type is checked (403 otherwise)."""
    actor = web_actor(request)
    require_view(actor, spec.model)
    return list_state(spec, actor, request.GET)


@require_GET
@web_errors
def list_page(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    state = _requested(request, spec)
    # htmx asks for the results region, except when it restores a page missing from its history cache.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    context = (_page_context if partial else _full_context)(state, request)
    status = 400 if state.errors else 200
    response = render_page(
        request,
        "core/list.html",
        context,
        partial_template="core/list_results.html" if partial else None,
        status=status,
    )
    # One URL answers with the region or the whole page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def export_state(request: HttpRequest, spec: ListSpec, *, file_format: str) -> ListState:
    """The list view an export asks for, checked (403 without the view right, 400 for bad filters), with
    the export right checked and the export audited with the view's parameters and the file's format."""
    state = _requested(request, spec)
    if state.errors:
        raise ValidationFailed(state.errors, "Some filters are not valid; correct them on the list first.")
    grouped: dict[str, list[str]] = {}
    for name, value in state.params():
        grouped.setdefault(name, []).append(value)
    query = {name: values if len(values) > 1 else values[0] for name, values in grouped.items()}
    query["format"] = file_format
    start_export(state.actor, spec.model, name=spec.key, query=query)
    return state


def view_pages(state: ListState, load_rows: Callable[[list[int]], list[Any]]) -> Iterator[list[Any]]:
    """Every record of a list view, in its sort order, a page at a time, read by id with ``load_rows``."""
    return pages(
        _records(state, _custom_params(state)), actor=state.actor, model=state.spec.model,
        query=state.query, sort=state.sort, load_rows=load_rows,
    )  # fmt: skip


@require_GET
@web_errors
def export_page(request: HttpRequest, spec: ListSpec) -> HttpResponseBase:
    """The current view as CSV or XLSX: its rows, and its columns in their order, after the record's id."""
    chosen_format = file_format(request.GET.get("format"))
    state = export_state(request, spec, file_format=chosen_format)
    rows = _export_rows(state, view_pages(state, spec.load_rows))
    return export_response(_export_headers(state.columns), rows, name=spec.key, file_format=chosen_format)


def _back(request: HttpRequest, spec: ListSpec) -> str:
    """Where a form on the list returns to: the list view it was sent from."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(spec.url) else spec.url


def _selected(request: HttpRequest) -> list[tuple[int, int | None]]:
    """The selected rows as (id, version they were shown at); 400 when one is not an id."""
    selected = []
    for item in request.POST.getlist("ids")[: BULK_LIMIT + 1]:
        pk, _, version = item.partition(":")
        if not pk.isdigit() or not 0 < int(pk) < 2**63 or (version and not version.isdigit()):
            raise ValidationFailed({"ids": [f"Not a record: {item[:40]}"]})
        selected.append((int(pk), int(version) if version else None))
    if len(selected) > BULK_LIMIT:
        raise ValidationFailed({"ids": [f"Select at most {BULK_LIMIT} records at a time."]})
    return selected


def _change(spec: ListSpec, request: HttpRequest) -> tuple[str, Callable[[Model], dict[str, Any]]]:
    """The change a bulk action makes to each record, and its verb for the summary; 400 if invalid."""
    action = request.POST.get("action", "")
    if action == "assign":
        owner = request.POST.get("owner", "")
        if owner and not (owner.isdigit() and 0 < int(owner) < 2**63):
            raise ValidationFailed({"owner": ["Choose a person from the list."]})
        owner_id = int(owner) if owner else None
        return "assigned", lambda record: {spec.bulk.owner_field: owner_id}
    if action == "tag" and spec.bulk.tags:
        tag = request.POST.get("tag", "").strip()
        if not tag or len(tag) > 60 or contains_nul(tag):
            raise ValidationFailed({"tag": ["Give a tag of 1 to 60 characters."]})
        return "tagged", lambda record: {"tags": sorted({t.name for t in record.tags.all()} | {tag})}
    raise ValidationFailed({"action": ["Choose an action."]})


@require_POST
@web_errors
def bulk_page(request: HttpRequest, spec: ListSpec) -> HttpResponseBase:
    """Each selected record through the list's services: a record that fails is reported by name."""
    actor = web_actor(request)
    require_view(actor, spec.model)
    selected = _selected(request)
    if not selected:
        messages.warning(request, "Select at least one row first.")
        return redirect(_back(request, spec))
    deleting = request.POST.get("action") == "delete"
    if deleting and request.POST.get("confirm") != "yes":
        records = []
        for pk, version in selected:
            try:
                records.append((pk, version, str(spec.bulk.get(actor=actor, pk=pk))))
            except NotFound:
                continue
        context = {
            "spec": spec, "nav": spec.key, "records": records, "title": spec.count(len(records)),
            "next": _back(request, spec),
        }  # fmt: skip
        return render(request, "core/list_confirm_delete.html", context)
    verb, change = ("deleted", None) if deleting else _change(spec, request)
    done, failed = 0, []
    for pk, version in selected:
        label = f"#{pk}"
        try:
            record = spec.bulk.get(actor=actor, pk=pk)
            label = str(record)
            if change is None:
                spec.bulk.delete(actor=actor, instance=record, expected_version=version)
            else:
                spec.bulk.update(actor=actor, instance=record, data=change(record), expected_version=version)
            done += 1
        except AccordError as error:
            failed.append(f"{label}: {error.message}")
    if done:
        messages.success(request, f"{spec.count(done)} {verb}.")
    for problem in failed:
        messages.error(request, f"Not {verb}: {problem}")
    return redirect(_back(request, spec))


@require_POST
@web_errors
def save_view_page(request: HttpRequest, spec: ListSpec) -> HttpResponseBase:
    actor = web_actor(request)
    require_view(actor, spec.model)
    query = QueryDict(request.POST.get("query", ""))
    team = request.POST.get("team", "")
    team_id = int(team) if team.isdigit() and int(team) < 2**63 else None
    if team and team_id is None:
        raise ValidationFailed({"team": ["Choose one of your teams."]})
    kept = {name: query.getlist(name) for name in query if name not in ("cursor", "view")}
    try:
        view = saved_view_save(
            actor=actor, list_key=spec.key, name=request.POST.get("name", ""), team_id=team_id, query=kept
        )
    except ValidationFailed as error:
        state = list_state(spec, actor, query)
        context = _full_context(
            state, request, view_errors=error.fields, view_name=request.POST.get("name", "")
        )
        return render(request, "core/list.html", context, status=400)
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{spec.url}?{urlencode({**view.query, 'view': view.pk}, doseq=True)}")


@require_POST
@web_errors
def delete_view_page(request: HttpRequest, spec: ListSpec, view_id: int) -> HttpResponseBase:
    actor = web_actor(request)
    view = saved_view_get(actor=actor, list_key=spec.key, pk=view_id)
    saved_view_delete(actor=actor, instance=view)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect(spec.url)


def list_urls(spec: ListSpec) -> list[URLPattern]:
    """The pages of one list, named ``<key>``, ``<key>-export``, ``<key>-bulk``, ``<key>-save-view`` and
    ``<key>-delete-view``."""
    return [
        path(f"{spec.key}/", list_page, {"spec": spec}, name=spec.key),
        path(f"{spec.key}/export/", export_page, {"spec": spec}, name=f"{spec.key}-export"),
        path(f"{spec.key}/bulk/", bulk_page, {"spec": spec}, name=f"{spec.key}-bulk"),
        path(f"{spec.key}/views/", save_view_page, {"spec": spec}, name=f"{spec.key}-save-view"),
        path(
            f"{spec.key}/views/<int:view_id>/delete/",
            delete_view_page,
            {"spec": spec},
            name=f"{spec.key}-delete-view",
        ),
    ]
