"""The arithmetic of the pipeline forecast: historical win rates per stage and owner, shrunk towards the
stage's rate, and the open pipeline weighted two ways and summed by month.

Fed by SQL GROUP BYs (``accord.analytics.forecast``): one row per (stage, owner) of the closed deals'
history, and one per (month, stage, owner) of the open pipeline, so the arrays here are small whatever
the number of deals.

Win rate of a stage for an owner: of the closed deals that were ever in the stage, the share that were won.
An owner with few closed deals has a noisy rate (one deal won of one is not a 100% rep), so each owner's
rate is the posterior mean of a beta-binomial model whose prior is centred on the stage's pooled rate:

    rate(stage, owner) = (won + m · p_stage) / (closed + m)

an empirical Bayes estimator: an owner's own rate gets the weight closed / (closed + m). The prior strength
``m`` (in pseudo-deals) is estimated per stage from how much the owners' rates really differ beyond the
binomial noise, by the moment estimator of the beta-binomial's intra-class correlation rho, with each owner
weighted by their number of deals (Kleinman 1973, "Proportions with extraneous variance: single and
independent samples", JASA 68:46–54); m = 1/rho − 1. When the owners differ no more than chance would make
them (rho ≤ 0), every owner gets the stage's rate. m is never below ``MIN_PRIOR_STRENGTH``, so a handful of
deals never decides an owner's rate alone. We chose this over a fixed m because the right amount of pooling
depends on the team: where reps truly differ, their own records should count sooner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.analytics.engine.types import FloatArray

IntArray = NDArray[np.int64]

# An owner's own record outweighs the stage's rate only from this many closed deals on.
MIN_PRIOR_STRENGTH = 5.0
# (stage, owner) pairs are looked up as one integer key: stage · 2^32 + owner (owner 0: no owner).
_OWNER_BITS = 32


def _pair_keys(stage: IntArray, owner: IntArray) -> IntArray:
    return (np.asarray(stage, dtype=np.int64) << _OWNER_BITS) | np.asarray(owner, dtype=np.int64)


@dataclass(frozen=True)
class WinRates:
    """Historical win rates: per stage (pooled over owners) and per (stage, owner) pair (shrunk)."""

    stages: IntArray  # sorted stage ids with history
    stage_closed: IntArray
    stage_won: IntArray
    stage_rate: FloatArray
    prior_strength: FloatArray  # m per stage; inf: every owner gets the stage's rate
    pair_stage: IntArray  # sorted by (stage, owner)
    pair_owner: IntArray
    pair_closed: IntArray
    pair_won: IntArray
    pair_rate: FloatArray

    def rate(self, stage: IntArray, owner: IntArray, fallback: FloatArray) -> FloatArray:
        """The win rate for each (stage, owner): the pair's shrunk rate; the stage's rate for an owner
        without history in it; ``fallback`` (the stage's probability) for a stage without history."""
        stage = np.asarray(stage, dtype=np.int64)
        result = np.asarray(fallback, dtype=np.float64).copy()
        if self.stages.size == 0 or stage.size == 0:
            return result
        at = np.minimum(np.searchsorted(self.stages, stage), self.stages.size - 1)
        known = self.stages[at] == stage
        result[known] = self.stage_rate[at[known]]
        keys = _pair_keys(self.pair_stage, self.pair_owner)
        wanted = _pair_keys(stage, owner)
        at_pair = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        paired = keys[at_pair] == wanted
        result[paired] = self.pair_rate[at_pair[paired]]
        return result


def prior_strengths(
    group: IntArray, closed: IntArray, won: IntArray, groups: int, *, minimum: float = MIN_PRIOR_STRENGTH
) -> FloatArray:
    """m = 1/rho − 1 per group (stage) from its members' (owners') closed and won counts, rho by the weighted
    moment estimator (Kleinman 1973): with N = Σ nᵢ, p = Σ wᵢ / N and S = Σ nᵢ (wᵢ/nᵢ − p)²,

        E[S] = p (1 − p) Σ (1 + (nᵢ − 1) rho)(1 − nᵢ/N),  solved for rho.

    inf where rho ≤ 0 or cannot be estimated (one owner, or p of 0 or 1: no spread to explain)."""
    n = np.asarray(closed, dtype=np.float64)
    w = np.asarray(won, dtype=np.float64)
    total = np.bincount(group, weights=n, minlength=groups)
    pooled = np.divide(
        np.bincount(group, weights=w, minlength=groups), total, where=total > 0, out=np.zeros(groups)
    )
    share = np.divide(n, total[group], where=total[group] > 0, out=np.zeros_like(n))
    own = np.divide(w, n, where=n > 0, out=np.zeros_like(n))
    spread = np.bincount(group, weights=n * (own - pooled[group]) ** 2, minlength=groups)
    chance = np.bincount(group, weights=(1 - share) * (n > 0), minlength=groups)
    slope = np.bincount(group, weights=(n - 1) * (1 - share) * (n > 0), minlength=groups)
    variance = pooled * (1 - pooled)
    estimable = (variance > 0) & (slope > 0)
    rho = np.full(groups, -1.0)
    rho[estimable] = (spread[estimable] / variance[estimable] - chance[estimable]) / slope[estimable]
    strength = np.full(groups, np.inf)
    positive = rho > 0
    strength[positive] = np.maximum(1 / np.minimum(rho[positive], 1.0) - 1, minimum)
    return strength


def win_rates(stage: IntArray, owner: IntArray, closed: IntArray, won: IntArray) -> WinRates:
    """Win rates from the history's (stage, owner, closed deals, won deals) rows (one per pair)."""
    stage = np.asarray(stage, dtype=np.int64)
    owner = np.asarray(owner, dtype=np.int64)
    closed = np.asarray(closed, dtype=np.int64)
    won = np.asarray(won, dtype=np.int64)
    order = np.lexsort((owner, stage))
    stage, owner, closed, won = stage[order], owner[order], closed[order], won[order]
    stages, group = np.unique(stage, return_inverse=True)
    stage_closed = np.bincount(group, weights=closed, minlength=stages.size).astype(np.int64)
    stage_won = np.bincount(group, weights=won, minlength=stages.size).astype(np.int64)
    stage_rate = np.divide(
        stage_won, stage_closed, where=stage_closed > 0, out=np.zeros(stages.size, dtype=np.float64)
    )
    strength = prior_strengths(group, closed, won, stages.size)
    m = strength[group]
    pair_rate = stage_rate[group].copy()  # m = inf: complete pooling, the limit of the formula below
    finite = np.isfinite(m)
    # Beta-binomial posterior mean with the prior Beta(m · p_stage, m · (1 − p_stage)).
    pair_rate[finite] = (won[finite] + m[finite] * pair_rate[finite]) / (closed[finite] + m[finite])
    return WinRates(
        stages=stages,
        stage_closed=stage_closed,
        stage_won=stage_won,
        stage_rate=stage_rate,
        prior_strength=strength,
        pair_stage=stage,
        pair_owner=owner,
        pair_closed=closed,
        pair_won=won,
        pair_rate=pair_rate,
    )


@dataclass(frozen=True)
class MonthlyPipeline:
    """Per month (index 0 … months − 1): open deals, their amount, and the amount weighted by the stage
    probability and by the historical win rate."""

    deals: IntArray
    amount: FloatArray
    by_probability: FloatArray
    by_win_rate: FloatArray


def monthly_pipeline(
    month: IntArray,
    deals: IntArray,
    amount: FloatArray,
    probability: FloatArray,
    win_rate: FloatArray,
    *,
    months: int,
) -> MonthlyPipeline:
    """Sums of the open pipeline's (month, stage, owner) groups by month; ``probability`` and ``win_rate``
    are fractions (0–1) per group. Groups outside 0 … months − 1 are left out (the caller counts them)."""
    month = np.asarray(month, dtype=np.int64)
    inside = (month >= 0) & (month < months)
    at = month[inside]
    money = np.asarray(amount, dtype=np.float64)[inside]

    def total(weights: FloatArray) -> FloatArray:
        sums: FloatArray = np.bincount(at, weights=weights, minlength=months)[:months].astype(np.float64)
        return sums

    return MonthlyPipeline(
        deals=total(np.asarray(deals, dtype=np.float64)[inside]).round().astype(np.int64),
        amount=total(money),
        by_probability=total(money * np.asarray(probability, dtype=np.float64)[inside]),
        by_win_rate=total(money * np.asarray(win_rate, dtype=np.float64)[inside]),
    )
