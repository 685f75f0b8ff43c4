"""Value tiers from lifetime value and cost to serve, with the rule stated."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.engine.tiers import TierRule, value_tiers
from accord.analytics.models import ValueTier


def test_the_default_rule_on_a_hand_built_portfolio() -> None:
    # Given lifetime values and costs to serve: profits 500, 300, 100, 60, 30, 10, 0, −20
    lifetime_value = np.array([520.0, 300.0, 150.0, 60.0, 40.0, 10.0, 5.0, 0.0])
    cost = np.array([20.0, 0.0, 50.0, 0.0, 10.0, 0.0, 5.0, 20.0])

    # When tiered
    result = value_tiers(lifetime_value, cost)

    # Then the profitable make 1,000; the top customer alone makes 500 (50%): strategic. The marginal
    # threshold is 25% of the mean profit of the 6 profitable (1000/6 → 41.67): 30, 10 and 0 are marginal.
    assert result.profitability.tolist() == [500.0, 300.0, 100.0, 60.0, 30.0, 10.0, 0.0, -20.0]
    assert result.tiers.tolist() == [
        "strategic",
        "profitable",
        "profitable",
        "profitable",
        "marginal",
        "marginal",
        "marginal",
        "unprofitable",
    ]
    assert result.strategic_cutoff == 500.0
    assert result.marginal_threshold == pytest.approx(1000 / 6 / 4)
    assert set(result.tiers.tolist()) <= set(ValueTier.values)
    # and the rule reads as a sentence with this run's figures
    assert result.describe() == (
        "Profitability is lifetime value less cost to serve. Unprofitable: cost to serve above lifetime "
        "value. Strategically significant: the most profitable customers who together make 50% of total "
        "profit (a profit of 500.00 or more here). Marginal: profit under 25% of the average profitable "
        "customer's (41.67). Profitable: the rest."
    )


def test_ties_at_the_strategic_cutoff_are_all_in() -> None:
    # Given four customers of equal profit: two of them reach 50%, but all four share the cut-off value
    result = value_tiers(np.full(4, 100.0), np.zeros(4))
    assert result.tiers.tolist() == ["strategic"] * 4


def test_a_configured_rule() -> None:
    # Given strategic at 80% of profit and marginal below a fixed 50
    rule = TierRule(strategic_profit_share=0.8, marginal_below=50.0)
    result = value_tiers(np.array([600.0, 250.0, 100.0, 40.0, 10.0]), np.zeros(5), rule)
    # Then 600 + 250 = 850 ≥ 80% of 1,000
    assert result.tiers.tolist() == ["strategic", "strategic", "profitable", "marginal", "marginal"]
    assert (
        "together make 80% of total profit (a profit of 250.00 or more here). Marginal: profit under 50.00."
        in result.describe()
    )


def test_nobody_profitable() -> None:
    result = value_tiers(np.array([0.0, 1.0]), np.array([5.0, 1.0]))
    assert result.tiers.tolist() == ["unprofitable", "profitable"]
    assert result.strategic_cutoff is None
    assert "(a profit of" not in result.describe()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="must be finite and aligned"):
        value_tiers(np.array([1.0, np.nan]), np.zeros(2))
    with pytest.raises(ValueError, match=r"the strategic profit share must be in \(0, 1\]"):
        TierRule(strategic_profit_share=0)
