"""The Pareto/NBD purchase model: Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are
they and what will they do next?", Management Science 33(1), 1–24; expressions from Fader & Hardie (2005),
"A note on deriving the Pareto/NBD model and related expressions".

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); the lifetime is exponential
with rate μ ~ Gamma(s, β), independent of λ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, hyp2f1

from accord.analytics.engine.fitting import (
    Compressed,
    FloatArray,
    MaximumLikelihood,
    check_summary,
    dot,
    fit_purchase_model,
    log1mexp,
    maximise_log_likelihood,
    numerical_gradient,
    unique_inverse,
    value_hessian,
)

NAMES = ("r", "alpha", "s", "beta")
# scipy's hyp2f1 is exact to ~1e-12 on ₂F₁(1, b; c; z) for z up to 0.999 but overflows or drifts beyond it
# when b is large (measured against the series; see tests/test_engine_paretonbd.py); there the series takes over.
SCIPY_Z_LIMIT = 0.999
SERIES_BLOCK = 512
SERIES_MAX_TERMS = 4_000_000


@dataclass
class ParetoNBDModel:
    """A fitted Pareto/NBD model; time in the unit of the data it was fitted on."""

    params: dict[str, float]
    standard_errors: dict[str, float] = field(default_factory=dict)
    log_likelihood: float = float("nan")
    n_customers: int = 0
    name: str = "paretonbd"

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> FloatArray:
        """P(alive | x, t_x, T) = L(alive through T) / L: Fader & Hardie (2005 note), section "P(alive)"."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        alive, total = _log_likelihood_parts(self.params, x, t_x, big_t)
        return np.exp(alive - total)

    def expected_purchases(
        self, horizon: float, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]:
        Fader & Hardie (2005 note), section "Conditional expectations". [1 − q^(s−1)]/(s−1) is computed as −expm1((s−1) ln q)/(s−1),
        which tends to −ln q at s = 1 instead of dividing 0 by 0."""
        x, t_x, big_t = check_summary(frequency, recency, age)
        r, alpha, s, beta = (self.params[name] for name in NAMES)
        log_q = np.log(beta + big_t) - np.log(beta + big_t + max(horizon, 0.0))
        per_lifetime = _expm1_ratio(s - 1, log_q)
        return np.asarray(
            self.probability_alive(x, t_x, big_t) * (r + x) * (beta + big_t) / (alpha + big_t) * per_lifetime
        )

    def expected_purchases_new_customer(self, horizon: ArrayLike) -> FloatArray:
        """E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)]: Fader & Hardie (2005 note), section "Mean number of
        transactions"."""
        t = np.atleast_1d(np.asarray(horizon, dtype=np.float64))
        r, alpha, s, beta = (self.params[name] for name in NAMES)
        log_q = np.log(beta) - np.log(beta + np.maximum(t, 0.0))
        return np.asarray(r * beta / alpha * _expm1_ratio(s - 1, log_q))

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


def _expm1_ratio(exponent: float, log_q: FloatArray) -> FloatArray:
    """[1 − q^e] / e, continuous at e = 0 (where it is −ln q)."""
    if exponent == 0:
        return np.asarray(-log_q)
    return np.asarray(-np.expm1(exponent * log_q) / exponent)


def log_likelihood(
    params: dict[str, float], frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood: Fader & Hardie (2005 note), section "The likelihood function" (L and
    its A0 term for α ≥ β and α < β)."""
    x, t_x, big_t = check_summary(frequency, recency, age)
    return _log_likelihood_parts(params, x, t_x, big_t)[1]


def _log_likelihood_parts(
    params: dict[str, float], x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(ln of the "alive through T" term, ln L) per customer.

    L = Γ(r+x) α^r β^s / Γ(r) · { (α+T)^−(r+x) (β+T)^−s + s · [I(t_x) − I(T)] }, where
    I(t) = ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ: the customer dies at τ ∈ (t_x, T] after x purchases. I(t)
    is the ₂F₁ of the note's A0 divided by r+s+x; see ``_log_tail_integral``."""
    r, alpha, s, beta = (params[name] for name in NAMES)
    prefactor = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    at_recency = _log_tail_integral(params, x, t_x)
    at_age = _log_tail_integral(params, x, big_t)
    with np.errstate(invalid="ignore"):
        difference = at_recency + log1mexp(np.minimum(at_age - at_recency, 0.0))
    dead = np.log(s) + difference
    return prefactor + alive, prefactor + np.logaddexp(alive, dead)


def _log_tail_integral(params: dict[str, float], x: FloatArray, t: FloatArray) -> FloatArray:
    """ln I(t), I(t) = ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ.

    With the stable choice of argument of Fader & Hardie (2005 note), A0 — expand around the larger
    of α, β so that z = |α−β| / (max(α,β)+t) lies in [0, 1) — and Euler's transformation (Abramowitz &
    Stegun 15.3.3), ₂F₁(c−1, B; c; z) = (1−z)^(1−B) ₂F₁(1, c−B; c; z) with c = r+s+x+1, whose series has
    positive terms bounded by z^k, so its logarithm is well conditioned for any x:
      α ≥ β: ln I = −(r+x) ln(α+t) − s ln(β+t) − ln(r+s+x) + ln ₂F₁(1, r+x; r+s+x+1; (α−β)/(α+t))
      α < β: ln I = −(r+x−1) ln(α+t) − (s+1) ln(β+t) − ln(r+s+x) + ln ₂F₁(1, s+1; r+s+x+1; (β−α)/(β+t))
    """
    r, alpha, s, beta = (params[name] for name in NAMES)
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        head = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
        b = r + x
    else:
        z = (beta - alpha) / (beta + t)
        head = -(r + x - 1) * np.log(alpha + t) - (s + 1) * np.log(beta + t)
        b = np.full_like(x, s + 1)
    return np.asarray(head - np.log(r + s + x) + log_hyp2f1_unit(b, c, z))


def log_hyp2f1_unit(b: FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """ln ₂F₁(1, b; c; z) for 0 < b < c and 0 ≤ z < 1: scipy where it is exact, the series elsewhere."""
    b, c, z = np.broadcast_arrays(np.asarray(b, float), np.asarray(c, float), np.asarray(z, float))
    with np.errstate(all="ignore"):
        value = np.log(hyp2f1(1.0, b, c, z))
    redo = (z > SCIPY_Z_LIMIT) | ~np.isfinite(value)
    if np.any(redo):
        value = value.copy()
        value[redo] = _log_hyp2f1_unit_series(b[redo], c[redo], z[redo])
    return np.asarray(value)


def _log_hyp2f1_unit_series(b: FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """ln Σ_k (b)_k / (c)_k z^k, terms built as exponentials of cumulative sums of log ratios: each term is
    at most z^k ≤ 1 and the sum at most 1/(1−z), so nothing overflows and nothing cancels."""
    total = np.ones_like(z)
    log_term = np.zeros_like(z)
    active = np.ones(len(z), dtype=bool)
    log_z = np.log(np.maximum(z, np.finfo(float).tiny))
    steps = np.arange(SERIES_BLOCK, dtype=np.float64)
    start = 0
    while np.any(active) and start < SERIES_MAX_TERMS:
        k = start + steps
        rows = np.flatnonzero(active)
        log_ratios = np.log(b[rows, None] + k) - np.log(c[rows, None] + k) + log_z[rows, None]
        log_terms = log_term[rows, None] + np.cumsum(log_ratios, axis=1)
        total[rows] += np.exp(log_terms).sum(axis=1)
        log_term[rows] = log_terms[:, -1]
        active[rows] = log_term[rows] > np.log(total[rows]) - 40.0  # e^−40 ≈ 4e-18: below float precision
        start += SERIES_BLOCK
    return np.log(total)


class _CompressedLikelihood:
    """Summed negative log-likelihood over compressed data. ln I(t) depends on (x, t) only, so it is computed
    once per distinct (x, t_x) and (x, T) pair; the gradient is numerical (the parameter derivatives of ₂F₁
    have no closed form)."""

    def __init__(self, data: Compressed) -> None:
        self.weights = data.weights
        self.x = data.frequency
        pairs = np.concatenate(
            [np.stack([data.frequency, data.recency], 1), np.stack([data.frequency, data.age], 1)]
        )
        unique_pairs, inverse = np.unique(pairs, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        self.pair_x = np.ascontiguousarray(unique_pairs[:, 0])
        self.pair_t = np.ascontiguousarray(unique_pairs[:, 1])
        self.recency_pair = inverse[: len(self.x)]
        self.age_pair = inverse[len(self.x) :]
        self.age = data.age
        self.unique_x, self.index_x = unique_inverse(data.frequency)
        self.weight_per_x = np.bincount(self.index_x, weights=self.weights, minlength=len(self.unique_x))

    def value(self, log_params: FloatArray) -> float:
        params = dict(zip(NAMES, np.exp(log_params), strict=True))
        r, alpha, s, beta = (params[name] for name in NAMES)
        tail = _log_tail_integral(params, self.pair_x, self.pair_t)
        # The "alive through T" term per (x, T) pair: −(r+x) ln(α+T) − s ln(β+T).
        alive_pair = -(r + self.pair_x) * np.log(alpha + self.pair_t) - s * np.log(beta + self.pair_t)
        at_recency, at_age = tail[self.recency_pair], tail[self.age_pair]
        with np.errstate(invalid="ignore"):
            dead = np.log(s) + at_recency + log1mexp(np.minimum(at_age - at_recency, 0.0))
        prefactor = gammaln(r + self.unique_x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        return -(
            dot(self.weight_per_x, prefactor)
            + dot(self.weights, np.logaddexp(alive_pair[self.age_pair], dead))
        )


def _maximise(data: Compressed, start: tuple[float, ...], *, warm: bool = False) -> MaximumLikelihood:
    likelihood = _CompressedLikelihood(data)
    return maximise_log_likelihood(
        numerical_gradient(likelihood.value),
        NAMES,
        start,
        total_weight=float(data.weights.sum()),
        analytic_hessian=value_hessian(likelihood.value),
        hessian_is_cheap=False,
        warm=warm,
    )


def fit_paretonbd(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, *, weights: ArrayLike | None = None
) -> ParetoNBDModel:
    """Maximum-likelihood Pareto/NBD on per-customer (x, t_x, T), with optional per-customer weights."""
    # Exponential purchase gaps matching the mean rate; lifetimes of the order of the observed ages.
    fitted = fit_purchase_model(
        frequency,
        recency,
        age,
        weights,
        names=NAMES,
        start=lambda mean_x, mean_age: (
            1.0,
            max(mean_age, 1e-6) / max(mean_x, 1e-3),
            1.0,
            max(mean_age, 1e-6),
        ),
        maximise=lambda data, start, warm: _maximise(data, start, warm=warm),
    )
    return ParetoNBDModel(
        params=fitted.estimate.params,
        standard_errors=fitted.estimate.standard_errors,
        log_likelihood=fitted.estimate.log_likelihood,
        n_customers=fitted.n_customers,
    )
