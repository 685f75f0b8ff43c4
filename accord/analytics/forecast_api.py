"""``GET /api/v1/analytics/forecast``: the pipeline forecast of the deals the caller may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from accord.analytics.forecast import MAX_MONTHS, MONTHS_AHEAD, MONTHS_BACK, pipeline_forecast
from accord.core.crud import ERRORS, actor_of

forecast_router = Router(tags=["Analytics"])


class ForecastMonthOut(Schema):
    month: dt.date = Field(description="first day of the month")
    open_deals: int
    open_amount: Decimal = Field(description="open deals expected to close in the month (late ones: now)")
    weighted_by_probability: Decimal = Field(description="Σ amount × stage probability")
    weighted_by_win_rate: Decimal = Field(description="Σ amount × historical win rate of stage and owner")
    won_deals: int
    won_amount: Decimal = Field(description="deals won (closed in a won stage) in the month")


class CurrencyForecastOut(Schema):
    currency: str
    months: list[ForecastMonthOut]
    late_deals: int = Field(description="open deals expected before this month, counted in this month")
    undated_deals: int = Field(description="open deals without an expected close date (in no month)")
    undated_amount: Decimal
    later_deals: int = Field(description="open deals expected after the last month")
    later_amount: Decimal


class StageWinRateOut(Schema):
    stage_id: int
    label: str
    probability: int = Field(description="the stage's configured win probability, percent")
    closed_deals: int = Field(description="closed deals that were ever in the stage")
    won_deals: int
    win_rate: float | None = Field(description="won / closed; null without history (the probability is used)")
    prior_strength: float | None = Field(
        description="m of the shrinkage (owner rate = (won + m × stage rate) / (closed + m)); null: pooled"
    )
    owners: int


class OwnerWinRateOut(Schema):
    stage_id: int
    owner_id: int | None
    closed_deals: int
    won_deals: int
    win_rate: float = Field(description="shrunk towards the stage's rate")


class ForecastOut(Schema):
    current_month: dt.date
    first_month: dt.date
    last_month: dt.date
    currencies: list[CurrencyForecastOut]
    stages: list[StageWinRateOut]
    owner_rates: list[OwnerWinRateOut]


MonthsBack = Annotated[int, Field(ge=0, le=MAX_MONTHS)]
MonthsAhead = Annotated[int, Field(ge=1, le=MAX_MONTHS)]


@forecast_router.get(
    "/analytics/forecast",
    response={200: ForecastOut, **ERRORS},
    operation_id="get_forecast",
    summary="Open pipeline by month of expected close, weighted by stage probability and by historical "
    "win rates per stage and owner, beside the deals won per month (the deals you may see)",
)
def get_forecast(
    request: HttpRequest, months_back: MonthsBack = MONTHS_BACK, months_ahead: MonthsAhead = MONTHS_AHEAD
) -> dict[str, Any]:
    forecast = pipeline_forecast(actor=actor_of(request), months_back=months_back, months_ahead=months_ahead)
    return asdict(forecast)
