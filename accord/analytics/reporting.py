"""The figures of ``AnalyticsRun.report`` (shape: ``accord.analytics.report``), summed from the score
arrays with numpy (bincounts per cell, no loop over customers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.analytics import aggregation
from accord.analytics.aggregation import CohortCounts, CurrencyChoice, FloatArray, IntArray
from accord.analytics.engine.cohorts import cohort_table
from accord.analytics.engine.concentration import concentration
from accord.analytics.models import ChurnRisk, RfmSegment, ValueTier
from accord.analytics.report import (
    AliveMatrix,
    AnalyticsReport,
    Calibration,
    CalibrationRow,
    ChurnSummary,
    CohortRow,
    Cohorts,
    Concentration,
    Histogram,
    RfmCell,
    SegmentSummary,
    TierSummary,
)
from accord.analytics.scoring import WEEK_DAYS, CalibrationResult, Scores

HISTOGRAM_BINS = 20
# P(alive) matrix buckets: repeat purchases 0 … 9 and "10+", and recency (weeks from the first purchase to
# the last) in ten equal bands up to the longest history.
ALIVE_FREQUENCIES = 10
ALIVE_RECENCY_BANDS = 10


def _money(value: float) -> float:
    return round(float(value), 2)


def _sums(groups: IntArray, size: int, weights: FloatArray | None = None) -> NDArray[np.float64]:
    return np.bincount(groups, weights=weights, minlength=size).astype(np.float64)


def rfm_grid(scores: Scores) -> list[RfmCell]:
    """The 5×5 recency × frequency map; a cell is named after the segment most of its customers are in."""
    cell = (scores.recency_score - 1) * 5 + (scores.frequency_score - 1)
    customers = _sums(cell, 25)
    revenue = _sums(cell, 25, scores.purchases.revenue)
    segments = list(RfmSegment.values)
    segment_index = np.searchsorted(np.array(sorted(segments)), scores.segment)
    ordered = sorted(segments)
    by_segment = np.zeros((len(ordered), 25))
    np.add.at(by_segment, (segment_index, cell), 1)
    modal = by_segment.argmax(axis=0)
    return [
        RfmCell(
            recency_score=index // 5 + 1,
            frequency_score=index % 5 + 1,
            customers=int(customers[index]),
            revenue=_money(revenue[index]),
            segment=ordered[modal[index]] if customers[index] else "",
        )
        for index in range(25)
    ]


def segment_summaries(scores: Scores) -> list[SegmentSummary]:
    values = list(RfmSegment.values)
    index = np.searchsorted(np.array(sorted(values)), scores.segment)
    order = sorted(values)
    customers = _sums(index, len(order))
    revenue = _sums(index, len(order), scores.purchases.revenue)
    value = _sums(index, len(order), scores.lifetime_value)
    position = {segment: i for i, segment in enumerate(order)}
    return [
        SegmentSummary(
            segment=segment,
            customers=int(customers[position[segment]]),
            revenue=_money(revenue[position[segment]]),
            lifetime_value=_money(value[position[segment]]),
        )
        for segment in values
    ]


def value_histogram(values: FloatArray, bins: int = HISTOGRAM_BINS) -> Histogram:
    """Equal-width bins up to the 99th percentile and one last bin for the long tail, so a few very
    valuable customers do not squeeze everyone else into the first bar."""
    if len(values) == 0:
        return Histogram(edges=[], counts=[])
    low = min(0.0, float(values.min()))
    high = float(np.percentile(values, 99))
    top = float(values.max())
    edges = np.linspace(low, high, bins + 1) if high > low else np.array([low, low + 1.0])
    if top >= edges[-1]:
        edges = np.append(edges, np.nextafter(top, np.inf) if top > edges[-1] else edges[-1] + 0.01)
    counts, _ = np.histogram(values, bins=edges)
    return Histogram(edges=[_money(edge) for edge in edges], counts=[int(count) for count in counts])


def alive_matrix(scores: Scores) -> AliveMatrix:
    frequency = np.minimum(scores.repeat.frequency.astype(np.int64), ALIVE_FREQUENCIES)
    longest = float(scores.repeat.age.max()) if len(frequency) else 0.0
    width = max(longest / ALIVE_RECENCY_BANDS, 1e-9)
    band = np.minimum((scores.repeat.recency / width).astype(np.int64), ALIVE_RECENCY_BANDS - 1)
    cell = frequency * ALIVE_RECENCY_BANDS + band
    size = (ALIVE_FREQUENCIES + 1) * ALIVE_RECENCY_BANDS
    customers = _sums(cell, size)
    total = _sums(cell, size, scores.probability_alive)
    mean = np.divide(total, customers, out=np.full(size, np.nan), where=customers > 0).reshape(
        ALIVE_FREQUENCIES + 1, ALIVE_RECENCY_BANDS
    )
    return AliveMatrix(
        frequency_labels=[*(str(x) for x in range(ALIVE_FREQUENCIES)), f"{ALIVE_FREQUENCIES}+"],
        recency_labels=[
            f"{band * width:.0f}–{(band + 1) * width:.0f} wk" for band in range(ALIVE_RECENCY_BANDS)
        ],
        cells=[[None if np.isnan(value) else round(float(value), 4) for value in row] for row in mean],
    )


def tier_summaries(scores: Scores) -> list[TierSummary]:
    summaries = []
    for tier in ValueTier.values:
        chosen = scores.tier == tier
        summaries.append(
            TierSummary(
                tier=tier,
                customers=int(np.count_nonzero(chosen)),
                lifetime_value=_money(scores.lifetime_value[chosen].sum()),
                cost_to_serve=_money(scores.cost_to_serve[chosen].sum()),
                profitability=_money(scores.profitability[chosen].sum()),
            )
        )
    return summaries


def churn_summaries(scores: Scores) -> list[ChurnSummary]:
    return [
        ChurnSummary(
            risk=risk,
            customers=int(np.count_nonzero(scores.churn == risk)),
            value_at_stake=_money(scores.value_at_stake[scores.churn == risk].sum()),
        )
        for risk in ChurnRisk.values
    ]


def concentration_of(revenue: FloatArray) -> Concentration:
    measured = concentration(revenue)
    return Concentration(
        top_20_percent_share=round(float(measured.top_20_percent_share), 4),
        gini=round(float(measured.gini), 4),
        customer_share_for_80_percent=round(float(measured.customer_share_for_80_percent), 4),
        lorenz=[(round(float(x), 4), round(float(y), 4)) for x, y in measured.lorenz],
    )


def cohorts_of(cells: CohortCounts, analysis_date: dt.date) -> Cohorts:
    table = cohort_table(
        cells.cohort_month,
        cells.activity_month,
        cells.customers,
        cells.revenue,
        analysis_period=aggregation.month_index(analysis_date),
        period="month",
    )
    return Cohorts(
        period="month",
        rows=[
            CohortRow(cohort=label, size=size, active=active, revenue=revenue)
            for label, size, active, revenue in table.rows()
        ],
    )


@dataclass(frozen=True)
class HoldoutWeeks:
    """Purchase days of the calibration customers in each week of the holdout (week 0 first)."""

    weeks: IntArray
    purchases: IntArray


def calibration_of(result: CalibrationResult, weekly: HoldoutWeeks) -> Calibration:
    rows = [
        CalibrationRow(
            frequency=label,
            customers=int(customers),
            predicted=round(float(predicted), 4),
            actual=round(float(actual), 4),
        )
        for label, customers, predicted, actual in result.rows
    ]
    holdout_weeks = int(np.ceil((result.analysis_date - result.calibration_end).days / WEEK_DAYS))
    actual_by_week = np.zeros(holdout_weeks)
    inside = weekly.weeks < holdout_weeks
    np.add.at(actual_by_week, weekly.weeks[inside], weekly.purchases[inside])
    cumulative_actual = np.cumsum(actual_by_week)
    repeat = result.repeat
    weekly_rows: list[tuple[str, float, float]] = []
    for week in range(holdout_weeks):
        length = min((week + 1) * WEEK_DAYS, (result.analysis_date - result.calibration_end).days) / WEEK_DAYS
        predicted = float(
            result.purchase_model.expected_purchases(
                length, repeat.frequency, repeat.recency, repeat.age
            ).sum()
        )
        start = result.calibration_end + dt.timedelta(days=1 + 7 * week)
        weekly_rows.append((start.isoformat(), round(predicted, 2), float(cumulative_actual[week])))
    return Calibration(
        calibration_end=result.calibration_end.isoformat(),
        holdout_end=result.analysis_date.isoformat(),
        predicted_total=round(sum(customers * predicted for _, customers, predicted, _ in result.rows), 2),
        actual_total=round(sum(customers * actual for _, customers, _, actual in result.rows), 2),
        rows=rows,
        weekly=weekly_rows,
    )


def build_report(
    scores: Scores,
    *,
    cohorts: CohortCounts,
    currency: CurrencyChoice,
    calibration: tuple[CalibrationResult, HoldoutWeeks] | None,
    analysis_date: dt.date,
) -> AnalyticsReport:
    return AnalyticsReport(
        currency=currency.currency,
        rfm_grid=rfm_grid(scores),
        segments=segment_summaries(scores),
        value_distribution=value_histogram(scores.lifetime_value),
        concentration=concentration_of(scores.purchases.revenue),
        cohorts=cohorts_of(cohorts, analysis_date),
        alive_matrix=alive_matrix(scores),
        calibration=calibration_of(*calibration) if calibration is not None else None,
        tiers=tier_summaries(scores),
        tier_rule=scores.tier_rule,
        churn=churn_summaries(scores),
    )
