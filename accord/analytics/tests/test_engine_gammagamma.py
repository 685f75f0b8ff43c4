"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4);
Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): density against integration over ν, the
CDNOW estimates, parameter recovery and failures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from accord.analytics.engine.fitting import FitError
from accord.analytics.engine.gammagamma import GammaGammaModel, fit_gammagamma, log_likelihood
from accord.analytics.engine.simulate import simulate_gammagamma
from accord.analytics.tests.test_engine_bgnbd import cdnow_summary


@pytest.mark.parametrize(("x", "mean_spend"), [(1, 12.5), (4, 30.0), (250, 18.0)])
def test_density_equals_integration_over_the_spend_scale(x: int, mean_spend: float) -> None:
    # Given p, q, γ and a customer's x transactions averaging m̄
    p, q, gamma = 6.0, 3.5, 15.0

    # When the density of m̄ given ν, Gamma(px, rate νx), is integrated over ν ~ Gamma(q, rate γ)
    def log_integrand(scale: float) -> float:
        return (
            p * x * np.log(scale * x)
            + (p * x - 1) * np.log(mean_spend)
            - scale * x * mean_spend
            - gammaln(p * x)
            + q * np.log(gamma)
            + (q - 1) * np.log(scale)
            - gamma * scale
            - gammaln(q)
        )

    peak = (p * x + q - 1) / (gamma + x * mean_spend)
    shift = log_integrand(peak)
    value, _ = integrate.quad(
        lambda v: np.exp(log_integrand(v) - shift), 0, peak * 20, points=[peak], epsabs=0, epsrel=1e-11
    )
    # Then it equals the closed form (Fader & Hardie 2013, eq. 3)
    ours = log_likelihood({"p": p, "q": q, "gamma": gamma}, [x], [mean_spend])[0]
    assert ours == pytest.approx(np.log(value) + shift, rel=1e-9)


def test_cdnow_reproduces_the_published_estimates() -> None:
    # Given the 946 CDNOW repeat buyers and the mean value of their repeat transactions (zbar)
    data = cdnow_summary()
    # When Gamma-Gamma is fitted (customers without a repeat purchase are left out)
    model = fit_gammagamma(data["x"], data["zbar"])
    # Then p = 6.25, q = 3.74, γ = 15.44 (Fader & Hardie 2013, section 3). The maximum lies at γ = 15.448
    # (lifetimes 0.11.3 finds 15.4477 too): the note's 15.44 is taken to ±0.01.
    assert model.n_customers == 946
    assert round(model.params["p"], 2) == 6.25
    assert round(model.params["q"], 2) == 3.74
    assert model.params["gamma"] == pytest.approx(15.44, abs=0.01)
    # And the expected spend shrinks a customer's own mean toward the population mean pγ/(q−1)
    assert model.population_mean_spend == pytest.approx(6.2488 * 15.4477 / 2.7446, rel=1e-4)
    own = model.expected_average_spend([1, 10, 0], [40.0, 40.0, 0.0])
    assert own[2] == pytest.approx(model.population_mean_spend, rel=1e-12)
    assert model.population_mean_spend < own[0] < own[1] < 40.0


def test_recovers_parameters_of_100000_simulated_customers() -> None:
    # Given 100,000 repeat buyers with 1 to 6 transactions (few transactions per customer carry the most on
    # p, the within-customer spread), spend drawn from the model's own process
    truth = {"p": 2.0, "q": 5.0, "gamma": 15.0}
    frequency = np.random.default_rng(5).integers(1, 7, 100_000).astype(float)
    spend = simulate_gammagamma(frequency, **truth, seed=3)
    # When Gamma-Gamma is fitted
    model = fit_gammagamma(frequency, spend)
    # Then every estimate is within 5% of the truth
    for name, value in truth.items():
        assert model.params[name] == pytest.approx(value, rel=0.05)
        assert model.standard_errors[name] < 0.025 * value


def test_spend_that_cannot_identify_the_model_raises_fit_error() -> None:
    with pytest.raises(FitError, match="no customer made a repeat purchase"):
        fit_gammagamma([0, 0], [0.0, 0.0])
    with pytest.raises(FitError, match="every repeat buyer spent the same"):
        fit_gammagamma([1, 2, 3], [10.0, 10.0, 10.0])
    with pytest.raises(FitError, match="positive mean spend"):
        fit_gammagamma([1, 2], [0.0, 10.0])


def test_expected_spend_is_vectorised() -> None:
    model = GammaGammaModel(params={"p": 6.25, "q": 3.74, "gamma": 15.44})
    x, m = np.array([0.0, 1, 5, 300]), np.array([0.0, 20, 35.5, 12])
    together = model.expected_average_spend(x, m)
    one_by_one = [model.expected_average_spend([x[i]], [m[i]])[0] for i in range(4)]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-15)
