"""A hand-built report that follows ``accord/analytics/report.py`` exactly, and runs that carry it, for the
page's tests (the refresh that writes real reports is tested on its own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accord.analytics.models import AnalyticsRun
from accord.analytics.report import AnalyticsReport

RF_SEGMENTS = {
    (5, 5): "champions",
    (4, 5): "champions",
    (5, 4): "loyal",
    (3, 3): "need_attention",
    (1, 5): "cant_lose",
    (1, 1): "lost",
    (5, 1): "new",
}


def sample_report() -> AnalyticsReport:
    """Small, with every part filled: 7 of the 25 R × F cells, a cohort table with censored cells, a
    calibration with two frequency rows and three weeks."""
    return {
        "currency": "EUR",
        "rfm_grid": [
            {
                "recency_score": recency,
                "frequency_score": frequency,
                "customers": 10 * recency + frequency,
                "revenue": 1000.0 * frequency,
                "segment": segment,
            }
            for (recency, frequency), segment in RF_SEGMENTS.items()
        ],
        "segments": [
            {"segment": "champions", "customers": 100, "revenue": 50000.0, "lifetime_value": 80000.5},
            {"segment": "lost", "customers": 11, "revenue": 1000.0, "lifetime_value": 12.25},
        ],
        "value_distribution": {"edges": [0.0, 100.0, 1000.0, 10000.0], "counts": [70, 25, 5]},
        "concentration": {
            "top_20_percent_share": 0.6512,
            "gini": 0.5834,
            "customer_share_for_80_percent": 0.41,
            "lorenz": [(0.0, 0.0), (0.5, 0.1), (0.8, 0.3488), (1.0, 1.0)],
        },
        "cohorts": {
            "period": "month",
            "rows": [
                {"cohort": "2026-01", "size": 40, "active": [40, 10, 8], "revenue": [4000.0, 900.0, 700.0]},
                {"cohort": "2026-02", "size": 20, "active": [20, 5], "revenue": [2000.0, 450.0]},
                {"cohort": "2026-03", "size": 8, "active": [8], "revenue": [640.0]},
            ],
        },
        "alive_matrix": {
            "frequency_labels": ["0", "1–2", "3+"],
            "recency_labels": ["0–4 weeks", "5–12 weeks", "13+ weeks"],
            "cells": [[0.9, 0.5, None], [0.95, 0.7, 0.2], [None, 0.8, 0.35]],
        },
        "calibration": {
            "calibration_end": "2026-01-31",
            "holdout_end": "2026-03-31",
            "predicted_total": 52.4,
            "actual_total": 49.0,
            "rows": [
                {"frequency": "0", "customers": 30, "predicted": 0.21, "actual": 0.2},
                {"frequency": "7+", "customers": 4, "predicted": 2.5, "actual": 2.75},
            ],
            "weekly": [("2026-02-02", 5.0, 4.0), ("2026-02-09", 11.5, 10.0), ("2026-02-16", 17.0, 18.0)],
        },
        "tiers": [
            {
                "tier": "strategic",
                "customers": 12,
                "lifetime_value": 60000.0,
                "cost_to_serve": 1500.0,
                "profitability": 58500.0,
            },
            {
                "tier": "unprofitable",
                "customers": 3,
                "lifetime_value": 10.0,
                "cost_to_serve": 310.0,
                "profitability": -300.0,
            },
        ],
        "tier_rule": "Strategically significant: the most profitable customers who make half of all profit.",
        "churn": [{"risk": "high", "customers": 9, "value_at_stake": 4321.5}],
    }


def make_run(
    report: AnalyticsReport | None = None,
    *,
    status: str = AnalyticsRun.Status.SUCCEEDED,
    analysis_date: dt.date = dt.date(2026, 3, 31),
    customers: int = 111,
    **fields: Any,
) -> AnalyticsRun:
    return AnalyticsRun.objects.create(
        status=status,
        analysis_date=analysis_date,
        finished_at=timezone.now(),
        report=report if report is not None else sample_report(),
        customers=customers,
        **fields,
    )
