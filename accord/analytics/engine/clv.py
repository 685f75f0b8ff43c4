"""Discounted customer lifetime value over a horizon, from a purchase model and an expected spend.

CLV = Σₖ (E[Y(tₖ)] − E[Y(tₖ₋₁)]) · E[M] · Dₖ: the purchases the model expects in each step of the horizon,
times the customer's expected spend, times a discount factor (Fader, Hardie & Lee 2005 JMR, section
"Computing CLV", in discrete form; the same sum as the `lifetimes` library's customer_lifetime_value).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from accord.analytics.engine.fitting import FloatArray, as_float_array, check_summary, unique_rows
from accord.analytics.engine.types import PurchaseModel

Discounting = Literal["period", "continuous"]


def discount_factors(
    step_ends: FloatArray,
    *,
    periods_per_year: float,
    annual_discount_rate: float,
    discounting: Discounting = "period",
) -> FloatArray:
    """The discount factor of each step ending at ``step_ends`` (model time units).

    "period": purchases of a step are paid at its end and discounted at the effective annual rate d,
      (1 + d)^−(t / periods_per_year) (with monthly steps this is monthly compounding of d's monthly
      equivalent, as in `lifetimes`).
    "continuous": purchases are paid in the middle of their step and d is a continuous (force of interest)
      rate, e^(−d · t_mid / periods_per_year).
    """
    if annual_discount_rate < 0 or annual_discount_rate > 10:
        raise ValueError("annual_discount_rate must be between 0 and 10 (0.1 means 10% a year)")
    if periods_per_year <= 0:
        raise ValueError("periods_per_year must be positive")
    if discounting == "period":
        return np.asarray((1 + annual_discount_rate) ** (-step_ends / periods_per_year))
    if discounting == "continuous":
        middles = (step_ends + np.concatenate([[0.0], step_ends[:-1]])) / 2
        return np.asarray(np.exp(-annual_discount_rate * middles / periods_per_year))
    raise ValueError(f"unknown discounting {discounting!r}: use 'period' or 'continuous'")


def lifetime_value(
    model: PurchaseModel,
    average_spend: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    horizon: float,
    periods_per_year: float,
    annual_discount_rate: float,
    discounting: Discounting = "period",
    steps_per_year: int = 12,
) -> FloatArray:
    """Each customer's discounted value over ``horizon`` (the model's time unit, like T).

    ``periods_per_year`` is the number of model time units in a year (365 for days, 52 for weeks); the
    horizon is cut into ``steps_per_year`` steps a year (monthly by default), and the model's cumulative
    expectation is evaluated once per step for all customers at once.
    """
    x, _, _ = check_summary(frequency, recency, age)
    spend = as_float_array(average_spend, "average_spend")
    if spend.shape != x.shape:
        raise ValueError("average_spend must have one value per customer")
    if horizon <= 0:
        return np.zeros_like(x)
    steps = max(1, int(np.ceil(horizon / periods_per_year * steps_per_year)))
    step_ends = np.linspace(0.0, horizon, steps + 1)[1:]
    factors = discount_factors(
        step_ends,
        periods_per_year=periods_per_year,
        annual_discount_rate=annual_discount_rate,
        discounting=discounting,
    )
    # Customers sharing (x, t_x, T) share their expectations: computed once per unique row.
    rows, inverse = unique_rows(frequency, recency, age)
    value = np.zeros_like(rows.frequency)
    previous = np.zeros_like(rows.frequency)
    for end, factor in zip(step_ends, factors, strict=True):
        cumulative = model.expected_purchases(float(end), rows.frequency, rows.recency, rows.age)
        value += (cumulative - previous) * factor
        previous = cumulative
    return np.asarray(value[inverse] * spend)
