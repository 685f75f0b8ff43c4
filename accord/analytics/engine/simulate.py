"""Customers drawn from each model's own generative process, vectorised and seeded: the ground truth of the
parameter-recovery tests and the data of the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from accord.analytics.engine.fitting import FloatArray


@dataclass(frozen=True)
class SimulatedSummary:
    """Per-customer (x, t_x, T), plus the purchases each makes in a holdout after T when one is asked for."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    holdout_purchases: FloatArray


def _ages(size: int, age: ArrayLike | float) -> FloatArray:
    return np.broadcast_to(np.asarray(age, dtype=np.float64), (size,)).copy()


def _observe(
    rng: np.random.Generator,
    rate: FloatArray,
    purchase_limit: FloatArray,
    death: FloatArray,
    age: FloatArray,
    holdout: float,
) -> SimulatedSummary:
    """(x, t_x, T) of Poisson purchasers with rate λ who stop after ``purchase_limit`` repeat purchases or at
    time ``death``, whichever comes first, observed over [0, T]; and their purchases in (T, T + holdout].

    Given n Poisson events in [0, T], their times are n sorted uniforms; the k-th of them is T·Beta(k, n−k+1).
    So x = min(n, limit) and t_x = T·Beta(x, n−x+1) without drawing every purchase time."""
    window = np.minimum(age, death)
    events = rng.poisson(rate * window).astype(np.float64)
    frequency = np.minimum(events, purchase_limit)
    bought = frequency > 0
    recency = np.zeros_like(age)
    recency[bought] = window[bought] * rng.beta(frequency[bought], events[bought] - frequency[bought] + 1)
    # Still alive at T: not dead by T and not stopped by the purchase limit.
    alive = (death > age) & (events < purchase_limit)
    holdout_purchases = np.zeros_like(age)
    if holdout > 0:
        remaining_time = np.minimum(death, age + holdout) - age
        later = rng.poisson(rate * np.maximum(remaining_time, 0.0)).astype(np.float64)
        holdout_purchases = np.where(alive, np.minimum(later, purchase_limit - events), 0.0)
    return SimulatedSummary(frequency, recency, age, holdout_purchases)


def simulate_bgnbd(
    size: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    age: ArrayLike | float,
    holdout: float = 0.0,
    seed: int = 0,
) -> SimulatedSummary:
    """BG/NBD (Fader, Hardie & Lee 2005, section 3): λ ~ Gamma(r, rate α), p ~ Beta(a, b); purchases are
    Poisson(λ) and after each repeat purchase the customer drops out with probability p, so the number of
    repeat purchases made before dropping out is Geometric(p) (the purchase after which they drop counts)."""
    rng = np.random.default_rng(seed)
    ages = _ages(size, age)
    rate = rng.gamma(r, 1 / alpha, size)
    dropout = rng.beta(a, b, size)
    limit = rng.geometric(dropout).astype(np.float64)
    return _observe(rng, rate, limit, np.full(size, np.inf), ages, holdout)


def simulate_paretonbd(
    size: int,
    *,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    age: ArrayLike | float,
    holdout: float = 0.0,
    seed: int = 0,
) -> SimulatedSummary:
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β); purchases
    are Poisson(λ) until an exponential(μ) lifetime ends."""
    rng = np.random.default_rng(seed)
    ages = _ages(size, age)
    rate = rng.gamma(r, 1 / alpha, size)
    death = rng.exponential(1 / rng.gamma(s, 1 / beta, size))
    return _observe(rng, rate, np.full(size, np.inf), death, ages, holdout)


def simulate_gammagamma(
    frequency: ArrayLike, *, p: float, q: float, gamma: float, seed: int = 0
) -> FloatArray:
    """Mean spend of each customer's ``frequency`` transactions (0 where there are none): Fader, Hardie & Lee
    (2005 JMR), section "Spend": ν ~ Gamma(q, rate γ), each transaction Gamma(p, rate ν), so the sum of x of
    them is Gamma(px, rate ν)."""
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=np.float64)
    scale = rng.gamma(q, 1 / gamma, x.shape)
    bought = x > 0
    mean = np.zeros_like(x)
    mean[bought] = rng.gamma(p * x[bought], 1 / scale[bought]) / x[bought]
    return mean
