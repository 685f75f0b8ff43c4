"""API shapes for leads, pipelines, stages, deals, products and orders; server-owned fields (id, version,
timestamps, order totals, closing dates, conversion links) are output only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from accord.core.schemas import (
    DecimalValue,
    ExternalId,
    InputSchema,
    IsoDate,
    IsoDateTime,
    RecordId,
    RecordOut,
    sensitive,
)
from accord.customers.schemas import Name, ShortText, tag_names
from accord.sales.models import Deal, Lead, Order, Pipeline

LeadStatus = Literal["new", "working", "qualified", "disqualified", "converted"]
# "converted" is set by the conversion only, so clients cannot send it.
LeadStatusIn = Literal["new", "working", "qualified", "disqualified"]
StageKind = Literal["open", "won", "lost"]
OrderStatus = Literal["paid", "refunded", "cancelled"]
SalesChannel = Literal["online", "sales", "retail", "partner", "phone"]
Money = Annotated[DecimalValue, Field(ge=0, max_digits=14, decimal_places=2)]
Price = Annotated[DecimalValue, Field(ge=0, max_digits=12, decimal_places=2)]
Quantity = Annotated[DecimalValue, Field(gt=0, max_digits=12, decimal_places=3)]
Percent = Annotated[DecimalValue, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Probability = Annotated[int, Field(ge=0, le=100)]
Position = Annotated[int, Field(ge=0)]
Reason = Annotated[str, Field(max_length=300)]
Email = Annotated[str, Field(max_length=254)]
Phone = Annotated[str, Field(max_length=40)]
Domain = Annotated[str, Field(max_length=253)]


# ---------------------------------------------------------------- leads


class LeadIn(InputSchema):
    external_id: ExternalId = ""
    given_name: ShortText = ""
    family_name: ShortText = ""
    email: Email = ""
    phone: Phone = ""
    job_title: Annotated[str, Field(max_length=150)] = ""
    company_name: Name = ""
    company_domain: Domain = ""
    source: ShortText = ""
    status: LeadStatusIn = "new"
    disqualified_reason: Reason = ""
    notes: str = ""
    owner_id: RecordId | None = None
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}


class LeadPatch(InputSchema):
    external_id: ExternalId | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    job_title: Annotated[str, Field(max_length=150)] | None = None
    company_name: Name | None = None
    company_domain: Domain | None = None
    source: ShortText | None = None
    status: LeadStatusIn | None = None
    disqualified_reason: Reason | None = None
    notes: str | None = None
    owner_id: RecordId | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class LeadOut(RecordOut):
    external_id: str
    given_name: str
    family_name: str
    email: str
    phone: str = sensitive()
    job_title: str
    company_name: str
    company_domain: str
    source: str
    status: LeadStatus
    disqualified_reason: str
    notes: str
    owner_id: int | None
    tags: list[str]
    custom_fields: dict[str, Any]
    converted_at: dt.datetime | None
    converted_contact_id: int | None
    converted_company_id: int | None
    converted_deal_id: int | None

    @staticmethod
    def resolve_tags(obj: Lead) -> list[str]:
        return tag_names(obj)


class ConversionDealIn(InputSchema):
    """The deal a conversion opens; the pipeline defaults to the default one, the stage to its first."""

    name: Name | None = Field(None, min_length=1)
    amount: Money = Decimal("0")
    currency: str | None = None
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    expected_close_date: IsoDate | None = None


class LeadConvertIn(InputSchema):
    contact_id: RecordId | None = Field(None, description="Reuse this contact instead of matching by email.")
    company_id: RecordId | None = Field(
        None, description="Reuse this company instead of matching by domain or name."
    )
    create_deal: ConversionDealIn | None = None


class ConvertedRecordOut(Schema):
    id: int
    name: str
    created: bool


class LeadConversionOut(Schema):
    lead: LeadOut
    contact: ConvertedRecordOut
    company: ConvertedRecordOut | None
    deal: ConvertedRecordOut | None
    employment_created: bool


class MatchOut(Schema):
    id: int
    name: str
    matched_by: Literal["email", "domain", "email_domain", "name"]


class LeadConversionPreviewOut(Schema):
    contact: MatchOut | None
    company: MatchOut | None
    creates_contact: bool
    creates_company: bool
    is_converted: bool


# ---------------------------------------------------------------- pipelines and stages


class StageFields(InputSchema):
    name: ShortText = Field(min_length=1)
    position: Position | None = None
    probability: Probability = 0
    kind: StageKind = "open"


class StageIn(StageFields):
    pipeline_id: int


class StagePatch(InputSchema):
    name: ShortText | None = Field(None, min_length=1)
    position: Position | None = None
    probability: Probability | None = None
    kind: StageKind | None = None


class StageOut(RecordOut):
    pipeline_id: int
    name: str
    position: int
    probability: int
    kind: StageKind


class PipelineIn(InputSchema):
    name: ShortText = Field(min_length=1)
    position: Position = 0
    is_default: bool = False
    stages: list[StageFields] = []


class PipelinePatch(InputSchema):
    name: ShortText | None = Field(None, min_length=1)
    position: Position | None = None
    is_default: bool | None = None


class PipelineOut(RecordOut):
    name: str
    position: int
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[Any]:
        return list(obj.stages.all())


# ---------------------------------------------------------------- deals


class DealContactIn(InputSchema):
    contact_id: RecordId
    role: ShortText = ""


class DealContactOut(Schema):
    contact_id: int
    contact_name: str
    role: str

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return str(obj.contact.full_name)


class DealIn(InputSchema):
    external_id: ExternalId = ""
    name: Name = Field(min_length=1)
    amount: Money = Decimal("0")
    currency: str = "EUR"
    pipeline_id: RecordId | None = Field(
        None, description="Defaults to the default pipeline (or the stage's)."
    )
    stage_id: RecordId | None = Field(None, description="Defaults to the first stage of the pipeline.")
    expected_close_date: IsoDate | None = None
    owner_id: RecordId | None = None
    company_id: RecordId | None = None
    contacts: list[DealContactIn] = []
    lost_reason: Reason = ""
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}


class DealPatch(InputSchema):
    external_id: ExternalId | None = None
    """Changing ``stage_id`` (or ``pipeline_id`` with a stage of that pipeline) moves the deal and
    writes its stage history, as ``POST /deals/{id}/move`` does."""

    name: Name | None = Field(None, min_length=1)
    amount: Money | None = None
    currency: str | None = None
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    expected_close_date: IsoDate | None = None
    owner_id: RecordId | None = None
    company_id: RecordId | None = None
    contacts: list[DealContactIn] | None = None
    lost_reason: Reason | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class DealMoveIn(InputSchema):
    stage_id: RecordId
    pipeline_id: RecordId | None = Field(None, description="Only to move the deal into another pipeline.")
    lost_reason: Reason | None = None


class DealOut(RecordOut):
    external_id: str
    name: str
    amount: Decimal = sensitive()
    currency: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    stage_kind: StageKind
    probability: int
    expected_close_date: dt.date | None
    closed_at: dt.datetime | None
    lost_reason: str
    owner_id: int | None
    company_id: int | None
    contacts: list[DealContactOut]
    tags: list[str]
    custom_fields: dict[str, Any]

    @staticmethod
    def resolve_stage_name(obj: Deal) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_stage_kind(obj: Deal) -> str:
        return obj.stage.kind

    @staticmethod
    def resolve_probability(obj: Deal) -> int:
        return obj.stage.probability

    @staticmethod
    def resolve_contacts(obj: Deal) -> list[Any]:
        return list(obj.deal_contacts.all())

    @staticmethod
    def resolve_tags(obj: Deal) -> list[str]:
        return tag_names(obj)


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage_name: str | None
    to_stage_id: int
    to_stage_name: str
    changed_at: dt.datetime
    changed_by_id: int | None

    @staticmethod
    def resolve_from_stage_name(obj: Any) -> str | None:
        return obj.from_stage.name if obj.from_stage_id else None

    @staticmethod
    def resolve_to_stage_name(obj: Any) -> str:
        return str(obj.to_stage.name)


# ---------------------------------------------------------------- products and orders


class ProductIn(InputSchema):
    name: Name = Field(min_length=1)
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    description: str = ""
    unit_price: Price
    currency: str = "EUR"
    is_active: bool = True


class ProductPatch(InputSchema):
    name: Name | None = Field(None, min_length=1)
    sku: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    description: str | None = None
    unit_price: Price | None = None
    currency: str | None = None
    is_active: bool | None = None


class ProductOut(RecordOut):
    name: str
    sku: str
    description: str
    unit_price: Decimal
    currency: str
    is_active: bool


class OrderLineIn(InputSchema):
    product_id: RecordId | None = None
    description: Annotated[str, Field(max_length=300)] = Field(
        "", description="Defaults to the product name."
    )
    quantity: Quantity = Decimal("1")
    unit_price: Price | None = Field(None, description="Defaults to the product's price.")
    discount: Price = Field(Decimal("0"), description="An amount off this line, before tax.")
    tax_rate: Percent = Field(Decimal("0"), description="Percent, applied after the discount.")


class OrderLineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    line_total: Decimal


class OrderIn(InputSchema):
    number: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        None, description="Generated when absent."
    )
    contact_id: RecordId | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    ordered_at: IsoDateTime | None = Field(None, description="Defaults to now.")
    status: OrderStatus = "paid"
    currency: str = "EUR"
    sales_channel: SalesChannel = "online"
    owner_id: RecordId | None = None
    lines: list[OrderLineIn] = Field(min_length=1)


class OrderPatch(InputSchema):
    number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    contact_id: RecordId | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    ordered_at: IsoDateTime | None = None
    status: OrderStatus | None = None
    currency: str | None = None
    sales_channel: SalesChannel | None = None
    owner_id: RecordId | None = None
    lines: list[OrderLineIn] | None = Field(None, min_length=1, description="Replaces every line.")


class OrderOut(RecordOut):
    number: str
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    ordered_at: dt.datetime
    status: OrderStatus
    currency: str
    sales_channel: SalesChannel
    owner_id: int | None
    subtotal: Decimal = sensitive()
    discount_total: Decimal = sensitive()
    tax_total: Decimal = sensitive()
    total: Decimal = sensitive()
    lines: list[OrderLineOut] = sensitive()

    @staticmethod
    def resolve_lines(obj: Order) -> list[Any]:
        return list(obj.lines.all())
