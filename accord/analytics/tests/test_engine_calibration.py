"""Calibration/holdout tables and curves (Fader, Hardie & Lee 2005, section 4, Figures 3–4), on hand-built
cases and on the CDNOW sample's real 39-week holdout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from accord.analytics.engine.bgnbd import BetaGeoModel, fit_bgnbd
from accord.analytics.engine.calibration import (
    cumulative_actual,
    cumulative_predicted,
    holdout_by_frequency,
)
from accord.analytics.tests.test_engine_bgnbd import cdnow_summary

DATA = Path(__file__).parent / "data"
CALIBRATION_END = date(1997, 9, 30).toordinal()  # end of week 39 (the summary's T = 38.86 for 1 January)
HOLDOUT_END = date(1998, 6, 30).toordinal()  # end of week 78


def cdnow_holdout_purchases() -> np.ndarray:
    """Distinct purchase days of each CDNOW sample customer in the 39-week holdout, in the summary's order
    (sample ids 1 … 2357)."""
    days: dict[int, set[int]] = {}
    for line in (DATA / "CDNOW_sample.txt").read_text().split("\n"):
        if line.strip():
            _, customer, day, _, _ = line.split()
            stamp = date(int(day[:4]), int(day[4:6]), int(day[6:])).toordinal()
            if CALIBRATION_END < stamp <= HOLDOUT_END:
                days.setdefault(int(customer), set()).add(stamp)
    return np.array([len(days.get(customer, ())) for customer in range(1, 2358)], dtype=float)


def test_holdout_table_by_calibration_frequency_on_hand_built_customers() -> None:
    # Given six customers with calibration frequencies 0, 0, 1, 3, 7, 9 and their holdout purchases
    model = BetaGeoModel(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    x = np.array([0.0, 0, 1, 3, 7, 9])
    t_x = np.array([0.0, 0, 10, 20, 30, 35])
    big_t = np.array([38.0, 30, 38, 38, 38, 38])
    actual = np.array([0.0, 1, 0, 2, 4, 6])
    predicted = model.expected_purchases(39, x, t_x, big_t)
    # When the table is built with the last bucket "7+"
    rows = holdout_by_frequency(model, x, t_x, big_t, 39, actual)
    # Then there is one row per frequency 0–6 and "7+", with counts and means of predicted and actual
    assert [row[0] for row in rows] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [row[1] for row in rows] == [2, 1, 0, 1, 0, 0, 0, 2]
    assert rows[0][2] == pytest.approx((predicted[0] + predicted[1]) / 2, rel=1e-12)
    assert rows[0][3] == 0.5
    assert rows[2] == ("2", 0, 0.0, 0.0)
    assert rows[7][2] == pytest.approx((predicted[4] + predicted[5]) / 2, rel=1e-12)
    assert rows[7][3] == 5.0


def test_cumulative_curves() -> None:
    model = BetaGeoModel(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    x, t_x, big_t = np.array([0.0, 2]), np.array([0.0, 30.43]), np.array([38.86, 38.86])
    # Given weeks 1, 2 and 3 of a holdout
    predicted = cumulative_predicted(model, x, t_x, big_t, [1.0, 2.0, 3.0])
    # Then the predicted curve is the customers' summed expectation, and grows
    assert predicted[2] == pytest.approx(model.expected_purchases(3.0, x, t_x, big_t).sum(), rel=1e-15)
    assert predicted[0] < predicted[1] < predicted[2]
    # And the actual curve counts purchases made by each time
    assert list(cumulative_actual([0.5, 2.0, 2.5, 2.9], [1.0, 2.0, 3.0])) == [1.0, 2.0, 4.0]


def test_cdnow_holdout_is_predicted_as_in_the_paper() -> None:
    # Given BG/NBD fitted on CDNOW's 39 calibration weeks and the customers' real purchases in weeks 40–78
    data = cdnow_summary()
    actual = cdnow_holdout_purchases()
    model = fit_bgnbd(data["x"], data["t_x"], data["T"])
    # When the holdout is predicted by calibration frequency
    rows = holdout_by_frequency(model, data["x"], data["t_x"], data["T"], 39, actual)
    # Then the buckets hold every customer and the actual means are the log's (1,882 repeat purchase days)
    assert sum(row[1] for row in rows) == 2357
    assert rows[0][1] == int(np.sum(data["x"] == 0))
    assert rows[0][3] == pytest.approx(actual[data["x"] == 0].mean(), rel=1e-12)
    assert actual.sum() == 1882
    # And the conditional expectations track the actual means as in FHL's Figure 4: they rise with the
    # calibration frequency as the actual ones do, the total is 1,653.4 predicted against 1,882 made (the
    # model under-predicts the low-frequency buckets of this sample), each populated bucket within 30%
    predicted_total = sum(row[1] * row[2] for row in rows)
    assert round(predicted_total, 1) == 1653.4
    means = [row[2] for row in rows]
    assert means == sorted(means)
    for _label, customers, predicted, observed in rows:
        if customers >= 25:
            assert predicted == pytest.approx(observed, rel=0.3)
