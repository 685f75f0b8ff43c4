"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987; expressions of Fader & Hardie 2005, "A note on deriving
the Pareto/NBD model and related expressions"): likelihood and predictions against direct integration over
(λ, μ), the hypergeometric tail, parameter recovery and the CDNOW estimates of Fader, Hardie & Lee (2005)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from accord.analytics.engine.fitting import FitError
from accord.analytics.engine.paretonbd import (
    ParetoNBDModel,
    _log_tail_integral,
    fit_paretonbd,
    log_likelihood,
)
from accord.analytics.engine.simulate import simulate_paretonbd
from accord.analytics.tests.test_engine_bgnbd import cdnow_summary


def _log_gamma_density(value: float, shape: float, rate: float) -> float:
    return shape * np.log(rate) + (shape - 1) * np.log(value) - rate * value - gammaln(shape)


def _integrate(params: dict[str, float], x: int, t_x: float, big_t: float, integrand) -> float:
    """ln ∫∫ integrand(λ, μ) Gamma(λ; r, α) Gamma(μ; s, β) dλ dμ, scaled at λ's posterior peak."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    peak = max((r + x - 1) / (alpha + big_t), 1e-9)
    scale = x * np.log(peak) - peak * big_t
    upper_rate = (r + x + 40 * np.sqrt(r + x) + 60) / (alpha + (t_x if x > 0 else big_t))
    upper_death = (s + 40 * np.sqrt(s + 1) + 60) / beta

    def inner(death: float) -> float:
        value, _ = integrate.quad(
            lambda rate: np.exp(
                integrand(rate, death)
                + _log_gamma_density(rate, r, alpha)
                + _log_gamma_density(death, s, beta)
                - scale
            ),
            0,
            upper_rate,
            points=[peak, (r + x) / (alpha + t_x)] if x > 0 else None,
            epsabs=0,
            epsrel=1e-10,
            limit=400,
        )
        return value

    value, _ = integrate.quad(inner, 0, upper_death, epsabs=0, epsrel=1e-10, limit=400)
    return float(np.log(value) + scale)


def _log_individual(x: int, t_x: float, big_t: float):
    """ln L(λ, μ | x, t_x, T) = ln[λ^x e^−(λ+μ)T + λ^x μ/(λ+μ) (e^−(λ+μ)t_x − e^−(λ+μ)T)] (Fader & Hardie
    2005 note, the individual-level likelihood)."""

    def value(rate: float, death: float) -> float:
        both = rate + death
        alive = x * np.log(rate) - both * big_t
        if t_x == big_t:
            return alive
        dead = x * np.log(rate) + np.log(death / both) - both * t_x + np.log(-np.expm1(-both * (big_t - t_x)))
        return float(np.logaddexp(alive, dead))

    return value


CASES = [(0, 0.0, 30.0), (1, 4.0, 30.0), (7, 25.5, 40.0), (120, 180.0, 200.0)]


@pytest.mark.parametrize(
    "params",
    [
        {"r": 1.4, "alpha": 6.0, "s": 1.2, "beta": 9.0},  # α < β
        {"r": 1.4, "alpha": 9.0, "s": 0.8, "beta": 6.0},  # α ≥ β
    ],
)
@pytest.mark.parametrize(("x", "t_x", "big_t"), CASES)
def test_log_likelihood_and_predictions_equal_integration(
    params: dict[str, float], x: int, t_x: float, big_t: float
) -> None:
    # Given a customer (no repeat purchase, one, several, 120) under both choices of the ₂F₁ argument
    model = ParetoNBDModel(params=params)
    log_total = _integrate(params, x, t_x, big_t, _log_individual(x, t_x, big_t))
    horizon = 26.0

    def alive(rate: float, death: float) -> float:
        return x * np.log(rate) - (rate + death) * big_t

    def alive_times_expectation(rate: float, death: float) -> float:
        # E[Y(t) | λ, μ, alive at T] = λ/μ (1 − e^−μt)
        return alive(rate, death) + np.log(rate / death * -np.expm1(-death * horizon))

    # When the closed forms are evaluated
    # Then they equal the integrals over the Gamma mixing distributions
    assert log_likelihood(params, [x], [t_x], [big_t])[0] == pytest.approx(log_total, rel=1e-8)
    assert model.probability_alive([x], [t_x], [big_t])[0] == pytest.approx(
        np.exp(_integrate(params, x, t_x, big_t, alive) - log_total), rel=1e-7
    )
    assert model.expected_purchases(horizon, [x], [t_x], [big_t])[0] == pytest.approx(
        np.exp(_integrate(params, x, t_x, big_t, alive_times_expectation) - log_total), rel=1e-7
    )


@pytest.mark.parametrize(
    ("alpha", "beta", "x", "t"),
    [
        (10.0, 11.0, 3, 5.0),
        (11.0, 10.0, 3, 5.0),
        (5000.0, 1.0, 800, 0.0),  # z = 0.9998 with a large b: scipy's hyp2f1 overflows, the series answers
        (1.0, 5000.0, 800, 0.0),
        (2.0, 3.0, 0, 0.0),
    ],
)
def test_tail_integral_equals_quadrature(alpha: float, beta: float, x: int, t: float) -> None:
    # Given I(t) = ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ, including arguments where scipy's hyp2f1 fails
    params = {"r": 0.7, "alpha": alpha, "s": 0.4, "beta": beta}
    ours = _log_tail_integral(params, np.array([float(x)]), np.array([t]))[0]
    # When it is integrated numerically in τ = t + e^u − 1 (the integrand spans many decades)
    shift = -(0.7 + x) * np.log(alpha + t) - 1.4 * np.log(beta + t)

    def integrand(u: float) -> float:
        tau = t + np.expm1(u)
        log_value = -(0.7 + x) * np.log(alpha + tau) - 1.4 * np.log(beta + tau) + u - shift
        return float(np.exp(log_value))

    value, _ = integrate.quad(integrand, 0, 60, epsabs=0, epsrel=1e-11, limit=500)
    # Then the closed form through the stable ₂F₁ agrees
    assert ours == pytest.approx(np.log(value) + shift, rel=1e-9)
    assert np.isfinite(ours)


def test_cdnow_reproduces_the_published_estimates() -> None:
    # Given the CDNOW sample's calibration summary
    data = cdnow_summary()
    # When Pareto/NBD is fitted
    model = fit_paretonbd(data["x"], data["t_x"], data["T"])
    # Then the estimates are those of Fader, Hardie & Lee (2005, Marketing Science), section 4: r = 0.553,
    # α = 10.578, s = 0.606, β = 11.669, LL = −9595.0. β's maximum lies at 11.668 (lifetimes 0.11.3 finds
    # 11.667): the likelihood is flat in β (standard error 6.2), so the last printed digit is allowed ±1.
    assert round(model.params["r"], 3) == 0.553
    assert round(model.params["alpha"], 3) == 10.578
    assert round(model.params["s"], 3) == 0.606
    assert model.params["beta"] == pytest.approx(11.669, abs=0.0015)
    assert round(model.log_likelihood, 1) == -9595.0
    # And the standard errors are stable second differences of the likelihood
    assert model.standard_errors["beta"] == pytest.approx(6.211, abs=0.002)


def test_recovers_parameters_of_100000_simulated_customers() -> None:
    # Given 100,000 customers drawn from Pareto/NBD's own process over one to three years, their purchase
    # times observed to the day as a transaction log records them
    truth = {"r": 0.8, "alpha": 60.0, "s": 0.7, "beta": 150.0}
    ages = np.random.default_rng(1).integers(365, 3 * 365, 100_000).astype(float)
    data = simulate_paretonbd(100_000, **truth, age=ages, seed=3)
    # When Pareto/NBD is fitted
    model = fit_paretonbd(data.frequency, np.round(data.recency), data.age)
    # Then every estimate is within 5% of the truth, and 5% is at least 1.7 standard errors
    for name, value in truth.items():
        assert model.params[name] == pytest.approx(value, rel=0.05)
        assert model.standard_errors[name] < 0.03 * value


def test_many_purchases_over_long_histories_stay_finite_and_sensible() -> None:
    # Given a customer with 500 repeat purchases over 2,000 days, last seen 10 days ago, and one gone quiet
    model = ParetoNBDModel(params={"r": 0.8, "alpha": 60.0, "s": 0.7, "beta": 150.0})
    x, t_x, big_t = np.array([500.0, 500.0]), np.array([1990.0, 1000.0]), np.array([2000.0, 2000.0])
    ll = log_likelihood(model.params, x, t_x, big_t)
    alive = model.probability_alive(x, t_x, big_t)
    expected = model.expected_purchases(30.0, x, t_x, big_t)
    # Then everything is finite, the active buyer buys at their own rate while alive, the quiet one has gone
    assert np.all(np.isfinite(ll))
    assert alive[0] > 0.98
    assert alive[1] < 1e-100
    rate = (0.8 + 500) / (60 + 2000)
    assert 0.97 * alive[0] * rate * 30 < expected[0] < alive[0] * rate * 30


def test_vectorised_results_equal_a_loop_over_customers() -> None:
    model = ParetoNBDModel(params={"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    x = np.array([0, 1, 2, 5, 29, 300], dtype=float)
    t_x = np.array([0, 2.5, 30.43, 20, 38.4, 1500.0])
    big_t = np.array([38.86, 30, 38.86, 39, 38.86, 2000.0])
    together = (
        model.probability_alive(x, t_x, big_t),
        model.expected_purchases(39, x, t_x, big_t),
        log_likelihood(model.params, x, t_x, big_t),
    )
    one_by_one = [
        [
            model.probability_alive([x[i]], [t_x[i]], [big_t[i]])[0],
            model.expected_purchases(39, [x[i]], [t_x[i]], [big_t[i]])[0],
            log_likelihood(model.params, [x[i]], [t_x[i]], [big_t[i]])[0],
        ]
        for i in range(len(x))
    ]
    np.testing.assert_allclose(np.array(together).T, np.array(one_by_one), rtol=1e-14)


def test_expectation_at_s_equal_one_is_the_limit() -> None:
    # Given s = 1, where [1 − q^(s−1)] / (s−1) is 0/0
    at_one = ParetoNBDModel(params={"r": 0.5, "alpha": 10.0, "s": 1.0, "beta": 12.0})
    near_one = ParetoNBDModel(params={"r": 0.5, "alpha": 10.0, "s": 1.0 + 1e-9, "beta": 12.0})
    # Then the expectation is the limit
    assert at_one.expected_purchases(39, [3], [20], [38])[0] == pytest.approx(
        near_one.expected_purchases(39, [3], [20], [38])[0], rel=1e-7
    )


def test_data_without_repeat_buyers_raise_fit_error() -> None:
    with pytest.raises(FitError, match="no customer made a repeat purchase"):
        fit_paretonbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
