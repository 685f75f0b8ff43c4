"""REST endpoints for the metadata every app shares: custom field definitions and tags."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import FilterLookup, FilterSchema, Router, Schema
from pydantic import Field

from accord.core import custom_fields
from accord.core.actors import Actor
from accord.core.crud import ERRORS, Resource, actor_of, add_crud_routes
from accord.core.models import CustomField, Tag
from accord.core.permissions import get_visible, visible_to
from accord.core.schemas import InputSchema
from accord.core.selectors import filtered_list

ObjectType = Literal["company", "contact", "lead", "deal"]
FieldType = Literal["text", "number", "date", "choice", "boolean"]


class CustomFieldIn(InputSchema):
    object_type: ObjectType
    key: Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    field_type: FieldType
    choices: list[str] = []
    is_required: bool = False


class CustomFieldPatch(InputSchema):
    label: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    choices: list[str] | None = None
    is_required: bool | None = None


class CustomFieldOut(Schema):
    id: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    object_type: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    is_required: bool


class CustomFieldFilter(FilterSchema):
    object_type: Annotated[ObjectType | None, FilterLookup("object_type")] = None


class TagOut(Schema):
    id: int
    name: str
    color: str


def custom_field_list(*, actor: Actor, filters: CustomFieldFilter, query: str | None, params: Any) -> Any:
    return filtered_list(
        actor, CustomField.objects.all(), filters=filters, query=query, text_fields=("key", "label")
    )


def custom_field_get(*, actor: Actor, pk: int) -> CustomField:
    return get_visible(actor, CustomField.objects.all(), pk)


custom_fields_router = Router(tags=["Custom fields"])
add_crud_routes(
    custom_fields_router,
    Resource(
        plural="custom_fields",
        singular="custom_field",
        model=CustomField,
        out_schema=CustomFieldOut,
        create_schema=CustomFieldIn,
        update_schema=CustomFieldPatch,
        filter_schema=CustomFieldFilter,
        sort_fields=("created_at", "-created_at", "id"),
        list_records=custom_field_list,
        get_record=custom_field_get,
        create=custom_fields.custom_field_create,
        update=custom_fields.custom_field_update,
        delete=custom_fields.custom_field_delete,
    ),
)

tags_router = Router(tags=["Tags"])


@tags_router.get("", response={200: list[TagOut], **ERRORS}, operation_id="list_tags", summary="All tags")
def list_tags(request: HttpRequest) -> Any:
    return list(visible_to(actor_of(request), Tag.objects.order_by("name")))
