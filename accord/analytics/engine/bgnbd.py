"""The BG/NBD purchase model: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2), 275–284.

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each repeat purchase
the customer drops out for good with probability p ~ Beta(a, b). Everything is computed in logarithms
(``gammaln``, ``logaddexp``) so that a customer with hundreds of purchases over thousands of days neither
overflows nor loses precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, expit, gammaln, hyp2f1, polygamma

from accord.analytics.engine.fitting import (
    Compressed,
    FloatArray,
    MaximumLikelihood,
    check_summary,
    dot,
    fit_purchase_model,
    maximise_log_likelihood,
    softplus_and_sigmoid,
    unique_inverse,
)

NAMES = ("r", "alpha", "a", "b")
# Near a = 1 the closed form of the conditional expectation divides 0 by 0 (the singularity is removable);
# there it is interpolated between a = 1 ± A_NEAR_ONE, which is exact to O(A_NEAR_ONE²).
A_NEAR_ONE = 1e-4


@dataclass
class BetaGeoModel:
    """A fitted BG/NBD model; time in the unit of the data it was fitted on."""

    params: dict[str, float]
    standard_errors: dict[str, float] = field(default_factory=dict)
    log_likelihood: float = float("nan")
    n_customers: int = 0
    name: str = "bgnbd"

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> FloatArray:
        """P(alive | x, t_x, T): Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model",
        eq. 1; 1 for customers without a repeat purchase (in BG/NBD nobody drops out before buying again)."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        return expit(-_log_odds_dead(self.params, x, t_x, big_t))

    def expected_purchases(
        self, horizon: float, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T], the expected purchases in (T, T + horizon]: Fader, Hardie & Lee (2005),
        eq. 10, as P(alive) times the expectation of a customer known to be alive."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        return self.probability_alive(x, t_x, big_t) * _alive_expectation(self.params, horizon, x, big_t)

    def expected_purchases_new_customer(self, horizon: ArrayLike) -> FloatArray:
        """E[X(t)], the repeat purchases of a customer just acquired: Fader, Hardie & Lee (2005), eq. 9
        (eq. 10 at x = t_x = T = 0)."""
        t = np.atleast_1d(np.asarray(horizon, dtype=np.float64))
        return _alive_expectation(self.params, t, np.zeros_like(t), np.zeros_like(t))

    def log_likelihood_of(self, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> FloatArray:
        """Each customer's log-likelihood under the fitted parameters."""
        return log_likelihood(self.params, frequency, recency, age)

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.name,
            "params": dict(self.params),
            "standard_errors": dict(self.standard_errors),
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
        }


def log_likelihood(
    params: dict[str, float], frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood; Fader, Hardie & Lee (2005), eq. 6, in the form of Fader, Hardie & Lee
    (2005), "Implementing the BG/NBD model for customer base analysis in Excel": ln L = ln A1 + ln A2 +
    ln(A3 + δ(x>0) A4)."""
    x, t_x, big_t = check_summary(frequency, recency, age)
    r, alpha, a, b = (params[name] for name in NAMES)
    ln_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    ln_a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    ln_a3 = -(r + x) * np.log(alpha + big_t)
    ln_a4 = _ln_a4(a, b, r, alpha, x, t_x)
    return np.asarray(ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4))


def _ln_a4(a: float, b: float, r: float, alpha: float, x: FloatArray, t_x: FloatArray) -> FloatArray:
    """ln A4 = ln(a / (b + x − 1)) − (r + x) ln(α + t_x) for x > 0, and −∞ (the term is absent) for x = 0."""
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    value = np.log(a) - np.log(b + safe_x - 1) - (r + safe_x) * np.log(alpha + t_x)
    return np.where(repeat, value, -np.inf)


def _log_odds_dead(params: dict[str, float], x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    """ln[P(dead) / P(alive)] = ln A4 − ln A3 (−∞ without a repeat purchase)."""
    r, alpha, a, b = (params[name] for name in NAMES)
    return _ln_a4(a, b, r, alpha, x, t_x) + (r + x) * np.log(alpha + big_t)


def _alive_expectation(
    params: dict[str, float], horizon: float | FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """E[Y(t) | alive at T, x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)],
    z = t / (α+T+t) (Fader, Hardie & Lee 2005, eq. 10, numerator).

    ₂F₁(r+x, b+x; c; z) grows like (1−z)^−(r+x) for a customer with many purchases and overflows; Euler's
    transformation ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) (Abramowitz & Stegun 15.3.3) cancels
    that factor exactly, leaving 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose parameters do not grow
    with x."""
    a = params["a"]
    if abs(a - 1) >= A_NEAR_ONE:
        return _alive_expectation_at(params, a, horizon, x, big_t)
    below = _alive_expectation_at(params, 1 - A_NEAR_ONE, horizon, x, big_t)
    above = _alive_expectation_at(params, 1 + A_NEAR_ONE, horizon, x, big_t)
    return below + (a - (1 - A_NEAR_ONE)) / (2 * A_NEAR_ONE) * (above - below)


def _alive_expectation_at(
    params: dict[str, float], a: float, horizon: float | FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    r, alpha, b = params["r"], params["alpha"], params["b"]
    t = np.maximum(np.asarray(horizon, dtype=np.float64), 0.0)
    c = a + b + x - 1
    log_one_minus_z = np.log(alpha + big_t) - np.log(alpha + big_t + t)
    z = -np.expm1(log_one_minus_z)
    bracket = 1 - np.exp((a - 1) * log_one_minus_z) * hyp2f1(a + b - 1 - r, a - 1, c, z)
    return np.asarray(c / (a - 1) * bracket)


class _CompressedLikelihood:
    """The summed negative log-likelihood and its analytic gradient over compressed data.

    Terms depending on x alone, on T alone or on t_x alone are computed once per distinct value (a few
    hundred) and gathered; customers without a repeat purchase contribute through their T alone (A4 is
    absent), so they are summed per distinct T. An evaluation is a handful of array operations over the
    unique rows of repeat buyers."""

    def __init__(self, data: Compressed) -> None:
        self.total_weight = float(data.weights.sum())
        self.unique_x, index_x = unique_inverse(data.frequency)
        self.unique_age, index_age = unique_inverse(data.age)
        self.unique_recency, index_recency = unique_inverse(data.recency)
        self.weight_per_x = np.bincount(index_x, weights=data.weights, minlength=len(self.unique_x))
        self.x_minus_one = np.where(self.unique_x > 0, self.unique_x - 1, 0.0)
        repeat = data.frequency > 0
        # Customers without a repeat purchase: ln L − (ln A1 + ln A2) = −r ln(α + T), per distinct T.
        self.zero_weight_per_age = np.bincount(
            index_age[~repeat], weights=data.weights[~repeat], minlength=len(self.unique_age)
        )
        self.weights = data.weights[repeat]
        self.x = data.frequency[repeat]
        self.index_x = index_x[repeat]
        self.index_age = index_age[repeat]
        self.index_recency = index_recency[repeat]

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(log_params)
        ux = self.unique_x
        # Per distinct x: ln A1 + ln A2 (Fader, Hardie & Lee 2005, eq. 6, in the Excel note's form).
        per_x = (
            gammaln(r + ux)
            - gammaln(r)
            + r * np.log(alpha)
            + gammaln(a + b)
            + gammaln(b + ux)
            - gammaln(b)
            - gammaln(a + b + ux)
        )
        log_age = np.log(alpha + self.unique_age)
        log_recency = np.log(alpha + self.unique_recency)
        ln_a_over = np.log(a) - np.log(b + self.x_minus_one)
        # Repeat buyers: ln(A3 + A4) = ln A3 + ln(1 + e^d), d = ln A4 − ln A3.
        r_plus_x = r + self.x
        row_log_age = log_age[self.index_age]
        row_log_recency = log_recency[self.index_recency]
        d = ln_a_over[self.index_x] + r_plus_x * (row_log_age - row_log_recency)
        # share_a4 = A4 / (A3 + A4): the weight of the "dropped out after the last purchase" branch.
        log_mix, share_a4 = softplus_and_sigmoid(d)
        total = (
            dot(self.weight_per_x, per_x)
            - r * dot(self.zero_weight_per_age, log_age)
            + dot(self.weights, log_mix - r_plus_x * row_log_age)
        )
        w4 = self.weights * share_a4
        w3 = self.weights - w4
        inverse_age = 1 / (alpha + self.unique_age)
        inverse_recency = 1 / (alpha + self.unique_recency)
        d_r = (
            dot(self.weight_per_x, digamma(r + ux) - digamma(r) + np.log(alpha))
            - dot(self.zero_weight_per_age, log_age)
            - dot(w3, row_log_age)
            - dot(w4, row_log_recency)
        )
        d_alpha = (
            self.total_weight * r / alpha
            - r * dot(self.zero_weight_per_age, inverse_age)
            - dot(w3 * r_plus_x, inverse_age[self.index_age])
            - dot(w4 * r_plus_x, inverse_recency[self.index_recency])
        )
        w4_per_x = np.bincount(self.index_x, weights=w4, minlength=len(ux))
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
        d_a = dot(self.weight_per_x, psi_ab - psi_abx) + w4_per_x.sum() / a
        d_b = dot(self.weight_per_x, psi_ab + digamma(b + ux) - digamma(b) - psi_abx) - dot(
            w4_per_x, 1 / (b + self.x_minus_one)
        )
        # Chain rule to log-parameters: d/d(ln θ) = θ · d/dθ.
        gradient = np.array([r * d_r, alpha * d_alpha, a * d_a, b * d_b])
        return -float(total), -gradient

    def hessian(self, log_params: FloatArray) -> FloatArray:
        """The Hessian of the summed negative log-likelihood in log-parameters, analytic: for the repeat
        buyers' ln(1 + e^d) term it is σ(1−σ) ∇d ∇dᵀ + σ ∇²d, σ = A4 / (A3 + A4)."""
        r, alpha, a, b = np.exp(log_params)
        ux = self.unique_x
        trigamma_ab, trigamma_abx = polygamma(1, a + b), polygamma(1, a + b + ux)
        h = np.zeros((4, 4))
        gradient = np.zeros(4)
        # Terms per distinct x (ln A1 + ln A2).
        wx = self.weight_per_x
        h[0, 0] += dot(wx, polygamma(1, r + ux) - polygamma(1, r))
        h[0, 1] += self.total_weight / alpha
        h[1, 1] -= self.total_weight * r / alpha**2
        h[2, 2] += dot(wx, trigamma_ab - trigamma_abx)
        h[2, 3] += dot(wx, trigamma_ab - trigamma_abx)
        h[3, 3] += dot(wx, trigamma_ab + polygamma(1, b + ux) - polygamma(1, b) - trigamma_abx)
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
        gradient += [
            dot(wx, digamma(r + ux) - digamma(r) + np.log(alpha)),
            self.total_weight * r / alpha,
            dot(wx, psi_ab - psi_abx),
            dot(wx, psi_ab + digamma(b + ux) - digamma(b) - psi_abx),
        ]
        # Customers without a repeat purchase: −r ln(α + T).
        log_age = np.log(alpha + self.unique_age)
        inverse_age = 1 / (alpha + self.unique_age)
        zw = self.zero_weight_per_age
        gradient[0] -= dot(zw, log_age)
        gradient[1] -= r * dot(zw, inverse_age)
        h[0, 1] -= dot(zw, inverse_age)
        h[1, 1] += r * dot(zw, inverse_age**2)
        # Repeat buyers: ln(1 + e^d) − (r + x) ln(α + T).
        row_log_age = log_age[self.index_age]
        row_inverse_age = inverse_age[self.index_age]
        row_log_recency = np.log(alpha + self.unique_recency)[self.index_recency]
        row_inverse_recency = (1 / (alpha + self.unique_recency))[self.index_recency]
        inverse_b = (1 / (b + self.x_minus_one))[self.index_x]
        r_plus_x = r + self.x
        ln_a_over = (np.log(a) - np.log(b + self.x_minus_one))[self.index_x]
        d = ln_a_over + r_plus_x * (row_log_age - row_log_recency)
        _, sigma = softplus_and_sigmoid(d)
        w = self.weights
        ws = w * sigma
        wv = ws * (1 - sigma)
        d_r = row_log_age - row_log_recency
        inverse_gap = row_inverse_age - row_inverse_recency
        d_alpha = r_plus_x * inverse_gap
        gradient += [
            dot(ws, d_r) - dot(w, row_log_age),
            dot(ws, d_alpha) - dot(w, r_plus_x * row_inverse_age),
            ws.sum() / a,
            -dot(ws, inverse_b),
        ]
        h[0, 0] += dot(wv, d_r * d_r)
        h[0, 1] += dot(wv, d_r * d_alpha) + dot(ws, inverse_gap) - dot(w, row_inverse_age)
        h[0, 2] += dot(wv, d_r) / a
        h[0, 3] -= dot(wv, d_r * inverse_b)
        h[1, 1] += (
            dot(wv, d_alpha * d_alpha)
            - dot(ws * r_plus_x, row_inverse_age**2 - row_inverse_recency**2)
            + dot(w * r_plus_x, row_inverse_age**2)
        )
        h[1, 2] += dot(wv, d_alpha) / a
        h[1, 3] -= dot(wv, d_alpha * inverse_b)
        h[2, 2] += (wv.sum() - ws.sum()) / a**2
        h[2, 3] -= dot(wv, inverse_b) / a
        h[3, 3] += dot(wv + ws, inverse_b**2)
        h = np.triu(h) + np.triu(h, 1).T
        # To log-parameters: ∂²ℓ/∂φᵢ∂φⱼ = θᵢθⱼ ∂²ℓ/∂θᵢ∂θⱼ + δᵢⱼ θᵢ ∂ℓ/∂θᵢ, with φ = ln θ.
        theta = np.array([r, alpha, a, b])
        return -(np.outer(theta, theta) * h + np.diag(theta * gradient))


def _maximise(data: Compressed, start: tuple[float, ...], *, warm: bool = False) -> MaximumLikelihood:
    likelihood = _CompressedLikelihood(data)
    return maximise_log_likelihood(
        likelihood,
        NAMES,
        start,
        total_weight=float(data.weights.sum()),
        analytic_hessian=likelihood.hessian,
        warm=warm,
    )


def fit_bgnbd(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, *, weights: ArrayLike | None = None
) -> BetaGeoModel:
    """Maximum-likelihood BG/NBD on per-customer (x, t_x, T), with optional per-customer weights."""
    # Start from exponential purchase gaps matching the mean rate, and a uniform dropout probability.
    fitted = fit_purchase_model(
        frequency,
        recency,
        age,
        weights,
        names=NAMES,
        start=lambda mean_x, mean_age: (1.0, max(mean_age, 1e-6) / max(mean_x, 1e-3), 1.0, 1.0),
        maximise=lambda data, start, warm: _maximise(data, start, warm=warm),
    )
    return BetaGeoModel(
        params=fitted.estimate.params,
        standard_errors=fitted.estimate.standard_errors,
        log_likelihood=fitted.estimate.log_likelihood,
        n_customers=fitted.n_customers,
    )
