"""The pipeline forecast: open deals by month of expected close, weighted by stage probability and by
historical win rates per stage and owner, beside what was actually won per month.

Three GROUP BY queries over the deals the actor may see (``visible_to``): the open pipeline by (currency,
month, stage, owner), the won deals by (currency, month closed), and the closed deals' stage history by
(stage, owner). The win rates come from that same scope, so a forecast never rests on deals its reader may
not see. The arithmetic is ``accord.analytics.engine.forecast``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accord.analytics.engine.forecast import WinRates, monthly_pipeline, win_rates
from accord.core.actors import Actor
from accord.core.errors import PermissionDenied
from accord.core.permissions import hidden_keys, require_view, visible_to
from accord.sales.models import Deal, DealStageChange, Stage

MONTHS_BACK = 6  # months of actual wins shown before the current month
MONTHS_AHEAD = 6  # months of pipeline shown from the current month on
MAX_MONTHS = 36
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ForecastMonth:
    month: dt.date
    open_deals: int
    open_amount: Decimal
    weighted_by_probability: Decimal
    weighted_by_win_rate: Decimal
    won_deals: int
    won_amount: Decimal


@dataclass(frozen=True)
class CurrencyForecast:
    """One currency's months (amounts in different currencies are never added together). Open deals
    expected to close before the current month are late: they are counted in the current month
    (``late_deals`` of them). Open deals without an expected close date, or expected after the last
    month, are not in any month and are counted here."""

    currency: str
    months: list[ForecastMonth]
    late_deals: int
    undated_deals: int
    undated_amount: Decimal
    later_deals: int
    later_amount: Decimal


@dataclass(frozen=True)
class StageWinRate:
    """A stage's win rate from the closed deals that were ever in it, beside its configured probability."""

    stage_id: int
    label: str
    probability: int
    closed_deals: int
    won_deals: int
    win_rate: float | None  # None: no closed deal was ever in the stage (its probability is used)
    prior_strength: float | None  # m of the shrinkage; None: every owner gets the stage's rate
    owners: int


@dataclass(frozen=True)
class OwnerWinRate:
    stage_id: int
    owner_id: int | None
    closed_deals: int
    won_deals: int
    win_rate: float


@dataclass(frozen=True)
class Forecast:
    current_month: dt.date
    first_month: dt.date
    last_month: dt.date
    currencies: list[CurrencyForecast]
    stages: list[StageWinRate]
    owner_rates: list[OwnerWinRate]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months(first: dt.date, count: int) -> list[dt.date]:
    months = np.arange(np.datetime64(first, "M"), np.datetime64(first, "M") + count)
    return [month.astype("datetime64[D]").item() for month in months]


def _month_offsets(days: list[dt.date], first: dt.date) -> np.ndarray[Any, np.dtype[np.int64]]:
    offsets = np.array(days, dtype="datetime64[M]") - np.datetime64(first, "M")
    return offsets.astype(np.int64)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    """A TruncMonth of a datetime: aware on PostgreSQL and, with USE_TZ, on SQLite too."""
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def _money(value: float | Decimal | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def pipeline_forecast(
    *,
    actor: Actor,
    today: dt.date | None = None,
    months_back: int = MONTHS_BACK,
    months_ahead: int = MONTHS_AHEAD,
) -> Forecast:
    """The forecast over the deals the actor may see. 403 for a role that may not view deals or their
    amounts (a forecast is amounts)."""
    require_view(actor, Deal)
    if "amount" in hidden_keys(actor, Deal):
        raise PermissionDenied("Your role does not show deal amounts, so it has no forecast.")
    months_back = min(max(months_back, 0), MAX_MONTHS)
    months_ahead = min(max(months_ahead, 1), MAX_MONTHS)
    current = month_start(today or timezone.localdate())
    first = (np.datetime64(current, "M") - months_back).astype("datetime64[D]").item()
    count = months_back + months_ahead
    months = _months(first, count)
    deals = visible_to(actor, Deal.objects.all())
    rates = _win_rates(actor)

    open_rows = list(
        deals.filter(stage__kind=Stage.Kind.OPEN)
        .annotate(month=TruncMonth("expected_close_date"))
        .order_by()
        .values_list("currency", "month", "stage_id", "owner_id", "stage__probability")
        .annotate(count=Count("id"), amount=Sum("amount"))
    )
    won_rows = list(
        deals.filter(
            stage__kind=Stage.Kind.WON,
            closed_at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time.min)),
        )
        .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("currency", "month")
        .annotate(count=Count("id"), amount=Sum("amount"))
    )
    currencies = sorted(
        {row[0] for row in open_rows} | {row[0] for row in won_rows},
        key=lambda code: (code != settings.ACCORD_DEFAULT_CURRENCY, code),
    )
    return Forecast(
        current_month=current,
        first_month=first,
        last_month=months[-1],
        currencies=[
            _currency_forecast(currency, open_rows, won_rows, rates, months, months_back)
            for currency in currencies
        ],
        stages=_stage_rates(actor, rates, {row[2] for row in open_rows}),
        owner_rates=[
            OwnerWinRate(int(stage), int(owner) or None, int(closed), int(won), round(float(rate), 4))
            for stage, owner, closed, won, rate in zip(
                rates.pair_stage,
                rates.pair_owner,
                rates.pair_closed,
                rates.pair_won,
                rates.pair_rate,
                strict=True,
            )
        ],
    )


def _win_rates(actor: Actor) -> WinRates:
    """One GROUP BY over the stage history of the closed deals the actor may see: per (open stage the deal
    was ever in, its owner), the closed deals and the won ones."""
    closed = visible_to(actor, Deal.objects.all()).filter(stage__kind__in=[Stage.Kind.WON, Stage.Kind.LOST])
    rows = list(
        DealStageChange.objects.filter(deal__in=closed.values("pk"), to_stage__kind=Stage.Kind.OPEN)
        .order_by()
        .values_list("to_stage_id", "deal__owner_id")
        .annotate(
            closed=Count("deal_id", distinct=True),
            won=Count("deal_id", distinct=True, filter=Q(deal__stage__kind=Stage.Kind.WON)),
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    stage, owner, closed_count, won_count = (np.array(column, dtype=object) for column in columns)
    return win_rates(
        stage.astype(np.int64),
        np.array([value or 0 for value in owner], dtype=np.int64),  # 0: no owner
        closed_count.astype(np.int64),
        won_count.astype(np.int64),
    )


def _currency_forecast(
    currency: str,
    open_rows: list[tuple[Any, ...]],
    won_rows: list[tuple[Any, ...]],
    rates: WinRates,
    months: list[dt.date],
    months_back: int,
) -> CurrencyForecast:
    mine = [row for row in open_rows if row[0] == currency]
    dated = [row for row in mine if row[1] is not None]
    offsets = _month_offsets([_as_date(row[1]) for row in dated], months[0])
    late = offsets < months_back
    offsets[late] = months_back  # late deals are still expected: in the current month
    stage = np.array([row[2] for row in dated], dtype=np.int64)
    owner = np.array([row[3] or 0 for row in dated], dtype=np.int64)
    probability = np.array([row[4] for row in dated], dtype=np.float64) / 100
    deals = np.array([row[5] for row in dated], dtype=np.int64)
    amount = np.array([float(row[6] or 0) for row in dated], dtype=np.float64)
    pipeline = monthly_pipeline(
        offsets, deals, amount, probability, rates.rate(stage, owner, probability), months=len(months)
    )
    later = offsets >= len(months)
    won_deals = np.zeros(len(months), dtype=np.int64)
    won_amount = [Decimal("0")] * len(months)
    for row in won_rows:  # at most one row per month
        if row[0] != currency:
            continue
        index = int(_month_offsets([_as_date(row[1])], months[0])[0])
        if 0 <= index <= months_back:
            won_deals[index] += row[2]
            won_amount[index] += row[3] or Decimal("0")
    undated = [row for row in mine if row[1] is None]
    return CurrencyForecast(
        currency=currency,
        months=[
            ForecastMonth(
                month=month,
                open_deals=int(pipeline.deals[index]),
                open_amount=_money(pipeline.amount[index]),
                weighted_by_probability=_money(pipeline.by_probability[index]),
                weighted_by_win_rate=_money(pipeline.by_win_rate[index]),
                won_deals=int(won_deals[index]),
                won_amount=_money(won_amount[index]),
            )
            for index, month in enumerate(months)
        ],
        late_deals=int(deals[late].sum()),
        undated_deals=sum(row[5] for row in undated),
        undated_amount=_money(sum((row[6] or Decimal("0") for row in undated), Decimal("0"))),
        later_deals=int(deals[later].sum()),
        later_amount=_money(float(amount[later].sum())),
    )


def _stage_rates(actor: Actor, rates: WinRates, open_stages: set[int]) -> list[StageWinRate]:
    """The open stages of the actor's deals (with history or open deals), in pipeline order, with their
    historical rates where they have history. Stages are read by the ids of deals the actor sees, so a
    role that may not view pipelines still sees the names its deals carry."""
    ids = open_stages | {int(stage) for stage in rates.stages}
    stages = list(
        Stage.objects.filter(pk__in=sorted(ids))
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline_id", "position", "id")
    )
    # Pipelines are named only when there are several and the role may see them (a partner's may not).
    several = len({stage.pipeline_id for stage in stages}) > 1 and actor.access.can("view", "pipeline")
    owners = np.bincount(np.searchsorted(rates.stages, rates.pair_stage), minlength=rates.stages.size)
    result = []
    for stage in stages:
        at = int(np.searchsorted(rates.stages, stage.pk))
        known = at < rates.stages.size and rates.stages[at] == stage.pk
        strength = float(rates.prior_strength[at]) if known else None
        result.append(
            StageWinRate(
                stage_id=stage.pk,
                label=f"{stage.pipeline.name} · {stage.name}" if several else stage.name,
                probability=stage.probability,
                closed_deals=int(rates.stage_closed[at]) if known else 0,
                won_deals=int(rates.stage_won[at]) if known else 0,
                win_rate=round(float(rates.stage_rate[at]), 4) if known else None,
                prior_strength=round(strength, 1) if strength is not None and np.isfinite(strength) else None,
                owners=int(owners[at]) if known else 0,
            )
        )
    return result
