"""The SQL aggregation equals a plain-Python oracle on a hand-built history (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import pytest

from accord.analytics import aggregation
from accord.analytics.aggregation import day_number, day_of, month_index
from accord.analytics.tests.history import ANALYSIS_DATE, CALIBRATION_END, build_history, oracle

pytestmark = pytest.mark.django_db


def _as_rows(found: aggregation.Purchases) -> dict[int, tuple[object, ...]]:
    return {
        int(contact): (
            day_of(found.first_day[i]),
            day_of(found.last_day[i]),
            int(found.purchase_days[i]),
            round(float(found.revenue[i]), 2),
            float(found.repeat_spend[i]),
            int(found.calibration_days[i]),
            day_of(found.calibration_last_day[i]) if found.calibration_days[i] else None,
            float(found.calibration_repeat_spend[i]),
            int(found.holdout_days[i]),
            round(float(found.refunds[i]), 2),
            round(float(found.discounts[i]), 2),
        )
        for i, contact in enumerate(found.contact_ids)
    }


def _contact_days(grouped_once: bool) -> AbstractContextManager[aggregation.ContactDays | None]:
    """The days as the refresh reads them (grouped once: SQLite's temporary table), or none given."""
    if grouped_once:
        return aggregation.contact_days(analysis_date=ANALYSIS_DATE, currency="EUR")
    return nullcontext(None)


@pytest.mark.parametrize("grouped_once", [True, False])
@pytest.mark.parametrize("calibration_end", [CALIBRATION_END, None])
def test_purchases_equal_the_oracle(calibration_end: dt.date | None, grouped_once: bool) -> None:
    # Given same-day orders, refunds, cancelled orders, another currency and orders after the date
    history = build_history()
    # When the database aggregates them (from the orders, or from the days grouped once as a refresh does)
    with _contact_days(grouped_once) as days:
        found = aggregation.purchases(
            analysis_date=ANALYSIS_DATE, currency="EUR", calibration_end=calibration_end, days=days
        )
    # Then every buying contact's row equals the oracle's, and only they have one, by id
    expected = oracle(analysis_date=ANALYSIS_DATE, currency="EUR", calibration_end=calibration_end)
    assert list(found.contact_ids) == sorted(expected)
    assert _as_rows(found) == {
        contact: (
            row.first_day,
            row.last_day,
            row.purchase_days,
            row.revenue,
            row.repeat_spend,
            row.calibration_days,
            row.calibration_last_day,
            row.calibration_repeat_spend,
            row.holdout_days,
            row.refunds,
            row.discounts,
        )
        for contact, row in expected.items()
    }
    # And the hand-checked figures of ada and dan (the oracle could share a mistake with the SQL)
    ada = history.contacts["ada"].pk
    dan = history.contacts["dan"].pk
    rows = _as_rows(found)
    assert rows[ada][:5] == (dt.date(2025, 1, 5), dt.date(2025, 5, 1), 3, 290.0, 70.0)
    assert rows[ada][9:] == (40.0, 7.5)
    assert rows[dan][:3] == (dt.date(2024, 11, 20), dt.date(2025, 4, 1), 3)
    assert history.contacts["cyd"].pk not in rows
    assert history.contacts["eve"].pk not in rows
    if calibration_end is not None:
        assert rows[ada][5:9] == (2, dt.date(2025, 2, 10), 80.0, 1)
        assert rows[dan][5:9] == (2, dt.date(2025, 3, 31), 20.0, 1)
        assert rows[history.contacts["bob"].pk][5:9] == (0, None, 0.0, 1)


def test_another_currency_is_analysed_alone() -> None:
    history = build_history()
    found = aggregation.purchases(analysis_date=ANALYSIS_DATE, currency="USD")
    assert list(found.contact_ids) == [history.contacts["ada"].pk]
    assert (day_of(found.first_day[0]), int(found.purchase_days[0]), float(found.revenue[0])) == (
        dt.date(2025, 2, 11),
        1,
        70.0,
    )


def test_currency_is_the_most_used_and_the_rest_is_counted() -> None:
    build_history()
    chosen = aggregation.choose_currency(ANALYSIS_DATE)
    # Paid orders of contacts to the analysis date: 8 in EUR (ada 4, bob 1, dan 3), 1 in USD
    assert (chosen.currency, chosen.orders, chosen.left_out) == ("EUR", 8, 1)
    assert chosen.by_currency == {"EUR": 8, "USD": 1}
    assert aggregation.choose_currency(ANALYSIS_DATE, "USD").left_out == 8


def test_support_costs_by_channel() -> None:
    history = build_history()
    contacts, costs = aggregation.support_costs(
        analysis_date=ANALYSIS_DATE,
        cost_by_channel={"phone": 5.0, "email": 2.0, "chat": 3.0},
        default_cost=0.5,
    )
    by_contact = dict(zip(contacts.tolist(), costs.tolist(), strict=True))
    # ada: inbound phone and email; dan: inbound phone (his chat is after the date); bob: a web form (default)
    assert by_contact == {
        history.contacts["ada"].pk: 7.0,
        history.contacts["dan"].pk: 5.0,
        history.contacts["bob"].pk: 0.5,
    }


def test_aligned_puts_values_at_their_keys() -> None:
    keys = np.array([2, 5, 7, 9])
    assert aggregation.aligned(keys, np.array([5, 9, 11]), np.array([1.5, 2.5, 3.5])).tolist() == [
        0.0,
        1.5,
        0.0,
        2.5,
    ]
    assert aggregation.aligned(keys, np.array([], dtype=np.int64), np.array([])).tolist() == [0.0] * 4


@pytest.mark.parametrize("grouped_once", [True, False])
def test_cohort_counts(grouped_once: bool) -> None:
    build_history()
    with _contact_days(grouped_once) as days:
        cells = aggregation.cohort_counts(analysis_date=ANALYSIS_DATE, currency="EUR", days=days)
    got = list(
        zip(
            [aggregation.month_of(m).isoformat()[:7] for m in cells.cohort_month],
            [aggregation.month_of(m).isoformat()[:7] for m in cells.activity_month],
            cells.customers.tolist(),
            np.round(cells.revenue, 2).tolist(),
            strict=True,
        )
    )
    assert got == [
        ("2024-11", "2024-11", 1, 10.0),  # dan
        ("2024-11", "2025-03", 1, 20.0),
        ("2024-11", "2025-04", 1, 25.0),
        ("2025-01", "2025-01", 1, 150.0),  # ada
        ("2025-01", "2025-02", 1, 80.0),
        ("2025-01", "2025-05", 1, 60.0),
        ("2025-06", "2025-06", 1, 30.0),  # bob
    ]


@pytest.mark.parametrize("grouped_once", [True, False])
def test_holdout_weeks_count_repeat_days_of_calibration_customers(grouped_once: bool) -> None:
    build_history()
    with _contact_days(grouped_once) as days:
        weeks, counts = aggregation.holdout_weekly(
            calibration_end=CALIBRATION_END, analysis_date=ANALYSIS_DATE, currency="EUR", days=days
        )
    # dan on 1 April (week 0), ada on 1 May (day 30: week 4); bob started in the holdout
    assert (weeks.tolist(), counts.tolist()) == ([0, 4], [1, 1])


def test_day_and_month_numbers() -> None:
    assert day_number(dt.date(1970, 1, 2)) == 1
    assert day_of(day_number(dt.date(2025, 3, 31))) == dt.date(2025, 3, 31)
    assert aggregation.month_of(month_index(dt.date(2025, 3, 31))) == dt.date(2025, 3, 1)


def test_no_orders_gives_empty_arrays() -> None:
    found = aggregation.purchases(analysis_date=ANALYSIS_DATE, currency="EUR")
    assert len(found) == 0
    assert found.revenue.dtype == np.float64
    assert aggregation.choose_currency(ANALYSIS_DATE).currency == ""
