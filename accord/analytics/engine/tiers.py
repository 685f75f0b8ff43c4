"""Customer value tiers: profitability = lifetime value − cost to serve, and a stated rule that sorts
customers into strategic, profitable, marginal and unprofitable (customer portfolio analysis in the CRM
value chain of Buttle & Maklan, "Customer Relationship Management: Concepts and Technologies": the
strategically significant customers are the few whose value the firm depends on, found by a Pareto-style
cut-off on profit rather than revenue).

The rule, in order (first match wins):

1. **unprofitable**: profitability < 0 (they cost more to serve than they are expected to bring);
2. **strategic**: the most profitable customers who together make ``strategic_profit_share`` (50%) of the
   total profit of the profitable customers; ties at the cut-off are all in;
3. **marginal**: profitability below ``marginal_fraction`` (25%) of the mean profitability of the
   profitable customers (or below ``marginal_below``, a fixed amount, when given);
4. **profitable**: the rest.

The cost to serve comes from the CRM (support interactions, refunds, discounts), as an array aligned with
the lifetime values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
STRATEGIC, PROFITABLE, MARGINAL, UNPROFITABLE = "strategic", "profitable", "marginal", "unprofitable"
TIERS = (STRATEGIC, PROFITABLE, MARGINAL, UNPROFITABLE)


@dataclass(frozen=True)
class TierRule:
    strategic_profit_share: float = 0.5
    marginal_fraction: float = 0.25
    marginal_below: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.strategic_profit_share <= 1:
            raise ValueError("the strategic profit share must be in (0, 1]")
        if self.marginal_fraction < 0 or (self.marginal_below is not None and self.marginal_below < 0):
            raise ValueError("the marginal threshold cannot be negative")


@dataclass(frozen=True)
class TierAssignment:
    tiers: NDArray[np.str_]
    profitability: FloatArray
    strategic_cutoff: float | None  # the lowest profitability of a strategic customer
    marginal_threshold: float
    rule: TierRule

    def describe(self, money: str = "{:,.2f}") -> str:
        """The rule as a sentence for the analytics page, with this run's figures."""
        share = f"{self.rule.strategic_profit_share:.0%}"
        if self.rule.marginal_below is not None:
            marginal = f"profit under {money.format(self.marginal_threshold)}"
        else:
            marginal = (
                f"profit under {self.rule.marginal_fraction:.0%} of the average profitable customer's "
                f"({money.format(self.marginal_threshold)})"
            )
        cutoff = (
            f" (a profit of {money.format(self.strategic_cutoff)} or more here)"
            if self.strategic_cutoff is not None
            else ""
        )
        return (
            "Profitability is lifetime value less cost to serve. Unprofitable: cost to serve above lifetime "
            f"value. Strategically significant: the most profitable customers who together make {share} of "
            f"total profit{cutoff}. Marginal: {marginal}. Profitable: the rest."
        )


def profitability(lifetime_value: FloatArray, cost_to_serve: FloatArray) -> FloatArray:
    return np.asarray(lifetime_value, dtype=np.float64) - np.asarray(cost_to_serve, dtype=np.float64)


def value_tiers(
    lifetime_value: FloatArray, cost_to_serve: FloatArray, rule: TierRule | None = None
) -> TierAssignment:
    rule = rule or TierRule()
    profit = profitability(lifetime_value, cost_to_serve)
    if profit.shape != np.shape(lifetime_value) or not np.isfinite(profit).all():
        raise ValueError("lifetime value and cost to serve must be finite and aligned")
    positive = np.sort(profit[profit > 0])[::-1]
    cutoff: float | None = None
    if len(positive):
        reached = np.cumsum(positive) >= rule.strategic_profit_share * positive.sum() * (1 - 1e-12)
        cutoff = float(positive[int(np.argmax(reached))])
    threshold = (
        rule.marginal_below
        if rule.marginal_below is not None
        else rule.marginal_fraction * float(positive.mean())
        if len(positive)
        else 0.0
    )
    tiers = np.full(len(profit), PROFITABLE, dtype="<U12")
    tiers[profit < threshold] = MARGINAL
    if cutoff is not None:
        tiers[profit >= cutoff] = STRATEGIC
    tiers[profit < 0] = UNPROFITABLE
    return TierAssignment(
        tiers=tiers,
        profitability=profit,
        strategic_cutoff=cutoff,
        marginal_threshold=float(threshold),
        rule=rule,
    )
