"""The cohort retention matrix on a hand-built log: counts, percentages, revenue, right-censoring, and the
same table from SQL-style grouped rows and from transaction arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from accord.analytics.engine.cohorts import (
    cohort_rows,
    cohort_table,
    cohort_table_from_transactions,
    period_index,
    period_label,
)
from accord.analytics.engine.transactions import day_number


def day(text: str) -> int:
    return day_number(dt.date.fromisoformat(text))


# Customers a and b start in January, c in February, d in March (the analysis month).
LOG = [
    ("a", "2024-01-03", 10.0),
    ("a", "2024-01-20", 5.0),  # a second January purchase: a still counts once in January
    ("b", "2024-01-31", 20.0),
    ("a", "2024-02-14", 7.0),
    ("c", "2024-02-29", 8.0),
    ("b", "2024-03-01", 1.0),
    ("c", "2024-03-10", 2.0),
    ("d", "2024-03-15", 4.0),
    ("a", "2024-04-02", 99.0),  # after the analysis date: ignored
]


def arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = {"a": 0, "b": 1, "c": 2, "d": 3}
    return (
        np.array([keys[who] for who, _, _ in LOG]),
        np.array([day(when) for _, when, _ in LOG]),
        np.array([amount for _, _, amount in LOG]),
    )


def test_periods_and_labels() -> None:
    days = np.array([day("2024-01-01"), day("2024-03-31"), day("1969-12-31")])
    assert [period_label(int(index), "month") for index in period_index(days, "month")] == [
        "2024-01",
        "2024-03",
        "1969-12",
    ]
    # Weeks start on Monday: 2024-01-01 was a Monday, 2024-03-31 a Sunday
    assert [period_label(int(index), "week") for index in period_index(days, "week")] == [
        "2024-01-01",
        "2024-03-25",
        "1969-12-29",
    ]


def test_monthly_cohorts_from_a_hand_built_log() -> None:
    # Given the log, analysed on 2024-03-31
    codes, days, amounts = arrays()

    # When the monthly cohort table is built
    table = cohort_table_from_transactions(codes, days, amounts, analysis_day=day("2024-03-31"))

    # Then there are three cohorts with their sizes
    assert table.labels() == ["2024-01", "2024-02", "2024-03"]
    assert table.sizes.tolist() == [2, 1, 1]
    # and January's customers bought 2, 1, 1 in months 0, 1, 2; February's 1, 1; March's 1; later
    # months of the younger cohorts are censored (not observed), not zero
    assert table.active.tolist() == [[2, 1, 1], [1, 1, 0], [1, 0, 0]]
    assert table.observed.tolist() == [[True, True, True], [True, True, False], [True, False, False]]
    retention = table.retention
    assert retention[0].tolist() == [1.0, 0.5, 0.5]
    assert retention[1, :2].tolist() == [1.0, 1.0]
    assert np.isnan(retention[1, 2])
    assert np.isnan(retention[2, 1:]).all()
    assert table.revenue.tolist() == [[35.0, 7.0, 1.0], [8.0, 2.0, 0.0], [4.0, 0.0, 0.0]]
    # and the report's rows leave censored periods out
    assert table.rows() == [
        ("2024-01", 2, [2, 1, 1], [35.0, 7.0, 1.0]),
        ("2024-02", 1, [1, 1], [8.0, 2.0]),
        ("2024-03", 1, [1], [4.0]),
    ]


def test_an_observed_month_with_no_purchase_is_zero_not_missing() -> None:
    # Given customer 0 buying in January and March only, analysed in March
    table = cohort_table_from_transactions(
        np.array([0, 0]),
        np.array([day("2024-01-05"), day("2024-03-05")]),
        np.array([1.0, 1.0]),
        analysis_day=day("2024-03-31"),
    )
    # Then February is an observed zero
    assert table.active.tolist() == [[1, 0, 1]]
    assert table.observed.tolist() == [[True, True, True]]
    assert table.retention.tolist() == [[1.0, 0.0, 1.0]]


def test_grouped_rows_are_what_sql_would_return_and_give_the_same_table() -> None:
    # Given the log's rows grouped by (cohort month, activity month), as the CRM's GROUP BY returns them
    codes, days, amounts = arrays()
    cohorts, activity, customers, revenue = cohort_rows(codes, days, amounts, analysis_day=day("2024-03-31"))
    jan, feb, mar = (
        int(period_index(np.array([day(f"2024-{month:02}-01")]), "month")[0]) for month in (1, 2, 3)
    )
    assert list(
        zip(cohorts.tolist(), activity.tolist(), customers.tolist(), revenue.tolist(), strict=True)
    ) == [
        (jan, jan, 2, 35.0),
        (jan, feb, 1, 7.0),
        (jan, mar, 1, 1.0),
        (feb, feb, 1, 8.0),
        (feb, mar, 1, 2.0),
        (mar, mar, 1, 4.0),
    ]

    # When the same rows arrive shuffled and split (a GROUP BY may return any order)
    order = np.array([5, 2, 0, 4, 1, 3])
    table = cohort_table(
        cohorts[order], activity[order], customers[order], revenue[order], analysis_period=mar
    )

    # Then the table is the one built from the transactions
    direct = cohort_table_from_transactions(codes, days, amounts, analysis_day=day("2024-03-31"))
    assert table.active.tolist() == direct.active.tolist()
    assert table.revenue.tolist() == direct.revenue.tolist()


def test_weekly_cohorts() -> None:
    # Given purchases on Monday 1 January, Sunday 7 January (same week) and Monday 8 January 2024
    table = cohort_table_from_transactions(
        np.array([0, 1, 0]),
        np.array([day("2024-01-01"), day("2024-01-07"), day("2024-01-08")]),
        np.array([1.0, 2.0, 3.0]),
        analysis_day=day("2024-01-09"),
        period="week",
    )
    # Then one cohort of two, one of whom came back the next week
    assert table.labels() == ["2024-01-01"]
    assert table.active.tolist() == [[2, 1]]
    assert table.revenue.tolist() == [[3.0, 3.0]]


def test_bad_grouped_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="an activity period comes before its cohort's first period"):
        cohort_table(np.array([5]), np.array([4]), np.array([1]), np.array([1.0]), analysis_period=6)
    with pytest.raises(ValueError, match="a row lies after the analysis period"):
        cohort_table(np.array([5]), np.array([7]), np.array([1]), np.array([1.0]), analysis_period=6)


def test_no_purchases_give_an_empty_table() -> None:
    empty = np.zeros(0, dtype=np.int64)
    table = cohort_table_from_transactions(empty, empty, np.zeros(0), analysis_day=100)
    assert table.rows() == []
