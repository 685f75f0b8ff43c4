"""The geometry of the chart primitives (``accord.core.charts``) the analytics page draws with, and the
charts built from a report: exact coordinates on small cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.analytics.charts_data import (
    alive_matrix,
    cohort_heatmap,
    display,
    forecast_chart,
    report_charts,
    rfm_map,
)
from accord.analytics.forecast import CurrencyForecast, ForecastMonth
from accord.analytics.tests.page_fixtures import sample_report
from accord.core.charts import (
    column_chart,
    heat_map,
    label_cell_width,
    line_chart,
    linear,
    nice_ceiling,
    ramp_colour,
    ramp_text_colour,
)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1.0), (0.7, 1.0), (1, 1.0), (1.2, 2.0), (2.1, 2.5), (3, 5.0), (7, 10.0), (83, 100.0), (251, 500.0)],
)
def test_axes_end_on_a_round_number(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_linear_maps_a_domain_onto_a_range_either_way_up() -> None:
    assert linear(5, 0, 10, 0, 200) == 100.0
    assert linear(0.25, 0, 1, 296, 10) == 224.5  # SVG y grows downwards: 0 at the bottom
    assert linear(3, 3, 3, 40, 80) == 40.0


def test_columns_share_one_scale_and_a_missing_value_draws_nothing() -> None:
    # Given two series over three categories, the second without a value in the middle
    chart = column_chart(["a", "b", "c"], [[10.0, 20.0, 40.0], [5.0, None, 50.0]], width=344, height=232)

    # Then the scale runs from 0 to 50 over the plot's 200 units of height (10 to 210)
    assert (chart.plot.left, chart.plot.top, chart.plot.right, chart.plot.bottom) == (44, 10, 340, 210)
    heights = [[column.height for column in group.columns] for group in chart.groups]
    assert heights == [[40.0, 20.0], [80.0], [160.0, 200.0]]
    assert all(column.y + column.height == 210 for group in chart.groups for column in group.columns)
    # each category's slot is 296 / 3 wide, the columns 80% of it side by side
    first = chart.groups[0].columns
    assert (first[0].x, first[1].x, first[0].width) == (53.9, 93.4, 39.5)
    assert [group.label_x for group in chart.groups] == [93.3, 192.0, 290.7]
    assert [tick.text for tick in chart.y_ticks] == ["0", "12.5", "25", "37.5", "50"]


def test_only_every_nth_category_is_labelled_when_asked() -> None:
    chart = column_chart([str(number) for number in range(6)], [[1.0] * 6], label_every=2)

    assert [group.show_label for group in chart.groups] == [True, False, True, False, True, False]


def test_line_points_and_ticks_are_placed_on_the_plot() -> None:
    chart = line_chart(
        [("curve", [(0.0, 0.0), (0.5, 0.75), (1.0, 1.0)])],
        x_range=(0, 1),
        y_range=(0, 1),
        x_ticks=[(0.0, "0%"), (1.0, "100%")],
        y_ticks=[(0.5, "50%")],
        width=228,
        height=234,
    )

    assert chart.lines[0].points == "44.0,210.0 122.0,60.0 200.0,10.0"
    assert [(tick.position, tick.text) for tick in chart.x_ticks] == [(44.0, "0%"), (200.0, "100%")]
    assert [(tick.position, tick.text) for tick in chart.y_ticks] == [(110.0, "50%")]


def test_the_colour_ramp_runs_from_pale_to_dark_with_legible_text() -> None:
    assert ramp_colour(0) == "#eef4fb"
    assert ramp_colour(1) == "#0b3d7a"
    assert ramp_colour(2) == "#0b3d7a"  # clipped
    assert (ramp_text_colour(0.49), ramp_text_colour(0.5)) == ("#1b1f24", "#ffffff")


def test_a_heat_map_skips_empty_cells_and_centres_each_text() -> None:
    chart = heat_map(
        [[0.0, None], [1.0, 0.5]],
        [["0", ""], ["100", "50"]],
        row_labels=["first", "second"],
        column_labels=["x", "y"],
        cell_width=40,
        cell_height=20,
        label_width=60,
    )

    assert [(cell.row, cell.column) for cell in chart.cells] == [(0, 0), (1, 0), (1, 1)]
    assert [(cell.x, cell.y, cell.text_x, cell.text_y) for cell in chart.cells] == [
        (60, 18, 80.0, 28.0),
        (60, 38, 80.0, 48.0),
        (100, 38, 120.0, 48.0),
    ]
    assert [cell.text_fill for cell in chart.cells] == ["#1b1f24", "#ffffff", "#ffffff"]
    assert (chart.width, chart.height) == (142, 60)
    assert [label.position for label in chart.row_labels] == [28.0, 48.0]
    assert label_cell_width(["0–4 weeks"]) == 9 * 6.5 + 8


# ---------------------------------------------------------------------------- charts from a report


def test_the_segment_map_puts_frequency_five_on_top_and_recency_five_on_the_right() -> None:
    chart = rfm_map(sample_report())

    cells = {(cell.row, cell.column): cell for cell in chart.drawing.cells}  # type: ignore[union-attr]
    # F 5 is row 0; R 5 is column 4: (R 5, F 5) holds 55 champions, (R 1, F 1) 11 lost customers
    assert (cells[(0, 4)].text, cells[(0, 4)].fill) == ("55", "#7fcf97")
    assert (cells[(4, 0)].text, cells[(4, 0)].fill) == ("11", "#cdd1d6")
    assert len(cells) == 7
    assert [entry.label for entry in chart.legend] == [
        "Champions",
        "Loyal",
        "New",
        "Need Attention",
        "Can't Lose Them",
        "Lost",
    ]


def test_cohort_retention_is_the_share_of_the_cohort_and_censored_periods_are_none() -> None:
    chart = cohort_heatmap(sample_report())

    assert chart.table.rows == [
        ["2026-01", 40, 1.0, 0.25, 0.2],
        ["2026-02", 20, 1.0, 0.25, None],
        ["2026-03", 8, 1.0, None, None],
    ]
    assert chart.table.display_rows[2] == ["2026-03", "8", "100.0%", "", ""]


def test_the_alive_matrix_puts_the_most_frequent_buyers_on_top() -> None:
    chart = alive_matrix(sample_report())

    assert [label.text for label in chart.drawing.row_labels] == ["3+", "1–2", "0"]  # type: ignore[union-attr]
    assert chart.table.rows[0] == ["3+", None, 0.8, 0.35]


def test_a_report_without_calibration_has_eight_charts() -> None:
    report = sample_report()
    report["calibration"] = None

    assert [chart.key for chart in report_charts(report)] == [
        "rfm-map",
        "segments",
        "lifetime-value",
        "cohorts",
        "pareto",
        "alive-matrix",
        "tiers",
        "churn",
    ]


def test_the_forecast_chart_shows_wins_to_this_month_and_the_pipeline_from_it() -> None:
    def month(number: int, won: str, weighted: str) -> ForecastMonth:
        return ForecastMonth(
            dt.date(2026, number, 1), 1, Decimal("100"), Decimal(weighted), Decimal(weighted), 1, Decimal(won)
        )

    forecast = CurrencyForecast(
        currency="EUR",
        months=[month(2, "300", "0"), month(3, "100", "50"), month(4, "0", "80")],
        late_deals=2,
        undated_deals=0,
        undated_amount=Decimal("0"),
        later_deals=0,
        later_amount=Decimal("0"),
    )

    chart = forecast_chart(forecast, dt.date(2026, 3, 1))

    series = [[column.series for column in group.columns] for group in chart.drawing.groups]  # type: ignore[union-attr]
    assert series == [[0], [0, 1, 2], [1, 2]]
    assert chart.facts == [("Late deals counted in this month", "2")]
    assert chart.table.display_rows[0] == ["Feb 2026", "1", "100.00", "0.00", "0.00", "1", "300.00"]


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (None, "money", ""),
        (1234.5, "money", "1,234.50"),
        (0.4567, "percent", "45.7%"),
        (12345, "count", "12,345"),
        (0.12345, "rate", "0.123"),
        ("Champions", "text", "Champions"),
    ],
)
def test_table_cells_are_formatted_by_their_kind(value: object, kind: str, text: str) -> None:
    assert display(value, kind) == text  # type: ignore[arg-type]
