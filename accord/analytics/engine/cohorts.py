"""Cohort retention: customers grouped by the month (or week) of their first purchase, and for each later
period how many of them bought and how much they spent.

The matrix is right-censored: cohort c can only be seen up to the analysis period, so its cells after
that are missing (``observed`` is False), not zero; a zero is a period we saw and nobody bought in. The
analysis period itself is shown although it may be partial.

The CRM feeds ``cohort_table`` rows grouped in SQL (cohort period, activity period, distinct customers,
revenue); the command line builds the same rows from a transaction log with ``cohort_rows``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Period = Literal["month", "week"]
PERIODS: tuple[Period, ...] = ("month", "week")

# 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday (ISO 8601).
_MONDAY_SHIFT = 3


def period_index(days: IntArray, period: Period) -> IntArray:
    """Month (year × 12 + month − 1) or Monday-week number of each day number (days since 1970-01-01)."""
    days = np.asarray(days, dtype=np.int64)
    if period == "week":
        return (days + _MONDAY_SHIFT) // 7
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def period_start(index: int, period: Period) -> dt.date:
    if period == "week":
        return dt.date(1970, 1, 1) + dt.timedelta(days=int(index) * 7 - _MONDAY_SHIFT)
    return dt.date(int(index) // 12, int(index) % 12 + 1, 1)


def period_label(index: int, period: Period) -> str:
    """ "2024-03" for a month, the Monday "2024-03-04" for a week."""
    start = period_start(index, period)
    return start.strftime("%Y-%m") if period == "month" else start.isoformat()


@dataclass(frozen=True)
class CohortTable:
    """Row i is cohort ``cohorts[i]``, column k its k-th period after the first (k = 0 is the first);
    ``active`` and ``revenue`` are 0 where ``observed`` is False."""

    period: Period
    cohorts: IntArray
    sizes: IntArray
    active: IntArray
    revenue: FloatArray
    observed: NDArray[np.bool_]

    @property
    def retention(self) -> FloatArray:
        """Share of the cohort buying in each period; NaN where censored."""
        share = self.active / np.maximum(self.sizes, 1)[:, None]
        return np.where(self.observed, share, np.nan)

    def labels(self) -> list[str]:
        return [period_label(int(index), self.period) for index in self.cohorts]

    def rows(self) -> list[tuple[str, int, list[int], list[float]]]:
        """(cohort label, size, active customers per observed period, revenue per observed period): the
        report's ``CohortRow`` fields, censored periods left out."""
        lengths = self.observed.sum(axis=1)
        return [
            (
                label,
                int(self.sizes[row]),
                self.active[row, : lengths[row]].tolist(),
                np.round(self.revenue[row, : lengths[row]], 2).tolist(),
            )
            for row, label in enumerate(self.labels())
        ]


def cohort_table(
    cohort_periods: IntArray,
    activity_periods: IntArray,
    customers: IntArray,
    revenue: FloatArray,
    *,
    analysis_period: int,
    period: Period = "month",
) -> CohortTable:
    """The table from rows grouped by (cohort period, activity period): distinct customers who bought and
    their revenue. The cohort's size is its customers in its own first period (everyone buys then)."""
    cohort_periods = np.asarray(cohort_periods, dtype=np.int64)
    activity_periods = np.asarray(activity_periods, dtype=np.int64)
    offsets = activity_periods - cohort_periods
    if (offsets < 0).any():
        raise ValueError("an activity period comes before its cohort's first period")
    if (activity_periods > analysis_period).any():
        raise ValueError("a row lies after the analysis period")
    cohorts, row_of = np.unique(cohort_periods, return_inverse=True)
    width = int(analysis_period - cohorts.min() + 1) if len(cohorts) else 1
    active = np.zeros((len(cohorts), width), dtype=np.int64)
    money = np.zeros((len(cohorts), width), dtype=np.float64)
    np.add.at(active, (row_of, offsets), np.asarray(customers, dtype=np.int64))
    np.add.at(money, (row_of, offsets), np.asarray(revenue, dtype=np.float64))
    observed = np.arange(width)[None, :] <= (analysis_period - cohorts)[:, None]
    return CohortTable(
        period=period,
        cohorts=cohorts,
        sizes=active[:, 0].copy(),
        active=active,
        revenue=money,
        observed=observed,
    )


def cohort_rows(
    customer_codes: IntArray,
    days: IntArray,
    amounts: FloatArray,
    *,
    analysis_day: int,
    period: Period = "month",
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """What the CRM's GROUP BY returns, from a transaction log: (cohort period, activity period, distinct
    customers, revenue) per pair, purchases after the analysis day left out."""
    codes = np.asarray(customer_codes, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    kept = days <= analysis_day
    codes, days, amounts = codes[kept], days[kept], np.asarray(amounts, dtype=np.float64)[kept]
    if len(codes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    first = np.full(codes.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, days)
    cohort = period_index(first[codes], period)
    activity = period_index(days, period)
    # One row per (cohort, activity, customer) first, so a customer counts once per period; the triple is
    # packed into one int64 key because a 1-D unique sorts far faster than a unique over columns.
    activity_base, activity_span = activity.min(), int(activity.max() - activity.min() + 1)
    cohort_base = cohort.min()
    customers_span = int(codes.max() + 1)
    group_key = (cohort - cohort_base) * activity_span + (activity - activity_base)
    pair_keys, pair_of = np.unique(group_key * customers_span + codes, return_inverse=True)
    pair_revenue = np.bincount(pair_of, weights=amounts, minlength=len(pair_keys))
    groups, group_of = np.unique(pair_keys // customers_span, return_inverse=True)
    return (
        (groups // activity_span + cohort_base).astype(np.int64),
        (groups % activity_span + activity_base).astype(np.int64),
        np.bincount(group_of, minlength=len(groups)).astype(np.int64),
        np.bincount(group_of, weights=pair_revenue, minlength=len(groups)).astype(np.float64),
    )


def cohort_table_from_transactions(
    customer_codes: IntArray,
    days: IntArray,
    amounts: FloatArray,
    *,
    analysis_day: int,
    period: Period = "month",
) -> CohortTable:
    cohorts, activity, customers, revenue = cohort_rows(
        customer_codes, days, amounts, analysis_day=analysis_day, period=period
    )
    analysis_period = int(period_index(np.array([analysis_day]), period)[0])
    return cohort_table(cohorts, activity, customers, revenue, analysis_period=analysis_period, period=period)
