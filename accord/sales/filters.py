"""List filters for leads, pipelines, stages, deals, products and orders, shared by the API and the web lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema

from accord.core.schemas import FilterDateTime, IsoDate, QueryBool, RecordId
from accord.sales.models import OrderLine
from accord.sales.schemas import LeadStatus, OrderStatus, SalesChannel, StageKind


class LeadFilter(FilterSchema):
    external_id: Annotated[str | None, FilterLookup("external_id")] = None
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    status: Annotated[LeadStatus | None, FilterLookup("status")] = None
    source: Annotated[str | None, FilterLookup("source")] = None
    email: Annotated[str | None, FilterLookup("email__iexact")] = None
    company_domain: Annotated[str | None, FilterLookup("company_domain")] = None
    tag: Annotated[str | None, FilterLookup("tags__name")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None
    updated_before: Annotated[FilterDateTime | None, FilterLookup("updated_at__lt")] = None


class PipelineFilter(FilterSchema):
    is_default: Annotated[QueryBool | None, FilterLookup("is_default")] = None


class StageFilter(FilterSchema):
    pipeline_id: Annotated[RecordId | None, FilterLookup("pipeline_id")] = None
    kind: Annotated[StageKind | None, FilterLookup("kind")] = None


class DealFilter(FilterSchema):
    external_id: Annotated[str | None, FilterLookup("external_id")] = None
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    pipeline_id: Annotated[RecordId | None, FilterLookup("pipeline_id")] = None
    stage_id: Annotated[RecordId | None, FilterLookup("stage_id")] = None
    stage_kind: Annotated[StageKind | None, FilterLookup("stage__kind")] = None
    company_id: Annotated[RecordId | None, FilterLookup("company_id")] = None
    contact_id: Annotated[RecordId | None, FilterLookup("deal_contacts__contact_id")] = None
    currency: Annotated[str | None, FilterLookup("currency")] = None
    tag: Annotated[str | None, FilterLookup("tags__name")] = None
    amount_min: Annotated[Decimal | None, FilterLookup("amount__gte")] = None
    amount_max: Annotated[Decimal | None, FilterLookup("amount__lte")] = None
    expected_close_after: Annotated[IsoDate | None, FilterLookup("expected_close_date__gte")] = None
    expected_close_before: Annotated[IsoDate | None, FilterLookup("expected_close_date__lte")] = None
    closed_after: Annotated[FilterDateTime | None, FilterLookup("closed_at__gte")] = None
    closed_before: Annotated[FilterDateTime | None, FilterLookup("closed_at__lt")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None
    updated_before: Annotated[FilterDateTime | None, FilterLookup("updated_at__lt")] = None


class ProductFilter(FilterSchema):
    is_active: Annotated[QueryBool | None, FilterLookup("is_active")] = None
    sku: Annotated[str | None, FilterLookup("sku")] = None
    currency: Annotated[str | None, FilterLookup("currency")] = None
    price_min: Annotated[Decimal | None, FilterLookup("unit_price__gte")] = None
    price_max: Annotated[Decimal | None, FilterLookup("unit_price__lte")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None
    updated_before: Annotated[FilterDateTime | None, FilterLookup("updated_at__lt")] = None


class OrderFilter(FilterSchema):
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    status: Annotated[OrderStatus | None, FilterLookup("status")] = None
    sales_channel: Annotated[SalesChannel | None, FilterLookup("sales_channel")] = None
    contact_id: Annotated[RecordId | None, FilterLookup("contact_id")] = None
    company_id: Annotated[RecordId | None, FilterLookup("company_id")] = None
    deal_id: Annotated[RecordId | None, FilterLookup("deal_id")] = None
    product_id: int | None = None
    currency: Annotated[str | None, FilterLookup("currency")] = None
    total_min: Annotated[Decimal | None, FilterLookup("total__gte")] = None
    total_max: Annotated[Decimal | None, FilterLookup("total__lte")] = None
    ordered_after: Annotated[FilterDateTime | None, FilterLookup("ordered_at__gte")] = None
    ordered_before: Annotated[FilterDateTime | None, FilterLookup("ordered_at__lt")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None
    updated_before: Annotated[FilterDateTime | None, FilterLookup("updated_at__lt")] = None

    def filter_product_id(self, value: int | None) -> Q:
        if value is None:
            return Q()
        # An order may hold several lines of one product, so a join would repeat the order; a
        # subquery matches each order once without DISTINCT.
        return Q(pk__in=OrderLine.objects.filter(product_id=value).values("order_id"))
