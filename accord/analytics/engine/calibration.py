"""Calibration/holdout validation of a purchase model: fit on the calibration period, predict the holdout,
compare with what customers actually did (Fader, Hardie & Lee 2005, section 4, Figures 3 and 4)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from accord.analytics.engine.fitting import FloatArray, as_float_array, check_summary
from accord.analytics.engine.types import PurchaseModel


def holdout_by_frequency(
    model: PurchaseModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    holdout_length: float,
    actual_holdout_purchases: ArrayLike,
    *,
    top_bucket: int = 7,
) -> list[tuple[str, int, float, float]]:
    """(label, customers, mean predicted, mean actual) holdout purchases by calibration frequency: one row
    per x = 0 … top_bucket − 1 and a last row "top_bucket+" (FHL 2005, Figure 4: conditional expectations).

    Every bucket is listed, so the table has the same shape for every run; an empty bucket shows 0
    customers and means of 0.0."""
    x, t_x, big_t = check_summary(frequency, recency, age)
    actual = as_float_array(actual_holdout_purchases, "actual_holdout_purchases")
    if actual.shape != x.shape:
        raise ValueError("actual_holdout_purchases must have one value per customer")
    if top_bucket < 1:
        raise ValueError("top_bucket must be at least 1")
    predicted = model.expected_purchases(holdout_length, x, t_x, big_t)
    bucket = np.minimum(x, top_bucket).astype(np.int64)
    customers = np.bincount(bucket, minlength=top_bucket + 1)
    predicted_sum = np.bincount(bucket, weights=predicted, minlength=top_bucket + 1)
    actual_sum = np.bincount(bucket, weights=actual, minlength=top_bucket + 1)
    rows = []
    for index in range(top_bucket + 1):
        label = f"{index}+" if index == top_bucket else str(index)
        count = int(customers[index])
        mean_predicted = float(predicted_sum[index] / count) if count else 0.0
        mean_actual = float(actual_sum[index] / count) if count else 0.0
        rows.append((label, count, mean_predicted, mean_actual))
    return rows


def cumulative_predicted(
    model: PurchaseModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    times: ArrayLike,
) -> FloatArray:
    """Total repeat purchases the model expects from all customers in (T, T + t], for each t in ``times``
    (time since the end of calibration): the predicted line of the cumulative holdout chart."""
    x, t_x, big_t = check_summary(frequency, recency, age)
    return np.asarray(
        [model.expected_purchases(float(t), x, t_x, big_t).sum() for t in np.asarray(times, float)]
    )


def cumulative_actual(holdout_purchase_times: ArrayLike, times: ArrayLike) -> FloatArray:
    """Number of holdout repeat purchases made by time t since the end of calibration, for each t in
    ``times``: the actual line of the same chart (one entry per purchase in ``holdout_purchase_times``)."""
    purchases = np.sort(as_float_array(holdout_purchase_times, "holdout_purchase_times"))
    return np.searchsorted(purchases, np.asarray(times, dtype=np.float64), side="right").astype(np.float64)
