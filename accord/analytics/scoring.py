"""From the aggregated purchase arrays to every contact's scores: the engine's fits and measures, run on
whole arrays (one row per buying contact, aligned by position with ``Purchases.contact_ids``).

Time is counted in weeks, as in the BG/NBD and Pareto/NBD papers' CDNOW examples, so the horizon is
given in weeks and the models' parameters read like the published ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analytics.aggregation import FloatArray, IntArray, Purchases, day_number
from accord.analytics.engine.bgnbd import fit_bgnbd
from accord.analytics.engine.calibration import holdout_by_frequency
from accord.analytics.engine.churn import churn_risk
from accord.analytics.engine.clv import lifetime_value
from accord.analytics.engine.fitting import FitError
from accord.analytics.engine.gammagamma import fit_gammagamma
from accord.analytics.engine.paretonbd import fit_paretonbd
from accord.analytics.engine.rfm import rfm_scores, rfm_segments
from accord.analytics.engine.tiers import value_tiers
from accord.analytics.engine.types import PurchaseModel

WEEK_DAYS = 7.0
WEEKS_PER_YEAR = 365.25 / WEEK_DAYS
MODELS: dict[str, Callable[..., PurchaseModel]] = {"bgnbd": fit_bgnbd, "paretonbd": fit_paretonbd}


@dataclass(frozen=True)
class RepeatArrays:
    """(x, t_x, T) in weeks: repeat purchase days, first to last purchase, first purchase to the end."""

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray

    @classmethod
    def of(
        cls, purchase_days: IntArray, first_day: IntArray, last_day: IntArray, end_day: int
    ) -> RepeatArrays:
        return cls(
            frequency=np.maximum(purchase_days - 1, 0).astype(np.float64),
            recency=(last_day - first_day) / WEEK_DAYS,
            age=(end_day - first_day) / WEEK_DAYS,
        )


@dataclass
class Scores:
    """Every score of every buying contact, as arrays aligned with ``purchases.contact_ids``."""

    purchases: Purchases
    repeat: RepeatArrays
    recency_days: IntArray
    recency_score: IntArray
    frequency_score: IntArray
    monetary_score: IntArray
    segment: NDArray[np.str_]
    probability_alive: FloatArray
    expected_purchases: FloatArray
    expected_average_spend: FloatArray
    lifetime_value: FloatArray
    cost_to_serve: FloatArray
    profitability: FloatArray
    tier: NDArray[np.str_]
    tier_rule: str
    churn: NDArray[np.str_]
    days_overdue: FloatArray  # NaN when the customer is not overdue
    value_at_stake: FloatArray
    fitted_models: dict[str, Any] = field(default_factory=dict)


def fit_purchase_model(model: str, repeat: RepeatArrays) -> PurchaseModel:
    fitted: PurchaseModel = MODELS[model](repeat.frequency, repeat.recency, repeat.age)
    return fitted


def score(
    purchases: Purchases,
    *,
    analysis_date: dt.date,
    model: str,
    horizon_weeks: int,
    annual_discount_rate: float,
    support_cost: FloatArray,
    currency: str,
) -> Scores:
    """Fit the purchase and spend models on every buying contact and score each one."""
    end_day = day_number(analysis_date)
    repeat = RepeatArrays.of(purchases.purchase_days, purchases.first_day, purchases.last_day, end_day)
    purchase_model = fit_purchase_model(model, repeat)
    average_spend, spend_fit = expected_spend(repeat.frequency, purchases.repeat_spend)
    probability_alive = np.clip(
        purchase_model.probability_alive(repeat.frequency, repeat.recency, repeat.age), 0, 1
    )
    expected = purchase_model.expected_purchases(
        float(horizon_weeks), repeat.frequency, repeat.recency, repeat.age
    )
    value = lifetime_value(
        purchase_model,
        average_spend,
        repeat.frequency,
        repeat.recency,
        repeat.age,
        horizon=float(horizon_weeks),
        periods_per_year=WEEKS_PER_YEAR,
        annual_discount_rate=annual_discount_rate,
    )
    recency_days = (end_day - purchases.last_day).astype(np.int64)
    recency_score, frequency_score, monetary_score = rfm_scores(
        recency_days, repeat.frequency, purchases.revenue
    )
    segment = rfm_segments(recency_score, frequency_score, monetary_score)
    cost = support_cost + purchases.refunds + purchases.discounts
    tiers = value_tiers(value, cost)
    churn = churn_risk(
        days_since_last=recency_days,
        repeat_purchases=repeat.frequency,
        first_to_last_days=purchases.last_day - purchases.first_day,
        past_revenue=purchases.revenue,
        tenure_days=end_day - purchases.first_day,
        probability_alive=probability_alive,
        expected_value=value,
    )
    return Scores(
        purchases=purchases,
        repeat=repeat,
        recency_days=recency_days,
        recency_score=np.asarray(recency_score, dtype=np.int64),
        frequency_score=np.asarray(frequency_score, dtype=np.int64),
        monetary_score=np.asarray(monetary_score, dtype=np.int64),
        segment=np.asarray(segment),
        probability_alive=probability_alive,
        expected_purchases=expected,
        expected_average_spend=average_spend,
        lifetime_value=value,
        cost_to_serve=cost,
        profitability=tiers.profitability,
        tier=np.asarray(tiers.tiers),
        tier_rule=tiers.describe(money=f"{{:,.2f}} {currency}"),
        churn=np.asarray(churn.risk),
        days_overdue=churn.days_overdue,
        value_at_stake=churn.value_at_stake,
        fitted_models={"purchase": purchase_model.to_dict(), "spend": spend_fit},
    )


def expected_spend(frequency: FloatArray, repeat_spend: FloatArray) -> tuple[FloatArray, dict[str, Any]]:
    """Each customer's expected spend per purchase, and the spend model as stored with the run.

    The Gamma-Gamma model is fitted on customers with repeat purchases only (Fader, Hardie & Lee 2005b,
    "RFM and CLV", section 4: the first purchase is often atypical). When the data cannot identify it,
    typically because spend does not differ between customers beyond chance, so its heterogeneity runs
    off to infinity, everyone's best estimate is the mean repeat spend: the refresh uses that rather than
    fail, and says so in the run's fitted models."""
    repeaters = frequency > 0
    try:
        model = fit_gammagamma(frequency[repeaters], repeat_spend[repeaters])
    except (FitError, ValueError) as error:
        mean = float(repeat_spend[repeaters].mean()) if repeaters.any() else 0.0
        return np.full(len(frequency), mean), {
            "model": "mean_spend",
            "mean_spend": round(mean, 2),
            "reason": f"Gamma-Gamma not fitted: {error}",
        }
    return model.expected_average_spend(frequency, repeat_spend), model.to_dict()


@dataclass(frozen=True)
class CalibrationResult:
    rows: list[tuple[str, int, float, float]]
    model: dict[str, Any]
    repeat: RepeatArrays
    purchase_model: PurchaseModel
    calibration_end: dt.date
    analysis_date: dt.date


def calibrate(
    purchases: Purchases, *, model: str, calibration_end: dt.date, analysis_date: dt.date
) -> CalibrationResult:
    """Fit the purchase model on the history to ``calibration_end`` and compare its predictions for the
    holdout with the purchases that happened (Fader, Hardie & Lee 2005, figure 3 and table 2)."""
    in_calibration = purchases.calibration_days > 0
    repeat = RepeatArrays.of(
        purchases.calibration_days[in_calibration],
        purchases.first_day[in_calibration],
        purchases.calibration_last_day[in_calibration],
        day_number(calibration_end),
    )
    fitted = fit_purchase_model(model, repeat)
    holdout_weeks = (analysis_date - calibration_end).days / WEEK_DAYS
    rows = holdout_by_frequency(
        fitted,
        repeat.frequency,
        repeat.recency,
        repeat.age,
        holdout_weeks,
        purchases.holdout_days[in_calibration].astype(np.float64),
    )
    return CalibrationResult(
        rows=list(rows),
        model=fitted.to_dict(),
        repeat=repeat,
        purchase_model=fitted,
        calibration_end=calibration_end,
        analysis_date=analysis_date,
    )
