"""The Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
base analysis", Journal of Marketing Research 42(4), 415–430; Fader & Hardie (2013), "The Gamma-Gamma model
of monetary value".

A customer's transaction values are Gamma(p, ν); ν varies across customers as Gamma(q, γ). The mean of x
transactions, m̄_x, is then Gamma(px, νx) given ν. Spend is assumed independent of the purchase process, so
the model is fitted on repeat buyers (x > 0) alone, on the mean of their repeat transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from accord.analytics.engine.fitting import FitError, FloatArray, as_float_array, maximise_log_likelihood

NAMES = ("p", "q", "gamma")


@dataclass
class GammaGammaModel:
    """A fitted Gamma-Gamma model; money in the unit of the data it was fitted on."""

    params: dict[str, float]
    standard_errors: dict[str, float] = field(default_factory=dict)
    log_likelihood: float = float("nan")
    n_customers: int = 0
    name: str = "gammagamma"

    @property
    def population_mean_spend(self) -> float:
        """E[M] = pγ / (q − 1): the expected transaction value of a customer we know nothing about."""
        p, q, gamma = (self.params[name] for name in NAMES)
        return p * gamma / (q - 1)

    def expected_average_spend(self, frequency: ArrayLike, monetary_value: ArrayLike) -> FloatArray:
        """E[M | p, q, γ, m̄_x, x] = (γ + m̄_x x) p / (px + q − 1): Fader, Hardie & Lee (2005 JMR), eq. 5;
        Fader & Hardie (2013), eq. 6. A weighted mean of the population mean and the customer's own mean,
        the weight on the customer growing with x; customers without a repeat purchase (x = 0) get the
        population mean."""
        x, m = _check_spend(frequency, monetary_value)
        p, q, gamma = (self.params[name] for name in NAMES)
        return np.asarray((gamma + m * x) * p / (p * x + q - 1))

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.name,
            "params": dict(self.params),
            "standard_errors": dict(self.standard_errors),
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
        }


def _check_spend(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = as_float_array(frequency, "frequency")
    m = as_float_array(monetary_value, "monetary_value")
    if x.shape != m.shape:
        raise ValueError("frequency and monetary_value must have the same length")
    if np.any(x < 0) or np.any(m < 0):
        raise ValueError("frequency and monetary_value must not be negative")
    return x, m


def log_likelihood(params: dict[str, float], frequency: ArrayLike, monetary_value: ArrayLike) -> FloatArray:
    """Per-customer log-density of the mean spend m̄_x of x > 0 transactions: Fader & Hardie (2013), eq. 3,
    f(m̄_x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m̄_x^(px−1) x^(px) / (γ + m̄_x x)^(px+q)."""
    x, m = _check_spend(frequency, monetary_value)
    p, q, gamma = (params[name] for name in NAMES)
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )


class _Likelihood:
    """Summed negative log-likelihood and its analytic gradient over (x, m̄_x) with weights."""

    def __init__(self, x: FloatArray, m: FloatArray, weights: FloatArray) -> None:
        self.x, self.weights = x, weights
        self.log_m, self.log_x = np.log(m), np.log(x)
        self.mx = m * x

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        p, q, gamma = np.exp(log_params)
        px = p * self.x
        log_scale = np.log(gamma + self.mx)
        psi_pxq = digamma(px + q)
        value = self.weights @ (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(gamma)
            + (px - 1) * self.log_m
            + px * self.log_x
            - (px + q) * log_scale
        )
        d_p = self.weights @ (self.x * (psi_pxq - digamma(px) + self.log_m + self.log_x - log_scale))
        d_q = self.weights @ (psi_pxq - digamma(q) + np.log(gamma) - log_scale)
        d_gamma = self.weights @ (q / gamma - (px + q) / (gamma + self.mx))
        gradient = np.array([p * d_p, q * d_q, gamma * d_gamma])
        return -float(value), -gradient


def fit_gammagamma(
    frequency: ArrayLike, monetary_value: ArrayLike, *, weights: ArrayLike | None = None
) -> GammaGammaModel:
    """Maximum-likelihood Gamma-Gamma on the repeat buyers among the customers given (x > 0; the others are
    left out, as in Fader & Hardie 2013)."""
    x, m = _check_spend(frequency, monetary_value)
    given = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    if given.shape != x.shape or np.any(given < 0):
        raise ValueError("weights must be one non-negative number per customer")
    repeat = (x > 0) & (given > 0)
    if np.any(repeat & (m <= 0)):
        raise FitError("repeat buyers must have a positive mean spend to fit the spend model")
    x, m, given = x[repeat], m[repeat], given[repeat]
    if len(x) == 0:
        raise FitError("no customer made a repeat purchase, so the spend model cannot be fitted")
    if len(np.unique(m)) < 2:
        raise FitError("every repeat buyer spent the same, so the spread of spend cannot be estimated")
    total_weight = float(given.sum())
    mean = float(given @ m) / total_weight
    variance = float(given @ (m - mean) ** 2) / total_weight
    # Moment start: a spend coefficient of variation of 1/√p and a mean of pγ/(q−1) with q = 3.
    p0 = max(mean**2 / max(variance, 1e-12), 0.1)
    start = (p0, 3.0, 2 * mean / p0)
    fitted = maximise_log_likelihood(_Likelihood(x, m, given), NAMES, start, total_weight=total_weight)
    if fitted.params["q"] <= 1:
        raise FitError(
            "the fitted spend distribution has no finite mean (q ≤ 1): a few very large transactions "
            "dominate; the expected spend of a customer cannot be estimated"
        )
    return GammaGammaModel(
        params=fitted.params,
        standard_errors=fitted.standard_errors,
        log_likelihood=fitted.log_likelihood,
        n_customers=round(total_weight),
    )
