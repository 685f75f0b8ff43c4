"""Pareto share, Gini coefficient and Lorenz curve on distributions whose answers are known in closed form.

A continuous distribution is represented by n customers, customer i spending the distribution's mean over
its i-th quantile bin [i/n, (i + 1)/n]: a deterministic "sample" whose Lorenz curve equals the
distribution's at every i/n, even for a tail as heavy as Pareto's at alpha ≈ 1.16, where random samples and
mid-quantiles converge very slowly."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import optimize

from accord.analytics.engine.concentration import concentration

N = 200_000
EDGES = np.arange(N + 1) / N


def bin_means(antiderivative: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """N × the integral of the quantile function over each bin, from an antiderivative of it."""
    return N * np.diff(antiderivative(EDGES))


def pareto(alpha: float) -> np.ndarray:
    # Quantile (1 − u)^(−1/alpha) (scale 1); antiderivative −(1 − u)^(1 − 1/alpha) / (1 − 1/alpha), 0 at u = 1
    exponent = 1 - 1 / alpha
    return bin_means(lambda u: -((1 - u) ** exponent) / exponent)


def test_equal_spend() -> None:
    result = concentration(np.full(1000, 25.0))
    assert result.gini == pytest.approx(0.0, abs=1e-12)
    assert result.top_20_percent_share == pytest.approx(0.2, abs=1e-12)
    assert result.customer_share_for_80_percent == pytest.approx(0.8, abs=1e-12)
    assert len(result.lorenz) == 101
    assert all(p == pytest.approx(share, abs=1e-6) for p, share in result.lorenz)


@pytest.mark.parametrize("n", [1, 2, 10, 1000])
def test_one_customer_has_everything(n: int) -> None:
    values = np.zeros(n)
    values[0] = 500.0
    result = concentration(values)
    assert result.gini == pytest.approx(1 - 1 / n, abs=1e-12)
    assert result.top_20_percent_share == pytest.approx(min(1.0, 0.2 * n), abs=1e-12)
    assert result.customer_share_for_80_percent == pytest.approx(0.8 / n, abs=1e-12)


def test_a_small_population_keeps_every_lorenz_point() -> None:
    # Given four customers spending 1, 2, 3 and 4
    result = concentration(np.array([4.0, 1.0, 3.0, 2.0]))
    # Then the curve has their five cumulative shares, and the Gini is 2·(1+4+9+16)/(4·10) − 5/4 = 0.25
    assert result.lorenz == [(0.0, 0.0), (0.25, 0.1), (0.5, 0.3), (0.75, 0.6), (1.0, 1.0)]
    assert result.gini == pytest.approx(0.25, abs=1e-12)
    # the top 20% (0.8 of a customer, all from the one spending 4) make 0.8·4/10
    assert result.top_20_percent_share == pytest.approx(0.32, abs=1e-12)


@pytest.mark.parametrize("alpha", [math.log(5) / math.log(4), 1.5, 2.5])
def test_pareto_distribution(alpha: float) -> None:
    # Given Pareto spend with shape alpha: Gini 1/(2alpha − 1); the top share p makes p^(1 − 1/alpha)
    values = pareto(alpha)

    result = concentration(values)

    top_share = 0.2 ** (1 - 1 / alpha)
    assert result.gini == pytest.approx(1 / (2 * alpha - 1), abs=1e-3)
    assert result.top_20_percent_share == pytest.approx(top_share, abs=1e-3)
    assert result.customer_share_for_80_percent == pytest.approx(0.8 ** (alpha / (alpha - 1)), abs=1e-3)


def test_the_80_20_rule_at_alpha_log5_over_log4() -> None:
    values = pareto(math.log(5) / math.log(4))
    result = concentration(values)
    assert round(result.top_20_percent_share, 2) == 0.80
    assert round(result.customer_share_for_80_percent, 2) == 0.20


def test_exponential_distribution() -> None:
    # Given exponential spend: Gini 1/2, and the top share p makes p(1 − ln p)
    # Quantile −ln(1 − u); antiderivative (1 − u)·ln(1 − u) − (1 − u), 0 at u = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        values = bin_means(lambda u: np.where(u < 1, (1 - u) * np.log(1 - u) - (1 - u), 0.0))

    result = concentration(values)

    assert result.gini == pytest.approx(0.5, abs=1e-3)
    assert result.top_20_percent_share == pytest.approx(0.2 * (1 + math.log(5)), abs=1e-3)
    share = optimize.brentq(lambda p: p * (1 - math.log(p)) - 0.8, 1e-9, 1)
    assert result.customer_share_for_80_percent == pytest.approx(share, abs=1e-3)


def test_no_revenue_and_bad_values() -> None:
    assert concentration(np.zeros(3)).gini == 0.0
    with pytest.raises(ValueError, match="no customers"):
        concentration(np.zeros(0))
    with pytest.raises(ValueError, match="revenue must be finite and non-negative"):
        concentration(np.array([1.0, -2.0]))
