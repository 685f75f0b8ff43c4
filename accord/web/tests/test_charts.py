"""The geometry of the home page's SVG charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.core.charts import CHART_WIDTH, COLUMN_AREA_HEIGHT, month_chart, short_number, stage_chart
from accord.web.selectors import MonthFigure, StageFigure


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (1000, "1k"), (12345, "12.3k"), (2_500_000, "2.5M"), (Decimal("3e9"), "3B")],
)
def test_short_number(value: int | Decimal, text: str) -> None:
    assert short_number(value) == text


def stage(label: str, amount: str, probability: int, count: int = 1) -> StageFigure:
    value = Decimal(amount)
    return StageFigure(label, probability, count, value, value * probability / 100)


def test_stage_bars_scale_to_the_largest_value_with_the_weighted_part_inside() -> None:
    chart = stage_chart([stage("Qualify", "1000", 10), stage("Propose", "4000", 50)], show_amounts=True)

    assert [bar.width for bar in chart.bars] == [CHART_WIDTH / 4, CHART_WIDTH]
    assert [bar.weighted_width for bar in chart.bars] == [8.0, CHART_WIDTH / 2]
    assert [bar.value_text for bar in chart.bars] == ["1k", "4k"]
    assert chart.height == 2 * 34


def test_stage_bars_count_deals_when_amounts_are_hidden() -> None:
    hidden = [StageFigure("Qualify", 10, 3, None, None), StageFigure("Propose", 50, 1, None, None)]

    chart = stage_chart(hidden, show_amounts=False)

    assert [bar.value_text for bar in chart.bars] == ["3", "1"]
    assert [bar.width for bar in chart.bars] == [CHART_WIDTH, round(CHART_WIDTH / 3, 1)]
    assert all(bar.weighted_width == 0 for bar in chart.bars)


def test_month_columns_rise_from_one_baseline_and_a_tiny_value_still_shows() -> None:
    months = [
        MonthFigure(dt.date(2026, 1, 1), 0, Decimal("0")),
        MonthFigure(dt.date(2026, 2, 1), 1, Decimal("1")),
        MonthFigure(dt.date(2026, 3, 1), 2, Decimal("5000")),
    ]

    chart = month_chart(months, show_amounts=True)

    assert [column.label for column in chart.columns] == ["Jan", "Feb", "Mar"]
    assert [column.height for column in chart.columns] == [0.0, 2.0, COLUMN_AREA_HEIGHT]
    assert all(column.y + column.height == chart.baseline for column in chart.columns)
    assert [column.value_text for column in chart.columns] == ["0", "1", "5k"]
