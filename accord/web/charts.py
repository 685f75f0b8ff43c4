"""Geometry of the small charts the pages draw as inline SVG (no chart library, no JavaScript).

The numbers come from the selectors; this module only scales them into bars. Each chart on a page is
paired with a table of the same numbers, for screen readers and for anyone who wants the exact figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from accord.web.selectors import MonthFigure, StageFigure

CHART_WIDTH = 320
ROW_HEIGHT = 34
BAR_HEIGHT = 12
COLUMN_AREA_HEIGHT = 110
COLUMN_TOP = 18  # room for the value above the tallest column


def short_number(value: Decimal | int) -> str:
    """12345 -> '12.3k', 2500000 -> '2.5M': a bar's label has room for a few characters only."""
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            text = f"{number / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return f"{number:.0f}"


def _scale(value: Decimal | int, largest: Decimal | int, length: float) -> float:
    if not largest or not value:
        return 0.0
    # A non-zero value always shows at least a sliver, so that it does not read as zero.
    return round(max(2.0, float(value) / float(largest) * length), 1)


@dataclass(frozen=True)
class StageBar:
    label: str
    value_text: str
    label_y: int
    bar_y: int
    width: float
    weighted_width: float


@dataclass(frozen=True)
class StageChart:
    width: int
    height: int
    bars: list[StageBar]
    measures_amounts: bool


def stage_chart(stages: Sequence[StageFigure], *, show_amounts: bool) -> StageChart:
    """Horizontal bars, one per stage: the open value (the deal count when amounts are hidden), with the
    weighted value drawn inside it."""
    values: list[Decimal | int] = [
        (stage.amount or Decimal("0")) if show_amounts else stage.count for stage in stages
    ]
    largest = max(values, default=0)
    bars = []
    for index, (stage, value) in enumerate(zip(stages, values, strict=True)):
        top = index * ROW_HEIGHT
        bars.append(
            StageBar(
                label=stage.label,
                value_text=short_number(value) if show_amounts else f"{stage.count}",
                label_y=top + 12,
                bar_y=top + 17,
                width=_scale(value, largest, CHART_WIDTH),
                weighted_width=_scale(stage.weighted or 0, largest, CHART_WIDTH) if show_amounts else 0.0,
            )
        )
    return StageChart(
        width=CHART_WIDTH,
        height=max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
        bars=bars,
        measures_amounts=show_amounts,
    )


@dataclass(frozen=True)
class MonthColumn:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    baseline: int
    columns: list[MonthColumn]

    @property
    def label_y(self) -> int:
        return self.height - 4


def month_chart(months: Sequence[MonthFigure], *, show_amounts: bool) -> MonthChart:
    """Columns, one per month: the value won (the number of deals won when amounts are hidden)."""
    values: list[Decimal | int] = [
        (month.amount or Decimal("0")) if show_amounts else month.count for month in months
    ]
    largest = max(values, default=0)
    slot = CHART_WIDTH / max(1, len(months))
    column_width = round(slot * 0.6, 1)
    baseline = COLUMN_TOP + COLUMN_AREA_HEIGHT
    columns = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        height = _scale(value, largest, COLUMN_AREA_HEIGHT)
        left = index * slot + (slot - column_width) / 2
        columns.append(
            MonthColumn(
                label=month_label(month.month),
                value_text=short_number(value),
                x=round(left, 1),
                y=round(baseline - height, 1),
                width=column_width,
                height=height,
                label_x=round(index * slot + slot / 2, 1),
                value_y=round(baseline - height - 4, 1),
            )
        )
    return MonthChart(width=CHART_WIDTH, height=baseline + 20, baseline=baseline, columns=columns)


def month_label(month: dt.date) -> str:
    return month.strftime("%b")
