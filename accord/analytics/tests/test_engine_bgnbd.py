"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)):
likelihood and predictions against direct integration over (λ, p), parameter recovery, the paper's CDNOW
estimates, stability and failures."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate
from scipy.special import betaln, gammaln

from accord.analytics.engine.bgnbd import BetaGeoModel, fit_bgnbd, log_likelihood
from accord.analytics.engine.fitting import FitError
from accord.analytics.engine.simulate import simulate_bgnbd

DATA = Path(__file__).parent / "data"


def cdnow_summary() -> dict[str, np.ndarray]:
    """The 2,357 CDNOW customers over the 39-week calibration period (x, t_x, T in weeks, zbar)."""
    with (DATA / "cdnow_customers_summary_with_transactions.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in ("x", "t_x", "T", "zbar")}


def _log_prior(params: dict[str, float], rate: float, dropout: float) -> float:
    """ln of the Gamma(r, α) density of λ times the Beta(a, b) density of p."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    return (
        r * np.log(alpha)
        + (r - 1) * np.log(rate)
        - alpha * rate
        - gammaln(r)
        + (a - 1) * np.log(dropout)
        + (b - 1) * np.log1p(-dropout)
        - betaln(a, b)
    )


def _integrate(params: dict[str, float], x: int, t_x: float, big_t: float, integrand) -> float:
    """ln ∫∫ integrand(λ, p) · prior dλ dp, scaled at the peak of λ's posterior so that customers with
    hundreds of purchases (likelihoods of e^−2000) integrate in range."""
    r, alpha = params["r"], params["alpha"]
    peak = max((r + x - 1) / (alpha + big_t), 1e-9)
    scale = x * np.log(peak) - peak * big_t
    # λ's posterior decays like e^−(α+t_x)λ in the "dropped out at t_x" branch: integrate well past it.
    upper = (r + x + 40 * np.sqrt(r + x) + 60) / (alpha + (t_x if x > 0 else big_t))
    points = [peak, (r + x) / (alpha + t_x)] if x > 0 else None

    def inner(dropout: float) -> float:
        value, _ = integrate.quad(
            lambda rate: np.exp(integrand(rate, dropout) + _log_prior(params, rate, dropout) - scale),
            0,
            upper,
            points=points,
            epsabs=0,
            epsrel=1e-10,
            limit=400,
        )
        return value

    value, _ = integrate.quad(inner, 0, 1, epsabs=0, epsrel=1e-10, limit=400)
    return float(np.log(value) + scale)


def _log_individual(x: int, t_x: float, big_t: float):
    """ln L(λ, p | x, t_x, T) = ln[(1−p)^x λ^x e^−λT + δ(x>0) p (1−p)^(x−1) λ^x e^−λt_x] (FHL 2005, eq. 3)."""

    def value(rate: float, dropout: float) -> float:
        alive = x * np.log1p(-dropout) + x * np.log(rate) - rate * big_t
        if x == 0:
            return alive
        dead = np.log(dropout) + (x - 1) * np.log1p(-dropout) + x * np.log(rate) - rate * t_x
        return float(np.logaddexp(alive, dead))

    return value


PARAMS = {"r": 1.4, "alpha": 6.0, "a": 1.3, "b": 2.8}
CASES = [(0, 0.0, 30.0), (1, 4.0, 30.0), (7, 25.5, 40.0), (120, 180.0, 200.0)]


@pytest.mark.parametrize(("x", "t_x", "big_t"), CASES)
def test_log_likelihood_equals_integration_over_rate_and_dropout(x: int, t_x: float, big_t: float) -> None:
    # Given a customer, including one with x = 0 and one with 120 purchases
    # When the closed form (FHL 2005, eq. 6) is evaluated
    ours = log_likelihood(PARAMS, [x], [t_x], [big_t])[0]
    # Then it equals the individual likelihood integrated over the Gamma and Beta mixing distributions
    assert ours == pytest.approx(_integrate(PARAMS, x, t_x, big_t, _log_individual(x, t_x, big_t)), rel=1e-8)


@pytest.mark.parametrize(
    ("a", "x", "t_x", "big_t"),
    [(0.6, *CASES[0]), (0.6, *CASES[2]), (0.6, *CASES[3]), (1.00003, *CASES[2]), (2.5, *CASES[1])],
)
def test_predictions_equal_integration_over_the_posterior(a: float, x: int, t_x: float, big_t: float) -> None:
    # Given parameters on both sides of a = 1 and next to it (where eq. 10 divides 0 by 0)
    params = {**PARAMS, "a": a}
    model = BetaGeoModel(params=params)
    horizon = 26.0
    log_total = _integrate(params, x, t_x, big_t, _log_individual(x, t_x, big_t))

    def alive(rate: float, dropout: float) -> float:
        return x * np.log1p(-dropout) + x * np.log(rate) - rate * big_t

    def alive_times_expectation(rate: float, dropout: float) -> float:
        # E[Y(t) | λ, p, alive at T] = (1 − e^−λpt) / p (FHL 2005, eq. 7's derivation, memoryless from T)
        return alive(rate, dropout) + np.log(-np.expm1(-rate * dropout * horizon) / dropout)

    # When P(alive) and E[Y(t) | x, t_x, T] are computed in closed form
    # Then they equal the posterior integrals
    expected_alive = np.exp(_integrate(params, x, t_x, big_t, alive) - log_total)
    expected_purchases = np.exp(_integrate(params, x, t_x, big_t, alive_times_expectation) - log_total)
    assert model.probability_alive([x], [t_x], [big_t])[0] == pytest.approx(expected_alive, rel=1e-7)
    assert model.expected_purchases(horizon, [x], [t_x], [big_t])[0] == pytest.approx(
        expected_purchases, rel=1e-7
    )


def test_cdnow_reproduces_the_published_estimates() -> None:
    # Given the CDNOW sample's calibration summary
    data = cdnow_summary()
    # When BG/NBD is fitted
    model = fit_bgnbd(data["x"], data["t_x"], data["T"])
    # Then the estimates are those of Fader, Hardie & Lee (2005), section 4: r = 0.243, α = 4.414,
    # a = 0.793, b = 2.426, LL = −9582.4
    assert {name: round(value, 3) for name, value in model.params.items()} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    assert round(model.log_likelihood, 1) == -9582.4
    assert model.n_customers == 2357
    # And the standard errors are the inverse Hessian's (lifetimes 0.11.3 reports 0.0126, 0.378, 0.186, 0.705)
    assert {name: round(value, 3) for name, value in model.standard_errors.items()} == {
        "r": 0.013,
        "alpha": 0.378,
        "a": 0.186,
        "b": 0.705,
    }
    # And the paper's worked example (section 4): a customer with x = 2, t_x = 30.43, T = 38.86 is
    # expected to make 1.226 purchases in the next 39 weeks
    assert round(float(model.expected_purchases(39, [2], [30.43], [38.86])[0]), 3) == 1.226


def test_recovers_parameters_of_100000_simulated_customers() -> None:
    # Given 100,000 customers drawn from BG/NBD's own process, acquired over two years (weeks)
    truth = {"r": 0.8, "alpha": 10.0, "a": 0.8, "b": 3.0}
    ages = np.random.default_rng(1).integers(52, 157, 100_000).astype(float)
    data = simulate_bgnbd(100_000, **truth, age=ages, seed=3)
    # When BG/NBD is fitted
    model = fit_bgnbd(data.frequency, data.recency, data.age)
    # Then every estimate is within 5% of the truth, and 5% is at least twice its standard error
    for name, value in truth.items():
        assert model.params[name] == pytest.approx(value, rel=0.05)
        assert model.standard_errors[name] < 0.025 * value


def test_many_purchases_over_long_histories_stay_finite_and_sensible() -> None:
    # Given a customer with 500 repeat purchases over 2,000 days, last seen 10 days ago, and one gone quiet
    model = BetaGeoModel(params={"r": 0.8, "alpha": 60.0, "a": 0.6, "b": 2.5})
    x, t_x, big_t = np.array([500.0, 500.0]), np.array([1990.0, 1000.0]), np.array([2000.0, 2000.0])
    # When the likelihood and predictions are computed
    ll = log_likelihood(model.params, x, t_x, big_t)
    alive = model.probability_alive(x, t_x, big_t)
    expected = model.expected_purchases(30.0, x, t_x, big_t)
    # Then everything is finite; the active buyer is alive and buys at their own rate, (r + x) / (α + T)
    # per day, a little less for the chance of dropping out; the quiet one has gone
    assert np.all(np.isfinite(ll))
    assert alive[0] > 0.98
    assert alive[1] < 1e-100
    rate = (0.8 + 500) / (60 + 2000)
    assert 0.97 * alive[0] * rate * 30 < expected[0] < alive[0] * rate * 30
    assert expected[1] < 1e-100


def test_vectorised_results_equal_a_loop_over_customers() -> None:
    # Given customers of every kind
    model = BetaGeoModel(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    x = np.array([0, 1, 2, 5, 29, 300], dtype=float)
    t_x = np.array([0, 2.5, 30.43, 20, 38.4, 1500.0])
    big_t = np.array([38.86, 30, 38.86, 39, 38.86, 2000.0])
    # When they are scored in one call and one by one
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
    # Then the results are the same
    np.testing.assert_allclose(np.array(together).T, np.array(one_by_one), rtol=1e-14)


def test_new_customer_expectation_is_the_conditional_one_at_time_zero() -> None:
    # Given the CDNOW parameters
    model = BetaGeoModel(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    # When a just-acquired customer's expected repeat purchases over 39 and 78 weeks are computed (eq. 9)
    # Then they equal eq. 10 at x = t_x = T = 0, and grow with the horizon
    new = model.expected_purchases_new_customer([39.0, 78.0])
    assert new[0] == pytest.approx(model.expected_purchases(39.0, [0], [0], [0])[0], rel=1e-12)
    assert new[0] < new[1]


def test_weights_are_the_same_as_repeated_customers() -> None:
    # Given CDNOW, once with each customer twice and once with weights of 2
    data = cdnow_summary()
    doubled = fit_bgnbd(np.tile(data["x"], 2), np.tile(data["t_x"], 2), np.tile(data["T"], 2))
    weighted = fit_bgnbd(data["x"], data["t_x"], data["T"], weights=np.full(len(data["x"]), 2.0))
    # Then the fits are the same
    for name in ("r", "alpha", "a", "b"):
        assert weighted.params[name] == pytest.approx(doubled.params[name], rel=1e-9)
    assert weighted.log_likelihood == pytest.approx(doubled.log_likelihood, rel=1e-12)


def test_data_that_cannot_identify_the_model_raise_fit_error() -> None:
    # Given nobody who bought again, and customers who are all alike
    with pytest.raises(FitError, match="no customer made a repeat purchase"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
    with pytest.raises(FitError, match="too much alike"):
        fit_bgnbd([2, 2, 2], [5, 5, 5], [10, 10, 10])


def test_inconsistent_summaries_are_refused() -> None:
    with pytest.raises(ValueError, match="recency must lie between 0 and the customer's age"):
        fit_bgnbd([1], [12], [10])
    with pytest.raises(ValueError, match="whole numbers"):
        fit_bgnbd([1.5], [2], [10])
    with pytest.raises(ValueError, match="not finite"):
        fit_bgnbd([1], [np.nan], [10])
