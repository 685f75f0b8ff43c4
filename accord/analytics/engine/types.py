"""The shapes the engine's parts hand each other.

Purchase models follow the notation of Fader, Hardie & Lee (2005), "Counting your customers the easy
way": for each customer, ``frequency`` x is the number of repeat transactions (distinct purchase days
after the first), ``recency`` t_x the time from the first purchase to the last, and ``age`` T the time from
the first purchase to the end of the observation period, all in one time unit (days or weeks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RepeatSummary:
    """Per-customer (x, t_x, T) and the mean spend of the repeat transactions (0 when x = 0), aligned by
    position with the caller's customer keys."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary_value: FloatArray


class PurchaseModel(Protocol):
    """A fitted model of when customers buy and whether they are still customers (BG/NBD, Pareto/NBD)."""

    name: str
    params: dict[str, float]
    standard_errors: dict[str, float]
    log_likelihood: float
    n_customers: int

    def probability_alive(self, frequency: FloatArray, recency: FloatArray, age: FloatArray) -> FloatArray:
        """P(alive | x, t_x, T)."""
        ...

    def expected_purchases(
        self, horizon: float, frequency: FloatArray, recency: FloatArray, age: FloatArray
    ) -> FloatArray:
        """E[purchases in (T, T + horizon] | x, t_x, T]."""
        ...

    def to_dict(self) -> dict[str, object]:
        """Model name, parameters by their usual names, standard errors, log-likelihood, customers."""
        ...
