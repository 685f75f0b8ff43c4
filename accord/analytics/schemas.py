"""What the API shows of the analysis: a contact's scores, the runs, and the refresh request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from accord.analytics.models import ChurnRisk, ContactScore, RfmSegment, ValueTier
from accord.core.schemas import InputSchema, IsoDate, sensitive

ORDER_TOTALS = "Left out when your role may not see order totals."
# A Literal rather than ``AnalyticsRun.Status``: an enum is named after its class in the OpenAPI schema, and
# the jobs' ``Status`` already has that name.
RunStatus = Literal["running", "succeeded", "failed"]


class ContactScoreOut(Schema):
    """One contact's value scores as of the run's analysis date; money in the run's currency."""

    contact_id: int
    run_id: int
    analysis_date: dt.date
    currency: str
    first_purchase_on: dt.date
    last_purchase_on: dt.date
    recency_days: int = Field(description="days from the last purchase to the analysis date")
    frequency: int = Field(description="repeat purchase days (same-day orders count once)")
    monetary: Decimal | None = sensitive(f"revenue to the analysis date. {ORDER_TOTALS}")
    recency_score: int = Field(ge=1, le=5)
    frequency_score: int = Field(ge=1, le=5)
    monetary_score: int = Field(ge=1, le=5)
    rfm_segment: RfmSegment
    probability_alive: float
    expected_purchases: float = Field(description="over the run's horizon")
    expected_average_spend: Decimal | None = sensitive(ORDER_TOTALS)
    lifetime_value: Decimal | None = sensitive(f"discounted, over the run's horizon. {ORDER_TOTALS}")
    cost_to_serve: Decimal | None = sensitive(ORDER_TOTALS)
    profitability: Decimal | None = sensitive(ORDER_TOTALS)
    value_tier: ValueTier
    churn_risk: ChurnRisk
    days_overdue: float | None = Field(description="days past the customer's usual gap between purchases")
    value_at_stake: Decimal | None = sensitive(ORDER_TOTALS)

    @staticmethod
    def resolve_analysis_date(obj: ContactScore) -> dt.date:
        return obj.run.analysis_date

    @staticmethod
    def resolve_currency(obj: ContactScore) -> str:
        return str(obj.run.parameters.get("currency", ""))


class AnalyticsRunOut(Schema):
    id: int
    status: RunStatus
    analysis_date: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime | None
    created_by_id: int | None = Field(description="null: a scheduled run or the command line")
    parameters: dict[str, Any]
    fitted_models: dict[str, Any]
    report: dict[str, Any] = Field(
        description="the figures of the analytics page (accord/analytics/report.py)"
    )
    timings: dict[str, float] = Field(description="seconds per step")
    customers: int
    error: str


class RefreshIn(InputSchema):
    analysis_date: IsoDate | None = Field(None, description="score as of this day (default: today)")
    horizon_weeks: int = Field(52, ge=1, le=520)
    annual_discount_rate: float = Field(0.10, ge=0, lt=1)
    model: Literal["bgnbd", "paretonbd"] = "bgnbd"
