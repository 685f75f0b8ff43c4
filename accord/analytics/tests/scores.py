"""Hand-made runs and scores for the tests of what reads them (API, filters, the 360 panel); the refresh's
own tests make them from orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accord.analytics.models import AnalyticsRun, ContactScore
from accord.customers.models import Contact

RUN_DATE = dt.date(2025, 6, 30)


def make_run(**fields: Any) -> AnalyticsRun:
    values: dict[str, Any] = {
        "status": AnalyticsRun.Status.SUCCEEDED,
        "analysis_date": RUN_DATE,
        "parameters": {"currency": "EUR", "horizon_weeks": 52, "model": "bgnbd"},
        "customers": 0,
        **fields,
    }
    return AnalyticsRun.objects.create(**values)


def make_score(contact: Contact, run: AnalyticsRun, **fields: Any) -> ContactScore:
    values: dict[str, Any] = {
        "first_purchase_on": dt.date(2024, 1, 10),
        "last_purchase_on": dt.date(2025, 5, 1),
        "recency_days": 60,
        "frequency": 4,
        "monetary": Decimal("500.00"),
        "recency_score": 3,
        "frequency_score": 4,
        "monetary_score": 4,
        "rfm_segment": "loyal",
        "probability_alive": 0.8,
        "expected_purchases": 2.5,
        "expected_average_spend": Decimal("110.00"),
        "lifetime_value": Decimal("250.00"),
        "cost_to_serve": Decimal("12.00"),
        "profitability": Decimal("238.00"),
        "value_tier": "profitable",
        "churn_risk": "low",
        "days_overdue": None,
        "value_at_stake": Decimal("250.00"),
        **fields,
    }
    return ContactScore.objects.create(contact=contact, run=run, **values)
