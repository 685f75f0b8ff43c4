"""RFM: recency, frequency and monetary value per customer at an analysis date, scored 1–5, and the named
segments of the R × F map.

Scores are quantiles over customers, with ties kept together. Each customer's value gets the mid-rank
percentile of its tie group, (customers below + half the customers equal) / all customers (the Hazen
plotting position), and score ``floor(bins × percentile) + 1``. Without ties this is plain quintiles over
customers (each score holds a fifth of them, give or take one); a tie group lands, whole, on the score
its middle member would get under any tie-breaking order. We score over customers rather than over
distinct values because the score is meant to say "this customer is in the top fifth of customers": over
distinct values, the handful of customers with 40 orders would spread over the top scores while most
customers share the bottom one. The price of keeping ties together is that a score can be empty: when
60% of customers bought once, all of them get F = 2 (their midpoint is the 30th percentile) and no one
gets F = 1. Recency is scored so that a recent purchase scores 5.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.analytics.engine.summary import TransactionSummary

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
StrArray = NDArray[np.str_]

# The values and labels of accord.analytics.models.RfmSegment (the engine may not import the models; a
# test checks that they agree).
SEGMENT_LABELS = {
    "champions": "Champions",
    "loyal": "Loyal",
    "potential_loyalist": "Potential Loyalist",
    "new": "New",
    "promising": "Promising",
    "need_attention": "Need Attention",
    "about_to_sleep": "About to Sleep",
    "at_risk": "At Risk",
    "cant_lose": "Can't Lose Them",
    "hibernating": "Hibernating",
    "lost": "Lost",
}
SEGMENTS = tuple(SEGMENT_LABELS)


@dataclass(frozen=True)
class SegmentRule:
    """Customers whose scores fall in all three inclusive ranges belong to ``segment``."""

    segment: str
    recency: tuple[int, int]
    frequency: tuple[int, int]
    monetary: tuple[int, int] = (1, 5)

    def describe(self) -> str:
        parts = [
            f"{letter} {low}–{high}" if low != high else f"{letter} {low}"
            for letter, (low, high) in (("R", self.recency), ("F", self.frequency), ("M", self.monetary))
            if (low, high) != (1, 5)
        ]
        return ", ".join(parts) or "any scores"


# The R × F segment map popularised by Putler's RFM guide ("RFM Analysis For Successful Customer
# Segmentation") and used in most open RFM notebooks as the regex map {"[1-2][1-2]": hibernating,
# "[1-2][3-4]": at risk, "[1-2]5": can't lose, "3[1-2]": about to sleep, "33": need attention,
# "[3-4][4-5]": loyal, "41": promising, "51": new, "[4-5][2-3]": potential loyalist, "5[4-5]": champions}
# over (R, F). Putler's list has an eleventh segment, Lost (the lowest scores): we split the map's
# Hibernating cell into Lost (R = 1) and Hibernating (R = 2). The map ignores M; rules may use it.
DEFAULT_SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("champions", recency=(5, 5), frequency=(4, 5)),
    SegmentRule("loyal", recency=(3, 4), frequency=(4, 5)),
    SegmentRule("potential_loyalist", recency=(4, 5), frequency=(2, 3)),
    SegmentRule("new", recency=(5, 5), frequency=(1, 1)),
    SegmentRule("promising", recency=(4, 4), frequency=(1, 1)),
    SegmentRule("need_attention", recency=(3, 3), frequency=(3, 3)),
    SegmentRule("about_to_sleep", recency=(3, 3), frequency=(1, 2)),
    SegmentRule("cant_lose", recency=(1, 2), frequency=(5, 5)),
    SegmentRule("at_risk", recency=(1, 2), frequency=(3, 4)),
    SegmentRule("hibernating", recency=(2, 2), frequency=(1, 2)),
    SegmentRule("lost", recency=(1, 1), frequency=(1, 2)),
)


@dataclass(frozen=True)
class RfmValues:
    """Per customer at the analysis date: days since the last purchase, repeat purchase days (same-day
    orders count once, the first purchase is not a repeat) and revenue."""

    recency_days: IntArray
    frequency: IntArray
    monetary: FloatArray


def rfm_values(summary: TransactionSummary, analysis_day: int) -> RfmValues:
    """R, F and M from a summary whose calibration period ends at the analysis date."""
    return RfmValues(
        recency_days=(analysis_day - summary.last_day).astype(np.int64),
        frequency=summary.purchase_days - 1,
        monetary=summary.total_spend,
    )


def quantile_scores(values: NDArray[np.float64] | IntArray, *, bins: int = 5) -> IntArray:
    """Scores 1..bins by the mid-rank percentile of each value (see the module docstring): equal values
    always get equal scores."""
    array = np.asarray(values)
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    _, inverse, counts = np.unique(array, return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts
    percentile = (below + counts / 2) / len(array)
    scores = np.minimum(np.floor(percentile * bins).astype(np.int64) + 1, bins)
    return scores[inverse]


def rfm_scores(
    recency_days: IntArray | FloatArray,
    frequency: IntArray | FloatArray,
    monetary: IntArray | FloatArray,
    *,
    bins: int = 5,
) -> tuple[IntArray, IntArray, IntArray]:
    """(R, F, M) scores 1..bins; R is highest for the most recent buyers."""
    if bins < 2:
        raise ValueError("RFM needs at least 2 score bins")
    return (
        quantile_scores(-np.asarray(recency_days, dtype=np.float64), bins=bins),
        quantile_scores(np.asarray(frequency, dtype=np.float64), bins=bins),
        quantile_scores(np.asarray(monetary, dtype=np.float64), bins=bins),
    )


def check_rules(rules: Sequence[SegmentRule], *, bins: int = 5) -> None:
    """Every (R, F, M) combination must have a segment, and each rule must name a known segment with
    ranges inside 1..bins: otherwise some customer would get none."""
    for rule in rules:
        if rule.segment not in SEGMENTS:
            raise ValueError(f"unknown segment '{rule.segment}' (known: {', '.join(SEGMENTS)})")
        for low, high in (rule.recency, rule.frequency, rule.monetary):
            if not 1 <= low <= high <= bins:
                raise ValueError(f"segment '{rule.segment}': range {low}–{high} is not within 1–{bins}")
    grid = np.arange(1, bins + 1)
    r, f, m = (axis.ravel() for axis in np.meshgrid(grid, grid, grid, indexing="ij"))
    unmatched = _assign(r, f, m, rules) == ""
    if unmatched.any():
        first = int(np.flatnonzero(unmatched)[0])
        raise ValueError(
            f"no rule matches R={r[first]}, F={f[first]}, M={m[first]}: every score must have a segment"
        )


def rfm_segments(
    recency_score: IntArray,
    frequency_score: IntArray,
    monetary_score: IntArray,
    rules: Sequence[SegmentRule] = DEFAULT_SEGMENT_RULES,
) -> StrArray:
    """The segment of each customer: the first rule matching their scores."""
    check_rules(rules)
    return _assign(np.asarray(recency_score), np.asarray(frequency_score), np.asarray(monetary_score), rules)


def _assign(r: IntArray, f: IntArray, m: IntArray, rules: Sequence[SegmentRule]) -> StrArray:
    width = max((len(rule.segment) for rule in rules), default=1)
    segments = np.full(len(r), "", dtype=f"<U{width}")
    unassigned = np.ones(len(r), dtype=bool)
    for rule in rules:  # a dozen rules, each vectorised over every customer
        matches = (
            unassigned & _within(r, rule.recency) & _within(f, rule.frequency) & _within(m, rule.monetary)
        )
        segments[matches] = rule.segment
        unassigned &= ~matches
    return segments


def _within(scores: IntArray, bounds: tuple[int, int]) -> NDArray[np.bool_]:
    return (scores >= bounds[0]) & (scores <= bounds[1])


def rules_from_json(text: str) -> tuple[SegmentRule, ...]:
    """Rules from JSON: ``[{"segment": "champions", "recency": [5, 5], "frequency": [4, 5],
    "monetary": [1, 5]}, …]`` (monetary optional), checked with ``check_rules``."""
    try:
        entries = json.loads(text)
        rules = tuple(
            SegmentRule(
                segment=str(entry["segment"]),
                recency=_bounds(entry["recency"]),
                frequency=_bounds(entry["frequency"]),
                monetary=_bounds(entry.get("monetary", [1, 5])),
            )
            for entry in entries
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(
            f"segment rules: not a list of {{segment, recency, frequency[, monetary]}} ({error})"
        ) from None
    check_rules(rules)
    return rules


def _bounds(value: object) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{value!r} is not a [low, high] pair")
    return int(value[0]), int(value[1])


@dataclass(frozen=True)
class GridCell:
    recency_score: int
    frequency_score: int
    customers: int
    revenue: float
    segment: str


def rf_grid(
    recency_score: IntArray,
    frequency_score: IntArray,
    revenue: FloatArray,
    rules: Sequence[SegmentRule] = DEFAULT_SEGMENT_RULES,
    *,
    bins: int = 5,
) -> list[GridCell]:
    """The bins × bins R × F map: customers and revenue per cell, and the cell's segment under the rules
    at the middle M score (the default rules ignore M)."""
    cell = (np.asarray(recency_score) - 1) * bins + (np.asarray(frequency_score) - 1)
    customers = np.bincount(cell, minlength=bins * bins)
    totals = np.bincount(cell, weights=np.asarray(revenue, dtype=np.float64), minlength=bins * bins)
    grid = np.arange(1, bins + 1)
    r, f = (axis.ravel() for axis in np.meshgrid(grid, grid, indexing="ij"))
    names = _assign(r, f, np.full(len(r), (bins + 1) // 2), rules)
    return [
        GridCell(int(r[index]), int(f[index]), int(customers[index]), float(totals[index]), str(names[index]))
        for index in range(bins * bins)
    ]
