"""The shape of ``AnalyticsRun.report``: what a refresh computes once for the analytics page to draw.

The refresh writes it (``services.analytics_refresh``); the page and its CSV exports read it. Numbers are
plain floats (money in the run's currency, rounded to cents), so the JSON stays small and each chart's
table and CSV show exactly what the chart shows.
"""

from __future__ import annotations

from typing import TypedDict


class RfmCell(TypedDict):
    """One cell of the recency × frequency segment map (scores 1–5)."""

    recency_score: int
    frequency_score: int
    customers: int
    revenue: float
    segment: str


class SegmentSummary(TypedDict):
    segment: str
    customers: int
    revenue: float
    lifetime_value: float


class Histogram(TypedDict):
    """``counts[i]`` customers have a value in [edges[i], edges[i + 1])."""

    edges: list[float]
    counts: list[int]


class CalibrationRow(TypedDict):
    """Customers with ``frequency`` repeat purchases in the calibration period (the last row is "7+")."""

    frequency: str
    customers: int
    predicted: float
    actual: float


class Calibration(TypedDict):
    """The purchase model fitted on orders to ``calibration_end`` and compared with the holdout."""

    calibration_end: str
    holdout_end: str
    predicted_total: float
    actual_total: float
    rows: list[CalibrationRow]
    weekly: list[tuple[str, float, float]]  # (week start, predicted, actual) cumulative repeat purchases


class Concentration(TypedDict):
    top_20_percent_share: float
    gini: float
    customer_share_for_80_percent: float
    lorenz: list[tuple[float, float]]  # (share of customers, share of revenue), at most 101 points


class CohortRow(TypedDict):
    """``active[k]`` customers of the cohort bought in its k-th period; periods after the analysis date are
    absent (right-censored), not zero."""

    cohort: str
    size: int
    active: list[int]
    revenue: list[float]


class Cohorts(TypedDict):
    period: str  # "month" or "week"
    rows: list[CohortRow]


class AliveMatrix(TypedDict):
    """Mean probability alive of the customers in each (frequency bucket, recency bucket) cell; ``None``
    where no customer falls."""

    frequency_labels: list[str]
    recency_labels: list[str]
    cells: list[list[float | None]]


class TierSummary(TypedDict):
    tier: str
    customers: int
    lifetime_value: float
    cost_to_serve: float
    profitability: float


class ChurnSummary(TypedDict):
    risk: str
    customers: int
    value_at_stake: float


class AnalyticsReport(TypedDict):
    currency: str
    rfm_grid: list[RfmCell]
    segments: list[SegmentSummary]
    value_distribution: Histogram
    concentration: Concentration
    cohorts: Cohorts
    alive_matrix: AliveMatrix
    calibration: Calibration | None  # None when the history is too short to hold a period out
    tiers: list[TierSummary]
    tier_rule: str
    churn: list[ChurnSummary]
