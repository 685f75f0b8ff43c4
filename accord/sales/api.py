"""REST endpoints for leads, pipelines, stages, deals, products and orders."""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from ninja import FilterSchema, Query, Router, Schema

from accord.core.api import expected_version, set_etag
from accord.core.crud import ERRORS, Resource, actor_of, add_crud_routes, page_schema, without_hidden_fields
from accord.core.pagination import paginate
from accord.core.schemas import RecordId
from accord.sales import selectors, services
from accord.sales.filters import (
    DealFilter,
    LeadFilter,
    OrderFilter,
    PipelineFilter,
    ProductFilter,
    StageFilter,
)
from accord.sales.models import Deal, Lead
from accord.sales.schemas import (
    DealIn,
    DealMoveIn,
    DealOut,
    DealPatch,
    LeadConversionOut,
    LeadConversionPreviewOut,
    LeadConvertIn,
    LeadIn,
    LeadOut,
    LeadPatch,
    OrderIn,
    OrderOut,
    OrderPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    StageChangeOut,
    StageIn,
    StageOut,
    StagePatch,
)

leads = Router(tags=["Leads"])
pipelines = Router(tags=["Pipelines"])
stages = Router(tags=["Pipelines"])
deals = Router(tags=["Deals"])
products = Router(tags=["Products"])
orders = Router(tags=["Orders"])

CREATED_AND_UPDATED = ("-created_at", "created_at", "-updated_at", "updated_at")


def add_resource(
    router: Router,
    singular: str,
    plural: str,
    schemas: tuple[type[Schema], type[Schema], type[Schema]],
    filter_schema: type[FilterSchema],
    sort_fields: tuple[str, ...],
) -> None:
    """The standard routes of a resource whose selectors and services follow the ``<entity>_<verb>``
    names (``deal_list``, ``deal_get``, ``deal_create``, ``deal_update``, ``deal_delete``)."""
    out_schema, create_schema, update_schema = schemas
    add_crud_routes(
        router,
        Resource(
            plural=plural,
            singular=singular,
            model=apps.get_model("sales", singular),
            out_schema=out_schema,
            create_schema=create_schema,
            update_schema=update_schema,
            filter_schema=filter_schema,
            sort_fields=sort_fields,
            list_records=getattr(selectors, f"{singular}_list"),
            get_record=getattr(selectors, f"{singular}_get"),
            create=getattr(services, f"{singular}_create"),
            update=getattr(services, f"{singular}_update"),
            delete=getattr(services, f"{singular}_delete"),
        ),
    )


def write_on_record(
    request: HttpRequest,
    response: HttpResponse,
    record_id: RecordId,
    *,
    get_record: Callable[..., Any],
    write: Callable[..., Any],
    data: dict[str, Any],
) -> Any:
    """Run a service on a record the actor may see, with the client's If-Match version; the response
    carries the new version as its ETag."""
    actor = actor_of(request)
    instance = get_record(actor=actor, pk=record_id)
    result = write(actor=actor, instance=instance, expected_version=expected_version(request), **data)
    set_etag(response, result.version)
    return result


# ---------------------------------------------------------------- leads

add_resource(
    leads, "lead", "leads", (LeadOut, LeadIn, LeadPatch), LeadFilter,
    (*CREATED_AND_UPDATED, "family_name", "-family_name"),
)  # fmt: skip


@leads.post(
    "/{int:record_id}/convert",
    response={200: LeadConversionOut, **ERRORS},
    operation_id="convert_lead",
    summary="Convert a lead into a contact, a company and optionally a deal, reusing existing ones",
)
def convert_lead(
    request: HttpRequest, record_id: RecordId, payload: LeadConvertIn, response: HttpResponse
) -> Any:
    conversion = write_on_record(
        request, response, record_id, get_record=selectors.lead_get, write=services.lead_convert,
        data=payload.dict(exclude_unset=True),
    )  # fmt: skip
    return without_hidden_fields(
        request, Lead, LeadConversionOut, conversion, headers=response, records=lambda data: [data["lead"]]
    )


@leads.get(
    "/{int:record_id}/conversion-preview",
    response={200: LeadConversionPreviewOut, **ERRORS},
    operation_id="preview_lead_conversion",
    summary="Which existing contact and company converting this lead would reuse",
)
def preview_lead_conversion(request: HttpRequest, record_id: RecordId) -> selectors.ConversionPreview:
    actor = actor_of(request)
    return selectors.lead_conversion_preview(actor=actor, lead=selectors.lead_get(actor=actor, pk=record_id))


# ---------------------------------------------------------------- pipelines and stages

add_resource(
    pipelines, "pipeline", "pipelines", (PipelineOut, PipelineIn, PipelinePatch), PipelineFilter,
    ("position", "-position", "name", "-name"),
)  # fmt: skip
add_resource(
    stages, "stage", "stages", (StageOut, StageIn, StagePatch), StageFilter, ("position", "-position")
)


# ---------------------------------------------------------------- deals

add_resource(
    deals, "deal", "deals", (DealOut, DealIn, DealPatch), DealFilter,
    (*CREATED_AND_UPDATED, "name", "-name", "amount", "-amount"),
)  # fmt: skip


@deals.post(
    "/{int:record_id}/move",
    response={200: DealOut, **ERRORS},
    operation_id="move_deal",
    summary="Move a deal to another stage (send If-Match with its ETag to refuse stale writes)",
)
def move_deal(request: HttpRequest, record_id: RecordId, payload: DealMoveIn, response: HttpResponse) -> Any:
    deal = write_on_record(
        request, response, record_id, get_record=selectors.deal_get, write=services.deal_move,
        data=payload.dict(),
    )  # fmt: skip
    return without_hidden_fields(request, Deal, DealOut, deal, headers=response)


@deals.get(
    "/{int:record_id}/stage-history",
    response={200: page_schema(StageChangeOut, "stage_changes"), **ERRORS},
    operation_id="deal_stage_history",
    summary="The stage changes of a deal, newest first",
)
def deal_stage_history(
    request: HttpRequest, record_id: RecordId, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    changes = selectors.deal_stage_history(actor=actor_of(request), pk=record_id)
    page = paginate(changes, sort="-changed_at", cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


# ---------------------------------------------------------------- products and orders

add_resource(
    products, "product", "products", (ProductOut, ProductIn, ProductPatch), ProductFilter,
    ("name", "-name", "sku", "-sku", *CREATED_AND_UPDATED),
)  # fmt: skip
add_resource(
    orders, "order", "orders", (OrderOut, OrderIn, OrderPatch), OrderFilter,
    ("-ordered_at", "ordered_at", "-total", "total", *CREATED_AND_UPDATED),
)  # fmt: skip
