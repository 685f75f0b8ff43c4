"""Geometry of the charts the pages draw as inline SVG (no chart library, no JavaScript, no CDN).

The numbers come from the selectors; this module only scales them into shapes (bars, columns, lines, the
cells of a heat map) in the coordinates of an SVG ``viewBox``, so a chart scales with its container on any
screen. Each chart on a page is paired with a table of the same numbers, for screen readers and for anyone
who wants the exact figures. It lives in ``core`` so that every layer's pages (the home page, analytics)
draw with the same primitives.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class StageFigure(Protocol):
    """What a stage bar needs (``accord.web.selectors.StageFigure`` has it)."""

    @property
    def label(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def amount(self) -> Decimal | None: ...
    @property
    def weighted(self) -> Decimal | None: ...


class MonthFigure(Protocol):
    """What a month column needs (``accord.web.selectors.MonthFigure`` has it)."""

    @property
    def month(self) -> dt.date: ...
    @property
    def count(self) -> int: ...
    @property
    def amount(self) -> Decimal | None: ...


CHART_WIDTH = 320
ROW_HEIGHT = 34
BAR_HEIGHT = 12
COLUMN_AREA_HEIGHT = 110
COLUMN_TOP = 18  # room for the value above the tallest column


def short_number(value: Decimal | float) -> str:
    """12345 -> '12.3k', 2500000 -> '2.5M': a bar's label has room for a few characters only."""
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            text = f"{number / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return f"{number:.0f}"


def scale_length(value: Decimal | float, largest: Decimal | float, length: float) -> float:
    """``value``'s share of ``largest`` as a length out of ``length``."""
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
                width=scale_length(value, largest, CHART_WIDTH),
                weighted_width=scale_length(stage.weighted or 0, largest, CHART_WIDTH)
                if show_amounts
                else 0.0,
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
        height = scale_length(value, largest, COLUMN_AREA_HEIGHT)
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


# ---------------------------------------------------------------------------- generic primitives


@dataclass(frozen=True)
class Box:
    """The plotting area inside a chart's viewBox (room is left around it for axis labels)."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def tick_label_x(self) -> float:
        """Where the value axis' labels end, just left of the plot."""
        return self.left - 4

    @property
    def x_label_y(self) -> float:
        """The baseline of the category axis' labels, just below the plot."""
        return self.bottom + 14


@dataclass(frozen=True)
class Tick:
    """A gridline or axis label: its position along the axis (in viewBox units) and its text."""

    position: float
    text: str


def linear(value: float, low: float, high: float, start: float, end: float) -> float:
    """``value`` in [low, high] mapped onto [start, end] (rounded to 0.1: SVG needs no more)."""
    if high == low:
        return round(start, 1)
    return round(start + (value - low) / (high - low) * (end - start), 1)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value``, so that axis labels are round numbers."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value * (1 - 1e-9):
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover (10 × 10^k always qualifies)


def tick_number(value: float) -> str:
    """An axis label: short for large values, exact for small ones (12.5 stays 12.5)."""
    return short_number(value) if abs(value) >= 1000 else f"{value:g}"


def value_ticks(top: float, count: int = 4) -> list[float]:
    """``count`` + 1 evenly spaced values from 0 to ``top``."""
    return [top * index / count for index in range(count + 1)]


@dataclass(frozen=True)
class Column:
    """One column of a column chart; ``series`` says which series (0, 1, …) it draws, for its colour."""

    series: int
    x: float
    y: float
    width: float
    height: float
    value: float


@dataclass(frozen=True)
class ColumnGroup:
    """The columns of one category (a month, a frequency), side by side, with the category's label."""

    label: str
    label_x: float
    show_label: bool
    columns: list[Column]


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    plot: Box
    groups: list[ColumnGroup]
    y_ticks: list[Tick]


def column_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[float | None]],
    *,
    width: int = 640,
    height: int = 240,
    label_every: int = 1,
    tick_text: Callable[[float], str] = tick_number,
) -> ColumnChart:
    """Grouped columns: for each label, one column per series (None: no column), on one scale from 0 to a
    round number above the largest value. Only every ``label_every``-th label is written, so that many
    categories stay legible."""
    plot = Box(left=44, top=10, right=width - 4, bottom=height - 22)
    largest = max((value for values in series for value in values if value is not None), default=0.0)
    top = nice_ceiling(largest)
    slot = plot.width / max(1, len(labels))
    column_width = round(slot * 0.8 / max(1, len(series)), 1)
    groups = []
    for index, label in enumerate(labels):
        left = plot.left + index * slot + slot * 0.1
        columns = []
        for number, values in enumerate(series):
            value = values[index]
            if value is None:
                continue
            length = scale_length(max(value, 0.0), top, plot.height)
            columns.append(
                Column(
                    series=number,
                    x=round(left + number * column_width, 1),
                    y=round(plot.bottom - length, 1),
                    width=column_width,
                    height=length,
                    value=value,
                )
            )
        groups.append(
            ColumnGroup(
                label=label,
                label_x=round(plot.left + index * slot + slot / 2, 1),
                show_label=index % max(1, label_every) == 0,
                columns=columns,
            )
        )
    ticks = [
        Tick(linear(value, 0, top, plot.bottom, plot.top), tick_text(value)) for value in value_ticks(top)
    ]
    return ColumnChart(width=width, height=height, plot=plot, groups=groups, y_ticks=ticks)


@dataclass(frozen=True)
class Line:
    """One series of a line chart as the ``points`` of an SVG polyline."""

    name: str
    series: int
    points: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot: Box
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def line_chart(
    lines: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_ticks: Sequence[tuple[float, str]],
    y_ticks: Sequence[tuple[float, str]],
    width: int = 640,
    height: int = 280,
) -> LineChart:
    """Lines through (x, y) points on linear axes over ``x_range`` × ``y_range``, with labelled ticks."""
    # Room on the right for half of the last x label, which is centred on the plot's edge.
    plot = Box(left=44, top=10, right=width - 28, bottom=height - 24)

    def x_of(value: float) -> float:
        return linear(value, *x_range, plot.left, plot.right)

    def y_of(value: float) -> float:
        return linear(value, *y_range, plot.bottom, plot.top)

    return LineChart(
        width=width,
        height=height,
        plot=plot,
        lines=[
            Line(name, number, " ".join(f"{x_of(x)},{y_of(y)}" for x, y in points))
            for number, (name, points) in enumerate(lines)
        ],
        x_ticks=[Tick(x_of(value), text) for value, text in x_ticks],
        y_ticks=[Tick(y_of(value), text) for value, text in y_ticks],
    )


# A sequential ramp from a pale to the accent blue: darker means more. Its ends meet WCAG AA contrast
# with the text drawn on them (dark text on the pale half, white on the dark half).
RAMP_LOW = (0xEE, 0xF4, 0xFB)
RAMP_HIGH = (0x0B, 0x3D, 0x7A)
DARK_TEXT = "#1b1f24"
LIGHT_TEXT = "#ffffff"


def ramp_colour(fraction: float) -> str:
    """The ramp's colour at ``fraction`` (clipped to 0–1)."""
    share = min(1.0, max(0.0, fraction))
    red, green, blue = (
        round(low + (high - low) * share) for low, high in zip(RAMP_LOW, RAMP_HIGH, strict=True)
    )
    return f"#{red:02x}{green:02x}{blue:02x}"


def ramp_text_colour(fraction: float) -> str:
    return LIGHT_TEXT if fraction >= 0.5 else DARK_TEXT


@dataclass(frozen=True)
class HeatCell:
    row: int
    column: int
    x: float
    y: float
    width: float
    height: float
    fill: str
    text: str
    text_fill: str

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def text_y(self) -> float:
        return round(self.y + self.height / 2, 1)


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    plot: Box
    cells: list[HeatCell]
    row_labels: list[Tick]
    column_labels: list[Tick]
    cell_width: float
    cell_height: float


def label_cell_width(labels: Sequence[str], *, minimum: float = 44) -> float:
    """A cell width that fits the longest column label (11 px text: about 6.5 units a character)."""
    return max(minimum, max((len(label) for label in labels), default=0) * 6.5 + 8)


def heat_map(
    fractions: Sequence[Sequence[float | None]],
    texts: Sequence[Sequence[str]],
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    fills: Sequence[Sequence[str | None]] | None = None,
    cell_width: float = 44,
    cell_height: float = 26,
    label_width: float = 72,
) -> HeatMap:
    """A grid of cells, row by row: each coloured by its fraction on the ramp (or by ``fills``, for
    categories) with its text; a None fraction leaves the cell empty (no data, or not observable yet)."""
    plot = Box(
        left=label_width,
        top=18,
        right=label_width + cell_width * len(column_labels),
        bottom=18 + cell_height * len(row_labels),
    )
    cells = []
    for row, values in enumerate(fractions):
        for column, fraction in enumerate(values):
            if fraction is None:
                continue
            fill = fills[row][column] if fills is not None else None
            cells.append(
                HeatCell(
                    row=row,
                    column=column,
                    x=round(plot.left + column * cell_width, 1),
                    y=round(plot.top + row * cell_height, 1),
                    width=cell_width,
                    height=cell_height,
                    fill=fill or ramp_colour(fraction),
                    text=texts[row][column],
                    text_fill=DARK_TEXT if fill else ramp_text_colour(fraction),
                )
            )
    return HeatMap(
        width=math.ceil(plot.right + 2),
        height=math.ceil(plot.bottom + 2),
        plot=plot,
        cells=cells,
        row_labels=[
            Tick(round(plot.top + (index + 0.5) * cell_height, 1), text)
            for index, text in enumerate(row_labels)
        ],
        column_labels=[
            Tick(round(plot.left + (index + 0.5) * cell_width, 1), text)
            for index, text in enumerate(column_labels)
        ],
        cell_width=cell_width,
        cell_height=cell_height,
    )
