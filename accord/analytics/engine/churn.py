"""Churn risk: customers whose buying has stopped relative to their own rhythm, and what is at stake.

Two signals, and a customer's risk is the higher of the two:

- **Probability alive** (when a purchase model was fitted): the model's P(alive | x, t_x, T) (Fader, Hardie
  & Lee 2005, eq. 11 for BG/NBD). Below ``alive_high`` (0.3) is high risk, below ``alive_medium`` (0.6)
  medium.
- **Overdue** against the customer's own mean gap between purchase days, (last − first) / repeat
  purchases: ratio = days since the last purchase / that gap. From ``overdue_high`` (3 gaps) it is high
  risk, from ``overdue_medium`` (1.5 gaps) medium. A customer who bought once has no gap of their own and
  is judged against the population's typical gap, the median of the repeat buyers' gaps (the median, as
  a few customers buying daily would drag a mean down). With no repeat buyer at all there is no rhythm to
  judge and this signal stays low.

BG/NBD's P(alive) is 1 for anyone who never repeated, which is why the overdue signal is always kept.
The thresholds follow the "x times the usual interval" rule of thumb of non-contractual churn monitoring
(Buckinx & Van den Poel 2005 use the same individual inter-purchase time); they are parameters.

Value at stake is the customer's expected future value when a model gives one, otherwise their past
yearly revenue (revenue / years since the first purchase, counting at least one year so that a customer
of two weeks is not extrapolated 26-fold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DAYS_PER_YEAR = 365.25
HIGH, MEDIUM, LOW = "high", "medium", "low"
_LEVELS = np.array([LOW, MEDIUM, HIGH])


@dataclass(frozen=True)
class ChurnThresholds:
    alive_high: float = 0.3
    alive_medium: float = 0.6
    overdue_high: float = 3.0
    overdue_medium: float = 1.5

    def __post_init__(self) -> None:
        if not 0 <= self.alive_high <= self.alive_medium <= 1:
            raise ValueError("need 0 ≤ alive_high ≤ alive_medium ≤ 1")
        if not 0 < self.overdue_medium <= self.overdue_high:
            raise ValueError("need 0 < overdue_medium ≤ overdue_high")


@dataclass(frozen=True)
class ChurnAssessment:
    """Per customer: ``risk`` ("high", "medium", "low"), the usual gap in days they are judged against
    (NaN when there is none), how many such gaps have passed, the days past the gap (0 when not overdue;
    NaN without a gap), and the value at stake."""

    risk: NDArray[np.str_]
    expected_gap_days: FloatArray
    overdue_ratio: FloatArray
    days_overdue: FloatArray
    value_at_stake: FloatArray
    typical_gap_days: float | None


def churn_risk(
    *,
    days_since_last: IntArray | FloatArray,
    repeat_purchases: IntArray | FloatArray,
    first_to_last_days: IntArray | FloatArray,
    past_revenue: FloatArray,
    tenure_days: IntArray | FloatArray,
    probability_alive: FloatArray | None = None,
    expected_value: FloatArray | None = None,
    thresholds: ChurnThresholds | None = None,
) -> ChurnAssessment:
    """``tenure_days`` is the time from the first purchase to the analysis date."""
    limits = thresholds or ChurnThresholds()
    since = np.asarray(days_since_last, dtype=np.float64)
    repeats = np.asarray(repeat_purchases, dtype=np.float64)
    span = np.asarray(first_to_last_days, dtype=np.float64)
    own_gap = np.divide(span, repeats, out=np.full_like(span, np.nan), where=repeats > 0)
    usable = own_gap[np.isfinite(own_gap) & (own_gap > 0)]
    typical = float(np.median(usable)) if len(usable) else None
    gap = np.where(np.isfinite(own_gap) & (own_gap > 0), own_gap, typical if typical is not None else np.nan)
    ratio = np.divide(since, gap, out=np.full_like(since, np.nan), where=np.isfinite(gap))
    level = np.zeros(len(since), dtype=np.int64)
    with np.errstate(invalid="ignore"):
        level = np.where(ratio >= limits.overdue_medium, 1, level)
        level = np.where(ratio >= limits.overdue_high, 2, level)
    if probability_alive is not None:
        alive = np.asarray(probability_alive, dtype=np.float64)
        alive_level = np.where(alive < limits.alive_high, 2, np.where(alive < limits.alive_medium, 1, 0))
        level = np.maximum(level, alive_level)
    if expected_value is not None:
        at_stake = np.asarray(expected_value, dtype=np.float64)
    else:
        years = np.maximum(np.asarray(tenure_days, dtype=np.float64) / DAYS_PER_YEAR, 1.0)
        at_stake = np.asarray(past_revenue, dtype=np.float64) / years
    return ChurnAssessment(
        risk=_LEVELS[level],
        expected_gap_days=gap,
        overdue_ratio=ratio,
        days_overdue=np.maximum(since - gap, 0.0),
        value_at_stake=at_stake,
        typical_gap_days=typical,
    )
