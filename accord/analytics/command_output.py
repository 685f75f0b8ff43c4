"""What ``accord analytics clv|rfm|cohorts`` compute beyond the engine's calls, and the files they write
(formats in docs/analytics-cli.md). Imports only the engine: no Django."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analytics.engine.cohorts import CohortTable
from accord.analytics.engine.rfm import SEGMENT_LABELS, RfmValues, SegmentRule
from accord.analytics.engine.summary import TransactionSummary
from accord.analytics.engine.transactions import TransactionLog, day_to_date
from accord.analytics.engine.types import FloatArray, PurchaseModel


def date_text(day: int) -> str:
    return day_to_date(day).isoformat()


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _dates(days: NDArray[np.int64]) -> list[str]:
    return np.asarray(days, dtype="datetime64[D]").astype(str).tolist()


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


# ------------------------------------------------------------------------------------------------- rfm


def write_rfm(
    out: Path,
    keys: NDArray[np.str_],
    summary: TransactionSummary,
    values: RfmValues,
    scores: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    segments: NDArray[np.str_],
    rules: Sequence[SegmentRule],
) -> None:
    recency_score, frequency_score, monetary_score = scores
    _write_csv(
        out / "customers.csv",
        [
            "customer",
            "first_purchase",
            "last_purchase",
            "recency_days",
            "frequency",
            "monetary",
            "recency_score",
            "frequency_score",
            "monetary_score",
            "segment",
        ],
        zip(
            keys.tolist(),
            _dates(summary.first_day),
            _dates(summary.last_day),
            values.recency_days.tolist(),
            values.frequency.tolist(),
            np.round(values.monetary, 2).tolist(),
            recency_score.tolist(),
            frequency_score.tolist(),
            monetary_score.tolist(),
            segments.tolist(),
            strict=True,
        ),
    )
    total_customers, total_revenue = len(segments), float(values.monetary.sum())
    rows = []
    for segment in (name for name in SEGMENT_LABELS if any(rule.segment == name for rule in rules)):
        members = segments == segment  # eleven vectorised comparisons, not a loop over customers
        customers, revenue = int(members.sum()), float(values.monetary[members].sum())
        rows.append(
            (
                segment,
                SEGMENT_LABELS[segment],
                customers,
                _percent(customers, total_customers),
                round(revenue, 2),
                _percent(revenue, total_revenue),
                "; or ".join(rule.describe() for rule in rules if rule.segment == segment),
            )
        )
    _write_csv(
        out / "segments.csv",
        ["segment", "name", "customers", "customers_percent", "revenue", "revenue_percent", "rule"],
        rows,
    )


# --------------------------------------------------------------------------------------------- cohorts


def write_cohorts(out: Path, table: CohortTable) -> list[Path]:
    width = table.active.shape[1] if len(table.cohorts) else 0
    header = ["cohort", "customers", *(f"{table.period}_{offset}" for offset in range(width))]
    labels = table.labels()

    def rows(matrix: NDArray[Any]) -> list[list[object]]:
        return [
            [label, int(size), *(value if seen else "" for value, seen in zip(line, observed, strict=True))]
            for label, size, line, observed in zip(
                labels, table.sizes, matrix.tolist(), table.observed, strict=True
            )
        ]

    retention = np.round(np.nan_to_num(table.retention) * 100, 2)
    return [
        _write_csv(out / "counts.csv", header, rows(table.active)),
        _write_csv(out / "retention.csv", header, rows(retention)),
        _write_csv(out / "revenue.csv", header, rows(np.round(table.revenue, 2))),
    ]


# ------------------------------------------------------------------------------------------------- clv


@dataclass(frozen=True)
class ClvResult:
    purchase_model: PurchaseModel
    spend_model: Any  # GammaGammaModel
    probability_alive: FloatArray
    expected_purchases: FloatArray  # over the holdout when there is one, else over the horizon
    expected_average_spend: FloatArray
    lifetime_value: FloatArray
    holdout_rows: list[tuple[str, int, float, float]] | None


def fit_and_score(
    summary: TransactionSummary,
    *,
    model_name: str,
    horizon: float,
    periods_per_year: float,
    annual_discount_rate: float,
    holdout_length: float | None,
) -> ClvResult:
    from accord.analytics.engine.bgnbd import fit_bgnbd
    from accord.analytics.engine.calibration import holdout_by_frequency
    from accord.analytics.engine.clv import lifetime_value
    from accord.analytics.engine.gammagamma import fit_gammagamma
    from accord.analytics.engine.paretonbd import fit_paretonbd

    fit: Callable[..., PurchaseModel] = fit_paretonbd if model_name == "paretonbd" else fit_bgnbd
    x, t_x, age, spend = (
        summary.repeat.frequency,
        summary.repeat.recency,
        summary.repeat.age,
        summary.repeat.monetary_value,
    )
    model = fit(x, t_x, age)
    spend_model = fit_gammagamma(x, spend)
    average_spend = spend_model.expected_average_spend(x, spend)
    return ClvResult(
        purchase_model=model,
        spend_model=spend_model,
        probability_alive=model.probability_alive(x, t_x, age),
        expected_purchases=model.expected_purchases(holdout_length or horizon, x, t_x, age),
        expected_average_spend=average_spend,
        lifetime_value=lifetime_value(
            model,
            average_spend,
            x,
            t_x,
            age,
            horizon=horizon,
            periods_per_year=periods_per_year,
            annual_discount_rate=annual_discount_rate,
        ),
        holdout_rows=(
            holdout_by_frequency(model, x, t_x, age, holdout_length, summary.holdout_purchases)
            if holdout_length
            else None
        ),
    )


def _model_entry(model: Any) -> dict[str, object]:
    return {
        "model": model.name,
        "parameters": {name: float(value) for name, value in model.params.items()},
        "standard_errors": {name: float(value) for name, value in model.standard_errors.items()},
        "log_likelihood": float(model.log_likelihood),
        "customers": int(model.n_customers),
    }


def write_clv(
    out: Path,
    log: TransactionLog,
    summary: TransactionSummary,
    result: ClvResult,
    *,
    settings: dict[str, object],
) -> None:
    holdout = result.holdout_rows is not None
    document: dict[str, object] = {
        **_model_entry(result.purchase_model),
        "spend_model": _model_entry(result.spend_model),
        **settings,
    }
    if result.holdout_rows is not None:
        document["holdout"] = {
            "predicted_purchases": round(float(result.expected_purchases.sum()), 2),
            "actual_purchases": int(summary.holdout_purchases.sum()),
            "by_frequency": [
                {
                    "frequency": label,
                    "customers": customers,
                    "predicted": round(predicted, 4),
                    "actual": round(actual, 4),
                }
                for label, customers, predicted, actual in result.holdout_rows
            ],
        }
    (out / "model.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    columns: list[tuple[str, list[Any]]] = [
        ("customer", log.customer_keys[summary.customers].tolist()),
        ("frequency", summary.repeat.frequency.astype(np.int64).tolist()),
        ("recency", np.round(summary.repeat.recency, 4).tolist()),
        ("T", np.round(summary.repeat.age, 4).tolist()),
        ("probability_alive", np.round(result.probability_alive, 6).tolist()),
        ("expected_purchases", np.round(result.expected_purchases, 6).tolist()),
        ("expected_average_spend", np.round(result.expected_average_spend, 2).tolist()),
        ("lifetime_value", np.round(result.lifetime_value, 2).tolist()),
    ]
    if holdout:
        columns.append(("actual_holdout_purchases", summary.holdout_purchases.astype(np.int64).tolist()))
    _write_csv(
        out / "customers.csv",
        [name for name, _ in columns],
        zip(*(values for _, values in columns), strict=True),
    )
