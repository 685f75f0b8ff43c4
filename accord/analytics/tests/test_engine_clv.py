"""Discounted lifetime value: the sum of discounted expected purchases per step times expected spend."""

from __future__ import annotations

import numpy as np
import pytest

from accord.analytics.engine.bgnbd import BetaGeoModel
from accord.analytics.engine.clv import discount_factors, lifetime_value
from accord.analytics.engine.paretonbd import ParetoNBDModel

CDNOW_BGNBD = BetaGeoModel(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
X = np.array([0.0, 2, 7, 300])
T_X = np.array([0.0, 30.43, 35, 500])
BIG_T = np.array([38.86, 38.86, 38.86, 520])
SPEND = np.array([30.0, 25.0, 40.0, 10.0])


def test_without_discounting_value_is_expected_purchases_times_spend() -> None:
    # Given no discounting, a one-year horizon in weeks
    value = lifetime_value(
        CDNOW_BGNBD, SPEND, X, T_X, BIG_T, horizon=52, periods_per_year=52, annual_discount_rate=0.0
    )
    # Then the steps add up to E[Y(52)] × spend
    np.testing.assert_allclose(value, CDNOW_BGNBD.expected_purchases(52, X, T_X, BIG_T) * SPEND, rtol=1e-12)


def test_value_is_the_hand_computed_discounted_sum() -> None:
    # Given a 10% annual rate, a two-year horizon in days cut into monthly steps, paid at each step's end
    model = ParetoNBDModel(params={"r": 0.55, "alpha": 74.0, "s": 0.6, "beta": 82.0})
    x, t_x, big_t, spend = np.array([3.0]), np.array([100.0]), np.array([200.0]), np.array([50.0])
    value = lifetime_value(
        model, spend, x, t_x, big_t, horizon=730, periods_per_year=365, annual_discount_rate=0.1
    )
    # Then it is Σₖ (E[Y(tₖ)] − E[Y(tₖ₋₁)]) × 50 × 1.1^−(tₖ/365) over the 24 steps
    ends = np.linspace(0, 730, 25)
    cumulative = np.array([model.expected_purchases(end, x, t_x, big_t)[0] for end in ends])
    expected = float(np.sum(np.diff(cumulative) * 50 * 1.1 ** -(ends[1:] / 365)))
    assert value[0] == pytest.approx(expected, rel=1e-12)


def test_continuous_discounting_discounts_each_step_at_its_middle() -> None:
    factors = discount_factors(
        np.array([30.0, 60.0]), periods_per_year=360, annual_discount_rate=0.12, discounting="continuous"
    )
    np.testing.assert_allclose(factors, np.exp(-0.12 * np.array([15.0, 45.0]) / 360), rtol=1e-15)


def test_discounting_lowers_value_and_a_longer_horizon_raises_it() -> None:
    def value(horizon: float, rate: float) -> np.ndarray:
        return lifetime_value(
            CDNOW_BGNBD, SPEND, X, T_X, BIG_T, horizon=horizon, periods_per_year=52, annual_discount_rate=rate
        )

    assert np.all(value(104, 0.15) < value(104, 0.0))
    assert np.all(value(104, 0.15) > value(52, 0.15))


def test_customers_sharing_a_summary_share_a_value_and_the_result_follows_their_order() -> None:
    order = np.array([3, 0, 1, 3, 2, 0])
    value = lifetime_value(
        CDNOW_BGNBD,
        SPEND[order],
        X[order],
        T_X[order],
        BIG_T[order],
        horizon=52,
        periods_per_year=52,
        annual_discount_rate=0.1,
    )
    single = lifetime_value(
        CDNOW_BGNBD, SPEND, X, T_X, BIG_T, horizon=52, periods_per_year=52, annual_discount_rate=0.1
    )
    np.testing.assert_allclose(value, single[order], rtol=1e-15)


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="annual_discount_rate"):
        lifetime_value(
            CDNOW_BGNBD, SPEND, X, T_X, BIG_T, horizon=52, periods_per_year=52, annual_discount_rate=-1
        )
    with pytest.raises(ValueError, match="unknown discounting"):
        discount_factors(np.array([1.0]), periods_per_year=52, annual_discount_rate=0.1, discounting="yearly")  # type: ignore[arg-type]
