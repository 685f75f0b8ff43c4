"""REST endpoints for leads, pipelines, stages, deals, products and orders."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from accord.core.api import expected_version, set_etag
from accord.core.crud import ERRORS, Resource, actor_of, add_crud_routes, page_schema
from accord.core.pagination import paginate
from accord.sales import selectors, services
from accord.sales.filters import (
    DealFilter,
    LeadFilter,
    OrderFilter,
    PipelineFilter,
    ProductFilter,
    StageFilter,
)
from accord.sales.models import Deal
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

CREATED_AND_UPDATED = ("created_at", "-created_at", "updated_at", "-updated_at")

add_crud_routes(
    leads,
    Resource(
        plural="leads",
        singular="lead",
        out_schema=LeadOut,
        create_schema=LeadIn,
        update_schema=LeadPatch,
        filter_schema=LeadFilter,
        sort_fields=("-created_at", "created_at", "updated_at", "-updated_at", "family_name", "-family_name"),
        list_records=selectors.lead_list,
        get_record=selectors.lead_get,
        create=services.lead_create,
        update=services.lead_update,
        delete=services.lead_delete,
    ),
)


@leads.post(
    "/{int:record_id}/convert",
    response={200: LeadConversionOut, **ERRORS},
    operation_id="convert_lead",
    summary="Convert a lead into a contact, a company and optionally a deal, reusing existing ones",
)
def convert_lead(
    request: HttpRequest, record_id: int, payload: LeadConvertIn, response: HttpResponse
) -> services.LeadConversion:
    actor = actor_of(request)
    conversion = services.lead_convert(
        actor=actor,
        instance=selectors.lead_get(actor=actor, pk=record_id),
        **payload.dict(exclude_unset=True),
        expected_version=expected_version(request),
    )
    set_etag(response, conversion.lead.version)
    return conversion


@leads.get(
    "/{int:record_id}/conversion-preview",
    response={200: LeadConversionPreviewOut, **ERRORS},
    operation_id="preview_lead_conversion",
    summary="Which existing contact and company converting this lead would reuse",
)
def preview_lead_conversion(request: HttpRequest, record_id: int) -> selectors.ConversionPreview:
    actor = actor_of(request)
    return selectors.lead_conversion_preview(actor=actor, lead=selectors.lead_get(actor=actor, pk=record_id))


add_crud_routes(
    pipelines,
    Resource(
        plural="pipelines",
        singular="pipeline",
        out_schema=PipelineOut,
        create_schema=PipelineIn,
        update_schema=PipelinePatch,
        filter_schema=PipelineFilter,
        sort_fields=("position", "-position", "name", "-name"),
        list_records=selectors.pipeline_list,
        get_record=selectors.pipeline_get,
        create=services.pipeline_create,
        update=services.pipeline_update,
        delete=services.pipeline_delete,
    ),
)

add_crud_routes(
    stages,
    Resource(
        plural="stages",
        singular="stage",
        out_schema=StageOut,
        create_schema=StageIn,
        update_schema=StagePatch,
        filter_schema=StageFilter,
        sort_fields=("position", "-position"),
        list_records=selectors.stage_list,
        get_record=selectors.stage_get,
        create=services.stage_create,
        update=services.stage_update,
        delete=services.stage_delete,
    ),
)

add_crud_routes(
    deals,
    Resource(
        plural="deals",
        singular="deal",
        out_schema=DealOut,
        create_schema=DealIn,
        update_schema=DealPatch,
        filter_schema=DealFilter,
        sort_fields=(
            "-created_at",
            "created_at",
            "updated_at",
            "-updated_at",
            "name",
            "-name",
            "amount",
            "-amount",
        ),
        list_records=selectors.deal_list,
        get_record=selectors.deal_get,
        create=services.deal_create,
        update=services.deal_update,
        delete=services.deal_delete,
    ),
)


@deals.post(
    "/{int:record_id}/move",
    response={200: DealOut, **ERRORS},
    operation_id="move_deal",
    summary="Move a deal to another stage (send If-Match with its ETag to refuse stale writes)",
)
def move_deal(request: HttpRequest, record_id: int, payload: DealMoveIn, response: HttpResponse) -> Deal:
    actor = actor_of(request)
    deal = services.deal_move(
        actor=actor,
        instance=selectors.deal_get(actor=actor, pk=record_id),
        **payload.dict(),
        expected_version=expected_version(request),
    )
    set_etag(response, deal.version)
    return deal


@deals.get(
    "/{int:record_id}/stage-history",
    response={200: page_schema(StageChangeOut, "stage_changes"), **ERRORS},
    operation_id="deal_stage_history",
    summary="The stage changes of a deal, newest first",
)
def deal_stage_history(
    request: HttpRequest, record_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    changes = selectors.deal_stage_history(actor=actor_of(request), pk=record_id)
    page = paginate(changes, sort="-changed_at", cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


add_crud_routes(
    products,
    Resource(
        plural="products",
        singular="product",
        out_schema=ProductOut,
        create_schema=ProductIn,
        update_schema=ProductPatch,
        filter_schema=ProductFilter,
        sort_fields=("name", "-name", "sku", "-sku", *CREATED_AND_UPDATED),
        list_records=selectors.product_list,
        get_record=selectors.product_get,
        create=services.product_create,
        update=services.product_update,
        delete=services.product_delete,
    ),
)

add_crud_routes(
    orders,
    Resource(
        plural="orders",
        singular="order",
        out_schema=OrderOut,
        create_schema=OrderIn,
        update_schema=OrderPatch,
        filter_schema=OrderFilter,
        sort_fields=("-ordered_at", "ordered_at", "total", "-total", *CREATED_AND_UPDATED),
        list_records=selectors.order_list,
        get_record=selectors.order_get,
        create=services.order_create,
        update=services.order_update,
        delete=services.order_delete,
    ),
)
