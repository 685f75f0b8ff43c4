"""Churn risk from each customer's own rhythm and from P(alive), with the value at stake."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.engine.churn import ChurnThresholds, churn_risk
from accord.analytics.models import ChurnRisk


def test_overdue_against_their_own_gap() -> None:
    # Given three repeat buyers with a 10-day rhythm, 9, 20 and 45 days after their last purchase, and a
    # one-time buyer 100 days after it
    result = churn_risk(
        days_since_last=np.array([9, 20, 45, 100]),
        repeat_purchases=np.array([3, 3, 3, 0]),
        first_to_last_days=np.array([30, 30, 30, 0]),
        past_revenue=np.array([400.0, 400.0, 400.0, 50.0]),
        tenure_days=np.array([730.5, 730.5, 730.5, 100]),
    )

    # Then 0.9 gaps is low, 2 gaps medium, 4.5 gaps high; the one-time buyer is judged against the typical
    # gap (10 days, the median of the repeat buyers'): 10 gaps, high
    assert result.risk.tolist() == ["low", "medium", "high", "high"]
    assert result.typical_gap_days == 10.0
    assert result.expected_gap_days.tolist() == [10.0, 10.0, 10.0, 10.0]
    assert result.overdue_ratio.tolist() == [0.9, 2.0, 4.5, 10.0]
    assert result.days_overdue.tolist() == [0.0, 10.0, 35.0, 90.0]
    # and with no model, the value at stake is the yearly revenue (two years: 200), at least a year counted
    assert result.value_at_stake.tolist() == [200.0, 200.0, 200.0, 50.0]
    assert set(result.risk.tolist()) <= set(ChurnRisk.values)


def test_probability_alive_raises_the_risk_and_the_model_value_is_at_stake() -> None:
    # Given four customers not overdue, with P(alive) 0.9, 0.5, 0.1 and 0.6 (the boundary: low)
    result = churn_risk(
        days_since_last=np.array([1, 1, 1, 1]),
        repeat_purchases=np.array([2, 2, 2, 2]),
        first_to_last_days=np.array([20, 20, 20, 20]),
        past_revenue=np.ones(4),
        tenure_days=np.full(4, 30),
        probability_alive=np.array([0.9, 0.5, 0.1, 0.6]),
        expected_value=np.array([10.0, 20.0, 30.0, 40.0]),
    )
    assert result.risk.tolist() == ["low", "medium", "high", "low"]
    assert result.value_at_stake.tolist() == [10.0, 20.0, 30.0, 40.0]


def test_the_higher_signal_wins() -> None:
    # Given a customer the model thinks alive but who is 5 gaps overdue
    result = churn_risk(
        days_since_last=np.array([50]),
        repeat_purchases=np.array([1]),
        first_to_last_days=np.array([10]),
        past_revenue=np.ones(1),
        tenure_days=np.array([60]),
        probability_alive=np.array([0.95]),
    )
    assert result.risk.tolist() == ["high"]


def test_without_any_repeat_buyer_only_the_model_can_judge() -> None:
    result = churn_risk(
        days_since_last=np.array([300, 2]),
        repeat_purchases=np.array([0, 0]),
        first_to_last_days=np.array([0, 0]),
        past_revenue=np.array([5.0, 5.0]),
        tenure_days=np.array([300, 2]),
    )
    assert result.risk.tolist() == ["low", "low"]
    assert result.typical_gap_days is None
    assert np.isnan(result.days_overdue).all()


def test_custom_thresholds_and_bad_ones() -> None:
    result = churn_risk(
        days_since_last=np.array([15]),
        repeat_purchases=np.array([1]),
        first_to_last_days=np.array([10]),
        past_revenue=np.ones(1),
        tenure_days=np.array([25]),
        thresholds=ChurnThresholds(overdue_medium=1.2, overdue_high=1.4),
    )
    assert result.risk.tolist() == ["high"]
    with pytest.raises(ValueError, match="need 0 < overdue_medium ≤ overdue_high"):
        ChurnThresholds(overdue_medium=3, overdue_high=2)
    with pytest.raises(ValueError, match="need 0 ≤ alive_high ≤ alive_medium ≤ 1"):
        ChurnThresholds(alive_high=0.7, alive_medium=0.5)
