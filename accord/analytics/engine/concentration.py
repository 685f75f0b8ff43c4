"""How concentrated revenue is among customers: the measured Pareto share, the Lorenz curve and the Gini
coefficient.

All figures come from one sort and one cumulative sum. The Lorenz curve L(p) is the share of revenue made
by the poorest share p of customers, linear between customers (Lorenz 1905); the top-20% share is
1 − L(0.8), so it is exact when 20% of the customers is not a whole number of them. The Gini coefficient
is twice the area between the diagonal and the curve, in the discrete form
G = 2 Σ i·x_(i) / (n Σ x) − (n + 1) / n for ascending x_(1..n) (e.g. Damgaard & Weiner 2000): 0 when
everyone spends the same, 1 − 1/n when one customer makes all the revenue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
LORENZ_POINTS = 101


@dataclass(frozen=True)
class Concentration:
    top_20_percent_share: float
    gini: float
    customer_share_for_80_percent: float
    lorenz: list[tuple[float, float]]  # (share of customers, share of revenue), at most 101 points


def concentration(values: FloatArray, *, points: int = LORENZ_POINTS) -> Concentration:
    """Concentration of per-customer revenue (non-negative). With no revenue at all, every customer's
    share is equal: the curve is the diagonal and the Gini coefficient 0."""
    revenue = np.sort(np.asarray(values, dtype=np.float64))
    if len(revenue) == 0:
        raise ValueError("no customers")
    if not np.isfinite(revenue).all() or revenue[0] < 0:
        raise ValueError("revenue must be finite and non-negative")
    total = revenue.sum()
    n = len(revenue)
    customers = np.arange(n + 1) / n
    if total == 0:
        cumulative = customers.copy()
        gini = 0.0
    else:
        cumulative = np.r_[0.0, np.cumsum(revenue) / total]
        cumulative[-1] = 1.0
        gini = float(2 * np.dot(np.arange(1, n + 1), revenue) / (n * total) - (n + 1) / n)
    top_share = 1 - float(np.interp(0.8, customers, cumulative))
    # The richest share q of customers makes 80% where the curve reaches 20%: q = 1 − L⁻¹(0.2).
    customer_share = 1 - float(np.interp(0.2, cumulative, customers))
    if n + 1 > points:
        grid = np.linspace(0, 1, points)
        lorenz = np.column_stack([grid, np.interp(grid, customers, cumulative)])
    else:
        lorenz = np.column_stack([customers, cumulative])
    return Concentration(
        top_20_percent_share=top_share,
        gini=max(gini, 0.0),
        customer_share_for_80_percent=customer_share,
        lorenz=[(float(p), float(share)) for p, share in np.round(lorenz, 6)],
    )
