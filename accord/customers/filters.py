"""List filters for companies and contacts, shared by the API and the web lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import FilterLookup, FilterSchema
from pydantic import Field

from accord.core.schemas import FilterDateTime, RecordId
from accord.customers.schemas import (
    ChurnRiskValue,
    LifecycleStage,
    RfmSegmentValue,
    SizeBand,
    ValueTierValue,
)


class CompanyFilter(FilterSchema):
    external_id: Annotated[str | None, FilterLookup("external_id")] = None
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    industry: Annotated[str | None, FilterLookup("industry")] = None
    size_band: Annotated[SizeBand | None, FilterLookup("size_band")] = None
    country: Annotated[str | None, FilterLookup("country")] = None
    domain: Annotated[str | None, FilterLookup("domain")] = None
    parent_id: Annotated[RecordId | None, FilterLookup("parent_id")] = None
    tag: Annotated[str | None, FilterLookup("tags__name")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None


class ContactFilter(FilterSchema):
    external_id: Annotated[str | None, FilterLookup("external_id")] = None
    owner_id: Annotated[RecordId | None, FilterLookup("owner_id")] = None
    lifecycle_stage: Annotated[LifecycleStage | None, FilterLookup("lifecycle_stage")] = None
    company_id: Annotated[RecordId | None, FilterLookup("employments__company_id")] = None
    email: Annotated[str | None, FilterLookup("emails__email__iexact")] = None
    acquisition_source: Annotated[str | None, FilterLookup("acquisition_source")] = None
    acquisition_channel: Annotated[str | None, FilterLookup("acquisition_channel")] = None
    tag: Annotated[str | None, FilterLookup("tags__name")] = None
    created_after: Annotated[FilterDateTime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[FilterDateTime | None, FilterLookup("created_at__lt")] = None
    updated_after: Annotated[FilterDateTime | None, FilterLookup("updated_at__gte")] = None
    # Value scores of the latest analysis (accord.analytics), through the one-to-one ``score`` relation:
    # contacts without scores (no purchase analysed) match none of these.
    rfm_segment: Annotated[RfmSegmentValue | None, FilterLookup("score__rfm_segment")] = None
    value_tier: Annotated[ValueTierValue | None, FilterLookup("score__value_tier")] = None
    churn_risk: Annotated[ChurnRiskValue | None, FilterLookup("score__churn_risk")] = None
    min_lifetime_value: Annotated[
        Decimal | None, FilterLookup("score__lifetime_value__gte"), Field(max_digits=16, decimal_places=2)
    ] = None
    min_probability_alive: Annotated[
        float | None, FilterLookup("score__probability_alive__gte"), Field(ge=0, le=1)
    ] = None
