"""API shapes for companies and contacts; server-owned fields (id, version, timestamps) are output only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, Field

from accord.core.schemas import DecimalValue, ExternalId, InputSchema, RecordId, RecordOut, sensitive
from accord.customers.models import Company, Contact

SizeBand = Literal["", "1", "2-10", "11-50", "51-200", "201-1000", "1001+"]
LifecycleStage = Literal["subscriber", "lead", "opportunity", "customer", "evangelist", "churned", "other"]
# The value scores a contact may carry (``accord.customers.scores``; a test keeps the two in step). Filters
# and list columns read them through the ``score`` relation.
RfmSegmentValue = Literal[
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
]
ValueTierValue = Literal["strategic", "profitable", "marginal", "unprofitable"]
ChurnRiskValue = Literal["high", "medium", "low"]
Name = Annotated[str, Field(max_length=200)]
ShortText = Annotated[str, Field(max_length=100)]


def tag_names(obj: Any) -> list[str]:
    return [tag.name for tag in obj.tags.all()]


class CompanyIn(InputSchema):
    external_id: ExternalId = ""
    name: Name = Field(min_length=1)
    domain: str = ""
    industry: ShortText = ""
    size_band: SizeBand = ""
    annual_revenue: DecimalValue | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str = "EUR"
    phone: str = ""
    street: Name = ""
    city: ShortText = ""
    region: ShortText = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(max_length=2)] = ""
    parent_id: RecordId | None = None
    owner_id: RecordId | None = None
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}


class CompanyPatch(InputSchema):
    external_id: ExternalId | None = None
    name: Name | None = Field(None, min_length=1)
    domain: str | None = None
    industry: ShortText | None = None
    size_band: SizeBand | None = None
    annual_revenue: DecimalValue | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = None
    phone: str | None = None
    street: Name | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    country: Annotated[str, Field(max_length=2)] | None = None
    parent_id: RecordId | None = None
    owner_id: RecordId | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class CompanyOut(RecordOut):
    external_id: str
    name: str
    domain: str
    industry: str
    size_band: str
    annual_revenue: Decimal | None = sensitive()
    currency: str
    phone: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    parent_id: int | None
    owner_id: int | None
    tags: list[str]
    custom_fields: dict[str, Any]

    @staticmethod
    def resolve_tags(obj: Company) -> list[str]:
        return tag_names(obj)


class EmailIn(InputSchema):
    email: Annotated[str, Field(max_length=254)]
    label: Annotated[str, Field(max_length=20)] = ""
    is_primary: bool = False


class PhoneIn(InputSchema):
    number: Annotated[str, Field(max_length=40)]
    label: Annotated[str, Field(max_length=20)] = ""
    is_primary: bool = False


class EmploymentIn(InputSchema):
    company_id: RecordId
    role: Annotated[str, Field(max_length=150)] = ""
    is_current: bool = True


class EmailOut(Schema):
    email: str
    label: str
    is_primary: bool


class PhoneOut(Schema):
    number: str
    label: str
    is_primary: bool


class EmploymentOut(Schema):
    company_id: RecordId
    company_name: str
    role: str
    is_current: bool

    @staticmethod
    def resolve_company_name(obj: Any) -> str:
        return str(obj.company.name)


class ContactIn(InputSchema):
    external_id: ExternalId = ""
    given_name: ShortText = ""
    family_name: ShortText = ""
    job_title: Annotated[str, Field(max_length=150)] = ""
    lifecycle_stage: LifecycleStage = "lead"
    acquisition_source: ShortText = ""
    acquisition_channel: Annotated[str, Field(max_length=50)] = ""
    owner_id: RecordId | None = None
    emails: list[EmailIn] = []
    phones: list[PhoneIn] = []
    employments: list[EmploymentIn] = []
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}


class ContactPatch(InputSchema):
    external_id: ExternalId | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    job_title: Annotated[str, Field(max_length=150)] | None = None
    lifecycle_stage: LifecycleStage | None = None
    acquisition_source: ShortText | None = None
    acquisition_channel: Annotated[str, Field(max_length=50)] | None = None
    owner_id: RecordId | None = None
    emails: list[EmailIn] | None = None
    phones: list[PhoneIn] | None = None
    employments: list[EmploymentIn] | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class ContactOut(RecordOut):
    external_id: str
    given_name: str
    family_name: str
    full_name: str
    job_title: str
    lifecycle_stage: str
    acquisition_source: str
    acquisition_channel: str
    owner_id: int | None
    emails: list[EmailOut]
    phones: list[PhoneOut] = sensitive()
    employments: list[EmploymentOut]
    tags: list[str]
    custom_fields: dict[str, Any]

    @staticmethod
    def resolve_emails(obj: Contact) -> list[Any]:
        return list(obj.emails.all())

    @staticmethod
    def resolve_phones(obj: Contact) -> list[Any]:
        return list(obj.phones.all())

    @staticmethod
    def resolve_employments(obj: Contact) -> list[Any]:
        return list(obj.employments.all())

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return tag_names(obj)


class ContactListItem(BaseModel):
    """A contact as lists show it: the primary email and phone and the current company instead of
    every email, phone and employment (``GET /contacts/{id}`` has those).

    A plain pydantic model validated from the rows of ``accord.customers.selectors.contact_rows``:
    lists validate 50 rows per request, and ninja's per-attribute getter was most of the
    serialisation time.
    """

    id: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    external_id: str
    given_name: str
    family_name: str
    full_name: str
    job_title: str
    lifecycle_stage: str
    acquisition_source: str
    acquisition_channel: str
    owner_id: int | None
    primary_email: str | None
    primary_phone: str | None = sensitive()
    company_id: int | None
    company_name: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    rfm_segment: RfmSegmentValue | None = Field(
        None, description="from the latest analysis; null: no purchases analysed"
    )
    lifetime_value: Decimal | None = Field(None, description="discounted, in the analysis' currency")
    churn_risk: ChurnRiskValue | None = None
    probability_alive: float | None = None
