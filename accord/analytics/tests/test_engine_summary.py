"""The repeat-purchase summary (x, t_x, T, mean repeat spend): on a hand-built log, and on the CDNOW sample
against the summary published with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from accord.analytics.engine.summary import summarise_transactions
from accord.analytics.engine.transactions import Columns, day_number, read_transactions

DATA = Path(__file__).parent / "data"


def test_a_hand_built_log_in_days() -> None:
    # Given customer 0 buying on days 10, 10 (same day, two orders), 15 and 30 (the holdout), customer 1
    # once on day 12, customer 2 first on day 25 (the holdout only), and a purchase after the observation end
    codes = np.array([0, 0, 1, 0, 0, 2, 0])
    days = np.array([10, 10, 12, 15, 30, 25, 41])
    amounts = np.array([5.0, 7.0, 3.0, 20.0, 9.0, 4.0, 100.0])

    # When summarised with the calibration to day 20 and observation to day 40, in days
    summary = summarise_transactions(
        codes, days, amounts, calibration_end_day=20, observation_end_day=40, time_unit_days=1
    )

    # Then same-day orders are one transaction, customer 2 is left out, and the holdout is counted
    assert summary.customers.tolist() == [0, 1]
    assert summary.repeat.frequency.tolist() == [1.0, 0.0]
    assert summary.repeat.recency.tolist() == [5.0, 0.0]
    assert summary.repeat.age.tolist() == [10.0, 8.0]
    assert summary.repeat.monetary_value.tolist() == [20.0, 0.0]
    assert summary.first_day.tolist() == [10, 12]
    assert summary.last_day.tolist() == [15, 12]
    assert summary.purchase_days.tolist() == [2, 1]
    assert summary.total_spend.tolist() == [32.0, 3.0]
    assert summary.holdout_purchases.tolist() == [1.0, 0.0]


def test_weeks_and_no_holdout() -> None:
    # Given one customer buying on days 0, 7 and 21
    codes, days, amounts = np.zeros(3, dtype=np.int64), np.array([0, 7, 21]), np.array([1.0, 2.0, 4.0])

    # When summarised in weeks to day 28 with no holdout
    summary = summarise_transactions(
        codes, days, amounts, calibration_end_day=28, observation_end_day=28, time_unit_days=7
    )

    # Then x = 2, t_x = 3 weeks, T = 4 weeks, and the mean repeat spend is 3
    assert (summary.repeat.frequency[0], summary.repeat.recency[0], summary.repeat.age[0]) == (2.0, 3.0, 4.0)
    assert summary.repeat.monetary_value[0] == 3.0
    assert summary.holdout_purchases.tolist() == [0.0]


def test_an_empty_log_and_a_reversed_period() -> None:
    empty = np.zeros(0, dtype=np.int64)
    summary = summarise_transactions(
        empty, empty, np.zeros(0), calibration_end_day=5, observation_end_day=5, time_unit_days=1
    )
    assert len(summary) == 0
    with pytest.raises(ValueError, match="the observation end comes before the calibration end"):
        summarise_transactions(
            empty, empty, np.zeros(0), calibration_end_day=5, observation_end_day=4, time_unit_days=1
        )


def test_cdnow_matches_the_published_summary() -> None:
    # Given the CDNOW sample and the summary distributed with it (Fader, Hardie & Lee 2005: a 39-week
    # calibration period ending 30 September 1997 inclusive, weeks of 7 days, same-day purchases as one)
    log = read_transactions(
        DATA / "CDNOW_sample.txt", Columns(customer="2", date="3", amount="5"), has_header=False
    )
    published = np.loadtxt(DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1)

    # When summarised the same way
    summary = summarise_transactions(
        log.customer_codes,
        log.days,
        log.amounts,
        calibration_end_day=day_number(dt.date(1997, 9, 30)),
        observation_end_day=day_number(dt.date(1998, 6, 30)),
        time_unit_days=7,
    )

    # Then every customer's x, t_x, T and zbar equal the file's, which rounds to cents half up (22.345 is
    # 22.35 there): we round the same way before comparing.
    def half_up(values: np.ndarray) -> np.ndarray:
        return np.floor(values * 100 + 0.5 + 1e-7) / 100

    assert log.customer_keys[summary.customers].astype(int).tolist() == published[:, 0].astype(int).tolist()
    assert summary.repeat.frequency.tolist() == published[:, 1].tolist()
    for column, values in (
        (2, summary.repeat.recency),
        (3, summary.repeat.age),
        (4, summary.repeat.monetary_value),
    ):
        assert np.abs(half_up(values) - published[:, column]).max() < 1e-9
    # and the holdout holds the purchase days after the calibration end, counted from the raw file
    purchase_days = {
        tuple(line.split()[1:3]) for line in (DATA / "CDNOW_sample.txt").read_text().splitlines()
    }
    holdout_days = sum(1 for _, date in purchase_days if date > "19970930")
    assert summary.holdout_purchases.sum() == holdout_days == 1882
    assert summary.repeat.frequency.sum() == len(purchase_days) - holdout_days - 2357
