"""From a transaction log to the per-customer summary the purchase models take: frequency x, recency t_x,
age T (Fader, Hardie & Lee 2005, "Counting your customers the easy way", section 2), and the mean spend of
the repeat transactions (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4)).

As in the literature, a customer's purchases on one day are one transaction (their amounts summed): the
models describe the timing of purchase occasions, and a basket split over two orders is one occasion.
Everything here is sorting and segment reductions over numpy arrays; no Python loop touches a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.analytics.engine.types import FloatArray, RepeatSummary

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class TransactionSummary:
    """The summary of the customers first seen by the calibration end, in ascending code order.

    ``customers`` are their codes (customers whose first purchase falls in the holdout are left out: the
    calibration period knows nothing of them). Days are the caller's day numbers; ``repeat`` is in the
    requested time unit. ``purchase_days`` and ``total_spend`` cover the calibration period;
    ``holdout_purchases`` counts purchase days after the calibration end, to the observation end.
    """

    customers: IntArray
    repeat: RepeatSummary
    first_day: IntArray
    last_day: IntArray
    purchase_days: IntArray
    total_spend: FloatArray
    holdout_purchases: FloatArray

    def __len__(self) -> int:
        return len(self.customers)


def collapse_same_day(
    customer_codes: IntArray, days: IntArray, amounts: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """One row per (customer, day), amounts summed, sorted by customer then day."""
    codes = np.asarray(customer_codes, dtype=np.int64)
    day_values = np.asarray(days, dtype=np.int64)
    order = np.lexsort((day_values, codes))
    codes, day_values = codes[order], day_values[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(codes) != 0) | (np.diff(day_values) != 0)])
    if len(codes) == 0:
        return codes, day_values, np.zeros(0)
    spend = np.add.reduceat(np.asarray(amounts, dtype=np.float64)[order], starts)
    return codes[starts], day_values[starts], spend


def summarise_transactions(
    customer_codes: IntArray,
    days: IntArray,
    amounts: FloatArray,
    *,
    calibration_end_day: int,
    observation_end_day: int,
    time_unit_days: float,
) -> TransactionSummary:
    """Summarise purchases to ``calibration_end_day`` (inclusive) and count the holdout's purchase days
    in (calibration_end_day, observation_end_day]; rows after the observation end are ignored."""
    if observation_end_day < calibration_end_day:
        raise ValueError("the observation end comes before the calibration end")
    codes, day_values, spend = collapse_same_day(customer_codes, days, amounts)
    observed = day_values <= observation_end_day
    codes, day_values, spend = codes[observed], day_values[observed], spend[observed]
    in_calibration = day_values <= calibration_end_day

    # Rows are sorted by (customer, day): the calibration rows of a customer come first, so the first
    # calibration row of each customer is its first purchase.
    calibration_codes = codes[in_calibration]
    calibration_days = day_values[in_calibration]
    calibration_spend = spend[in_calibration]
    starts = np.flatnonzero(np.r_[True, np.diff(calibration_codes) != 0][: len(calibration_codes)])
    ends = np.r_[starts[1:], len(calibration_codes)] - 1
    customers = calibration_codes[starts]
    first_day = calibration_days[starts]
    last_day = calibration_days[ends] if len(starts) else first_day
    purchase_days = (ends - starts + 1).astype(np.int64)
    total_spend = np.add.reduceat(calibration_spend, starts) if len(starts) else np.zeros(0, dtype=np.float64)

    frequency = (purchase_days - 1).astype(np.float64)
    repeat_spend = total_spend - calibration_spend[starts]
    # The mean spend of the repeat transactions, zbar in the iso-value paper; 0 for one-time buyers.
    monetary_value = np.divide(repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0)

    holdout_codes = codes[~in_calibration]
    position = np.searchsorted(customers, holdout_codes)
    known = (position < len(customers)) & (
        customers[np.minimum(position, max(len(customers) - 1, 0))] == holdout_codes
    )
    holdout = np.bincount(position[known], minlength=len(customers)).astype(np.float64)

    unit = float(time_unit_days)
    repeat = RepeatSummary(
        frequency=frequency,
        recency=(last_day - first_day) / unit,
        age=(calibration_end_day - first_day) / unit,
        monetary_value=monetary_value,
    )
    return TransactionSummary(
        customers=customers,
        repeat=repeat,
        first_day=first_day,
        last_day=last_day,
        purchase_days=purchase_days,
        total_spend=total_spend,
        holdout_purchases=holdout,
    )
