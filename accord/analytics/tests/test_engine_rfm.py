"""RFM scores (quintiles over customers, ties never split) and the segment rules, on hand-built cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.analytics.engine.rfm import (
    DEFAULT_SEGMENT_RULES,
    SEGMENT_LABELS,
    SEGMENTS,
    SegmentRule,
    check_rules,
    quantile_scores,
    rf_grid,
    rfm_scores,
    rfm_segments,
    rfm_values,
    rules_from_json,
)
from accord.analytics.engine.summary import summarise_transactions
from accord.analytics.models import RfmSegment


def test_the_engine_knows_every_segment_of_the_models() -> None:
    assert tuple(RfmSegment.values) == SEGMENTS
    assert dict(RfmSegment.choices) == SEGMENT_LABELS
    assert {rule.segment for rule in DEFAULT_SEGMENT_RULES} == set(SEGMENTS)


def test_distinct_values_are_plain_quintiles() -> None:
    # Given ten customers with distinct spend, in shuffled order
    spend = np.array([50, 10, 90, 30, 70, 20, 100, 60, 40, 80])

    # When scored, then each score holds two of them, the highest spenders scoring 5
    assert quantile_scores(spend).tolist() == [3, 1, 5, 2, 4, 1, 5, 3, 2, 4]


def test_ties_are_never_split_and_land_where_their_middle_member_would() -> None:
    # Given 6 of 10 customers who bought once, 2 twice, then 3 and 7 times
    frequency = np.array([1, 1, 1, 1, 1, 1, 2, 2, 3, 7])

    # When scored
    scores = quantile_scores(frequency)

    # Then the six share a score: their mid-rank percentile is 0.3, so score 2 (no one scores 1); the
    # pair's is 0.7 (score 4); the last two are at 0.85 and 0.95 (score 5)
    assert scores.tolist() == [2, 2, 2, 2, 2, 2, 4, 4, 5, 5]


def test_everyone_equal_or_alone_scores_in_the_middle() -> None:
    assert quantile_scores(np.array([4.0, 4.0, 4.0])).tolist() == [3, 3, 3]
    assert quantile_scores(np.array([9.0])).tolist() == [3]
    assert quantile_scores(np.zeros(0)).tolist() == []


def test_recent_buyers_score_high_on_recency() -> None:
    # Given days since the last purchase of five customers
    r, f, m = rfm_scores(
        np.array([1, 400, 30, 90, 200]), np.array([0, 0, 0, 0, 0]), np.array([5, 4, 3, 2, 1])
    )

    # Then the most recent scores 5 and the longest gone 1; F ties at the middle; M follows the spend
    assert r.tolist() == [5, 1, 4, 3, 2]
    assert f.tolist() == [3, 3, 3, 3, 3]
    assert m.tolist() == [5, 4, 3, 2, 1]


@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=60))
def test_equal_values_always_get_equal_scores_and_order_is_kept(values: list[int]) -> None:
    array = np.array(values)
    scores = quantile_scores(array)
    assert scores.min() >= 1
    assert scores.max() <= 5
    for value in set(values):
        assert len(set(scores[array == value].tolist())) == 1
    order = np.argsort(array, kind="stable")
    assert (np.diff(scores[order]) >= 0).all()


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 3, "potential_loyalist"),
        (4, 2, "potential_loyalist"),
        (5, 1, "new"),
        (4, 1, "promising"),
        (3, 3, "need_attention"),
        (3, 2, "about_to_sleep"),
        (3, 1, "about_to_sleep"),
        (2, 5, "cant_lose"),
        (1, 5, "cant_lose"),
        (2, 4, "at_risk"),
        (1, 3, "at_risk"),
        (2, 2, "hibernating"),
        (2, 1, "hibernating"),
        (1, 2, "lost"),
        (1, 1, "lost"),
    ],
)
def test_the_default_rf_map(r: int, f: int, segment: str) -> None:
    # Given a customer's R and F (M anything), then the default map gives their segment
    for m in (1, 3, 5):
        assert rfm_segments(np.array([r]), np.array([f]), np.array([m])).tolist() == [segment]


def test_every_score_combination_has_exactly_one_segment() -> None:
    grid = np.arange(1, 6)
    r, f, m = (axis.ravel() for axis in np.meshgrid(grid, grid, grid, indexing="ij"))
    segments = rfm_segments(r, f, m)
    assert len(segments) == 125
    assert set(segments.tolist()) == set(SEGMENTS)


def test_custom_rules_first_match_wins_and_may_use_monetary() -> None:
    # Given rules that call big spenders "champions" whatever else, then the rest "lost"
    rules = (
        SegmentRule("champions", recency=(1, 5), frequency=(1, 5), monetary=(5, 5)),
        SegmentRule("lost", recency=(1, 5), frequency=(1, 5)),
    )

    # When applied, then the first matching rule decides
    segments = rfm_segments(np.array([1, 5]), np.array([1, 5]), np.array([5, 4]), rules)
    assert segments.tolist() == ["champions", "lost"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ((SegmentRule("champions", recency=(1, 5), frequency=(2, 5)),), "no rule matches R=1, F=1, M=1"),
        ((SegmentRule("vip", recency=(1, 5), frequency=(1, 5)),), "unknown segment 'vip'"),
        (
            (SegmentRule("lost", recency=(0, 5), frequency=(1, 5)),),
            "segment 'lost': range 0–5 is not within 1–5",
        ),
    ],
)
def test_rules_leaving_a_gap_or_naming_nothing_known_are_refused(
    rules: tuple[SegmentRule, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_rules(rules)


def test_rules_from_json() -> None:
    rules = rules_from_json(
        '[{"segment": "champions", "recency": [4, 5], "frequency": [1, 5], "monetary": [5, 5]},'
        ' {"segment": "lost", "recency": [1, 5], "frequency": [1, 5]}]'
    )
    assert rules == (
        SegmentRule("champions", recency=(4, 5), frequency=(1, 5), monetary=(5, 5)),
        SegmentRule("lost", recency=(1, 5), frequency=(1, 5), monetary=(1, 5)),
    )
    assert rules[0].describe() == "R 4–5, M 5"
    with pytest.raises(ValueError, match="segment rules: not a list"):
        rules_from_json('{"segment": "lost"}')


def test_rfm_values_from_a_summary_and_the_rf_grid() -> None:
    # Given customer 0 buying on days 1, 1 and 8 (9 in all), customer 1 on day 5 (4)
    summary = summarise_transactions(
        np.array([0, 0, 0, 1]),
        np.array([1, 1, 8, 5]),
        np.array([2.0, 3.0, 4.0, 4.0]),
        calibration_end_day=10,
        observation_end_day=10,
        time_unit_days=1,
    )

    # When R, F and M are taken at day 10
    values = rfm_values(summary, 10)

    # Then recency is days since the last purchase, frequency the repeat purchase days, monetary the revenue
    assert values.recency_days.tolist() == [2, 5]
    assert values.frequency.tolist() == [1, 0]
    assert values.monetary.tolist() == [9.0, 4.0]

    # and the R × F grid counts them in their cells, 25 cells, each with its segment
    r, f, _ = rfm_scores(values.recency_days, values.frequency, values.monetary)
    assert (r.tolist(), f.tolist()) == ([4, 2], [4, 2])
    grid = rf_grid(r, f, values.monetary)
    assert len(grid) == 25
    filled = [
        (cell.recency_score, cell.frequency_score, cell.customers, cell.revenue, cell.segment)
        for cell in grid
        if cell.customers
    ]
    assert filled == [(2, 2, 1, 4.0, "hibernating"), (4, 4, 1, 9.0, "loyal")]
    assert grid[0].segment == "lost"
    assert grid[-1].segment == "champions"


def test_a_hundred_thousand_customers_are_scored_and_segmented() -> None:
    # Given 100,000 customers with skewed frequency and spend
    generator = np.random.default_rng(6)
    recency = generator.integers(0, 720, 100_000)
    frequency = generator.geometric(0.5, 100_000) - 1
    monetary = generator.lognormal(4, 1, 100_000)

    # When scored and segmented
    r, f, m = rfm_scores(recency, frequency, monetary)
    segments = rfm_segments(r, f, m)

    # Then recency and spend (nearly untied) split into fifths, and every customer has a segment
    assert np.bincount(m)[1:].tolist() == [20_000] * 5
    assert abs(np.bincount(r)[1:] - 20_000).max() < 400
    assert (segments != "").all()
