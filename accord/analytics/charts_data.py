"""The analytics page's charts, each with the table behind it, from a run's report (``report.py``) and
the pipeline forecast.

A ``Chart`` is what one figure on the page needs: its drawing (geometry from ``accord.core.charts``), a
title and a description for the SVG's accessible name, and the table of the same numbers, which is also
what its CSV export writes (``csv`` when the download carries more detail than the table on screen, as the
cohort table's counts and revenue). No database access here: the views hand in what the selectors read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from accord.analytics.forecast import CurrencyForecast, Forecast
from accord.analytics.models import ChurnRisk, RfmSegment, ValueTier
from accord.analytics.report import AnalyticsReport, Calibration
from accord.core.charts import (
    ColumnChart,
    HeatMap,
    LineChart,
    column_chart,
    heat_map,
    label_cell_width,
    line_chart,
    nice_ceiling,
    short_number,
    tick_number,
    value_ticks,
)

Kind = Literal["text", "count", "money", "percent", "rate", "number"]
Drawing = ColumnChart | HeatMap | LineChart


@dataclass(frozen=True)
class TableColumn:
    heading: str
    kind: Kind = "text"


def display(value: Any, kind: Kind) -> str:
    """A table cell as the page shows it (the CSV keeps the plain value)."""
    if value is None:
        return ""
    if kind == "count":
        return f"{int(value):,}"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "rate":
        return f"{float(value):.3f}"
    if kind == "number":
        return f"{float(value):,.2f}"
    return str(value)


@dataclass(frozen=True)
class DataTable:
    caption: str
    columns: list[TableColumn]
    rows: list[list[Any]]
    row_headers: bool = True  # the first column names the row

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    @property
    def display_rows(self) -> list[list[str]]:
        return [
            [display(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str = ""  # a fill colour, or empty when ``series`` names the CSS class
    series: int = 0


@dataclass(frozen=True)
class Chart:
    key: str  # the ?chart= of its CSV export and the id of its figure
    title: str
    description: str  # what the chart shows and how to read it, for the SVG's <desc> and the caption
    kind: Literal["columns", "heatmap", "lines", "table"]
    drawing: Drawing | None
    table: DataTable
    legend: list[LegendEntry] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # key figures written beside the chart
    csv: DataTable | None = None
    diagonal: bool = False  # the Lorenz curve's line of equality

    @property
    def export(self) -> DataTable:
        return self.csv or self.table


# Pale colours (dark text on each meets WCAG AA), from thriving (greens) through drifting (yellows, oranges)
# to gone (greys), so that the map reads at a glance.
SEGMENT_COLOURS: dict[str, str] = {
    RfmSegment.CHAMPIONS: "#7fcf97",
    RfmSegment.LOYAL: "#a9dfa0",
    RfmSegment.POTENTIAL_LOYALIST: "#cdeab0",
    RfmSegment.NEW: "#b7def0",
    RfmSegment.PROMISING: "#d6eaf6",
    RfmSegment.NEED_ATTENTION: "#fbe6a2",
    RfmSegment.ABOUT_TO_SLEEP: "#f9cf8c",
    RfmSegment.AT_RISK: "#f5ad96",
    RfmSegment.CANT_LOSE: "#ee9090",
    RfmSegment.HIBERNATING: "#d8d2e8",
    RfmSegment.LOST: "#cdd1d6",
}
SEGMENT_LABELS: dict[str, str] = dict(RfmSegment.choices)


def segment_label(value: str) -> str:
    return SEGMENT_LABELS.get(value, value.replace("_", " ").capitalize())


def rfm_map(report: AnalyticsReport) -> Chart:
    """The 5 × 5 map: recency score across (1 = long ago … 5 = recent), frequency score up (5 at the
    top), each cell coloured by its segment and showing its number of customers."""
    cells = {(cell["frequency_score"], cell["recency_score"]): cell for cell in report["rfm_grid"]}
    frequencies = [5, 4, 3, 2, 1]
    recencies = [1, 2, 3, 4, 5]
    fractions: list[list[float | None]] = []
    texts: list[list[str]] = []
    fills: list[list[str | None]] = []
    for frequency in frequencies:
        fractions.append([1.0 if (frequency, recency) in cells else None for recency in recencies])
        texts.append(
            [
                f"{cells[(frequency, recency)]['customers']:,}" if (frequency, recency) in cells else ""
                for recency in recencies
            ]
        )
        fills.append(
            [
                SEGMENT_COLOURS.get(cells[(frequency, recency)]["segment"], "#e6e9ed")
                if (frequency, recency) in cells
                else None
                for recency in recencies
            ]
        )
    drawing = heat_map(
        fractions,
        texts,
        row_labels=[f"F {score}" for score in frequencies],
        column_labels=[f"R {score}" for score in recencies],
        fills=fills,
        cell_width=64,
        cell_height=40,
        label_width=40,
    )
    present = {cell["segment"] for cell in report["rfm_grid"]}
    rows = [
        [
            cell["recency_score"],
            cell["frequency_score"],
            segment_label(cell["segment"]),
            cell["customers"],
            cell["revenue"],
        ]
        for cell in sorted(
            report["rfm_grid"], key=lambda cell: (-cell["frequency_score"], cell["recency_score"])
        )
    ]
    return Chart(
        key="rfm-map",
        title="Recency × frequency segment map",
        description=(
            "Each cell holds the customers with one recency score (across: 1 bought long ago, 5 bought "
            "recently) and one frequency score (up: 5 buy most often), coloured by their segment."
        ),
        kind="heatmap",
        drawing=drawing,
        table=DataTable(
            "Customers per recency and frequency score",
            [
                TableColumn("Recency score", "count"),
                TableColumn("Frequency score", "count"),
                TableColumn("Segment"),
                TableColumn("Customers", "count"),
                TableColumn(f"Revenue ({report['currency']})", "money"),
            ],
            rows,
            row_headers=False,
        ),
        legend=[
            LegendEntry(label, colour=SEGMENT_COLOURS[value])
            for value, label in RfmSegment.choices
            if value in present
        ],
    )


def segment_summary(report: AnalyticsReport) -> Chart:
    currency = report["currency"]
    return Chart(
        key="segments",
        title="Segments",
        description="Customers, revenue to date and expected lifetime value of each RFM segment.",
        kind="table",
        drawing=None,
        table=DataTable(
            "Segments",
            [
                TableColumn("Segment"),
                TableColumn("Customers", "count"),
                TableColumn(f"Revenue ({currency})", "money"),
                TableColumn(f"Lifetime value ({currency})", "money"),
            ],
            [
                [segment_label(row["segment"]), row["customers"], row["revenue"], row["lifetime_value"]]
                for row in report["segments"]
            ],
        ),
    )


def value_distribution(report: AnalyticsReport) -> Chart:
    histogram = report["value_distribution"]
    edges, counts = histogram["edges"], histogram["counts"]
    labels = [
        f"{short_number(edges[index])}–{short_number(edges[index + 1])}" for index in range(len(counts))
    ]
    return Chart(
        key="lifetime-value",
        title="Lifetime value distribution",
        description=(
            f"How many customers have a predicted lifetime value ({report['currency']}, discounted) in each "
            "range: most customers are worth little, a few are worth a lot."
        ),
        kind="columns",
        drawing=column_chart(
            labels, [[float(count) for count in counts]], label_every=max(1, len(labels) // 8)
        ),
        table=DataTable(
            "Customers by lifetime value",
            [
                TableColumn(f"From ({report['currency']})", "money"),
                TableColumn(f"To ({report['currency']})", "money"),
                TableColumn("Customers", "count"),
            ],
            [[edges[index], edges[index + 1], count] for index, count in enumerate(counts)],
        ),
    )


def cohort_heatmap(report: AnalyticsReport) -> Chart:
    """Retention by cohort (rows) and period since the first purchase (columns); periods not yet
    observable are blank, not zero."""
    cohorts = report["cohorts"]
    rows = cohorts["rows"]
    unit = cohorts["period"]
    periods = max((len(row["active"]) for row in rows), default=0)
    retention: list[list[float | None]] = [
        [
            row["active"][k] / row["size"] if k < len(row["active"]) and row["size"] else None
            for k in range(periods)
        ]
        for row in rows
    ]
    texts = [[f"{value * 100:.0f}" if value is not None else "" for value in values] for values in retention]
    drawing = heat_map(
        retention,
        texts,
        row_labels=[row["cohort"] for row in rows],
        column_labels=[str(k) for k in range(periods)],
        cell_width=34,
        cell_height=24,
        label_width=76,
    )
    table = DataTable(
        f"Share of each cohort buying in each {unit} after its first",
        [TableColumn("Cohort"), TableColumn("Customers", "count")]
        + [TableColumn(f"{unit.capitalize()} {k}", "percent") for k in range(periods)],
        [[row["cohort"], row["size"], *values] for row, values in zip(rows, retention, strict=True)],
    )
    csv = DataTable(
        "Cohorts",
        [
            TableColumn("Cohort"),
            TableColumn("Customers", "count"),
            TableColumn(unit.capitalize(), "count"),
            TableColumn("Active customers", "count"),
            TableColumn("Retention", "rate"),
            TableColumn(f"Revenue ({report['currency']})", "money"),
        ],
        [
            [
                row["cohort"],
                row["size"],
                k,
                active,
                round(active / row["size"], 4) if row["size"] else None,
                row["revenue"][k],
            ]
            for row in rows
            for k, active in enumerate(row["active"])
        ],
    )
    return Chart(
        key="cohorts",
        title="Cohort retention",
        description=(
            f"Each row is the customers whose first purchase fell in one {unit}; each column the {unit}s "
            f"since then; a cell is the percentage of the cohort that bought in that {unit}. Blank cells lie "
            "after the analysis date."
        ),
        kind="heatmap",
        drawing=drawing,
        table=table,
        csv=csv,
    )


def pareto_curve(report: AnalyticsReport) -> Chart:
    concentration = report["concentration"]
    points = [(float(x), float(y)) for x, y in concentration["lorenz"]]
    # The Lorenz curve sorts customers from the smallest; the Pareto reading ("the top 20% make …") is
    # the same curve read from the right, so the chart plots the share of customers from the largest.
    top_first = sorted({(round(1 - x, 6), round(1 - y, 6)) for x, y in points})
    ticks = [(value, f"{value * 100:.0f}%") for value in (0, 0.2, 0.4, 0.6, 0.8, 1.0)]
    drawing = line_chart(
        [("Share of revenue", top_first)],
        x_range=(0, 1),
        y_range=(0, 1),
        x_ticks=ticks,
        y_ticks=ticks,
        width=420,
        height=320,
    )
    return Chart(
        key="pareto",
        title="Pareto curve: revenue concentration",
        description=(
            "Customers from the largest to the smallest (across) against the share of revenue they make "
            "together (up). The further the curve bows above the diagonal, the more revenue rests on few "
            "customers."
        ),
        kind="lines",
        drawing=drawing,
        diagonal=True,
        facts=[
            ("Top 20% of customers make", display(concentration["top_20_percent_share"], "percent")),
            (
                "80% of revenue comes from",
                f"{display(concentration['customer_share_for_80_percent'], 'percent')} of customers",
            ),
            ("Gini coefficient", f"{concentration['gini']:.3f}"),
        ],
        table=DataTable(
            "Lorenz curve (customers from the smallest)",
            [TableColumn("Share of customers", "rate"), TableColumn("Share of revenue", "rate")],
            [[x, y] for x, y in points],
        ),
    )


def alive_matrix(report: AnalyticsReport) -> Chart:
    matrix = report["alive_matrix"]
    # Most frequent buyers at the top, as on the segment map.
    order = list(range(len(matrix["frequency_labels"])))[::-1]
    cells = [matrix["cells"][index] for index in order]
    drawing = heat_map(
        cells,
        [[f"{value * 100:.0f}" if value is not None else "" for value in row] for row in cells],
        row_labels=[matrix["frequency_labels"][index] for index in order],
        column_labels=matrix["recency_labels"],
        cell_width=label_cell_width(matrix["recency_labels"], minimum=48),
        cell_height=26,
        label_width=56,
    )
    return Chart(
        key="alive-matrix",
        title="Probability alive by frequency and recency",
        description=(
            "The mean probability (in %) that customers with this many repeat purchases (up) and this "
            "recency (across: how long after their first purchase they last bought) still buy. Frequent "
            "buyers who have not bought for a long time are the likeliest to be gone."
        ),
        kind="heatmap",
        drawing=drawing,
        table=DataTable(
            "Mean probability alive",
            [TableColumn("Repeat purchases")]
            + [TableColumn(label, "percent") for label in matrix["recency_labels"]],
            [[matrix["frequency_labels"][index], *matrix["cells"][index]] for index in order],
        ),
    )


def calibration_bars(calibration: Calibration) -> Chart:
    rows = calibration["rows"]
    return Chart(
        key="calibration",
        title="Calibration against the holdout",
        description=(
            f"The purchase model was fitted on orders to {calibration['calibration_end']} and asked to "
            f"predict the repeat purchases to {calibration['holdout_end']}: for customers grouped by their "
            "repeat purchases before the holdout (across), the mean purchases predicted and actually made in "
            "it (up). Bars of equal height mean the model predicts well."
        ),
        kind="columns",
        drawing=column_chart(
            [row["frequency"] for row in rows],
            [[row["predicted"] for row in rows], [row["actual"] for row in rows]],
        ),
        legend=[LegendEntry("Predicted", series=0), LegendEntry("Actual", series=1)],
        facts=[
            ("Predicted repeat purchases in the holdout", f"{calibration['predicted_total']:,.0f}"),
            ("Actual", f"{calibration['actual_total']:,.0f}"),
        ],
        table=DataTable(
            "Mean repeat purchases in the holdout",
            [
                TableColumn("Repeat purchases before"),
                TableColumn("Customers", "count"),
                TableColumn("Predicted", "number"),
                TableColumn("Actual", "number"),
            ],
            [[row["frequency"], row["customers"], row["predicted"], row["actual"]] for row in rows],
        ),
    )


def calibration_weekly(calibration: Calibration) -> Chart:
    weeks = calibration["weekly"]
    top = max((max(predicted, actual) for _, predicted, actual in weeks), default=0.0)
    ceiling = nice_ceiling(top)
    step = max(1, len(weeks) // 6)
    drawing = line_chart(
        [
            ("Predicted", [(float(index), predicted) for index, (_, predicted, _) in enumerate(weeks)]),
            ("Actual", [(float(index), actual) for index, (_, _, actual) in enumerate(weeks)]),
        ],
        x_range=(0, max(1, len(weeks) - 1)),
        y_range=(0, ceiling),
        x_ticks=[(float(index), weeks[index][0]) for index in range(0, len(weeks), step)],
        y_ticks=[(value, tick_number(value)) for value in value_ticks(ceiling)],
    )
    return Chart(
        key="calibration-weekly",
        title="Cumulative repeat purchases, predicted and actual",
        description=(
            "Week by week through the holdout, the repeat purchases the model predicted and those made, "
            "added up. Lines that stay together mean the model tracks the pace of buying."
        ),
        kind="lines",
        drawing=drawing,
        legend=[LegendEntry("Predicted", series=0), LegendEntry("Actual", series=1)],
        table=DataTable(
            "Cumulative repeat purchases by week",
            [
                TableColumn("Week starting"),
                TableColumn("Predicted", "number"),
                TableColumn("Actual", "number"),
            ],
            [[week, predicted, actual] for week, predicted, actual in weeks],
        ),
    )


def tier_summary(report: AnalyticsReport) -> Chart:
    currency = report["currency"]
    labels = dict(ValueTier.choices)
    return Chart(
        key="tiers",
        title="Customer value tiers",
        description=report["tier_rule"],
        kind="table",
        drawing=None,
        table=DataTable(
            "Customers by value tier",
            [
                TableColumn("Tier"),
                TableColumn("Customers", "count"),
                TableColumn(f"Lifetime value ({currency})", "money"),
                TableColumn(f"Cost to serve ({currency})", "money"),
                TableColumn(f"Profitability ({currency})", "money"),
            ],
            [
                [
                    labels.get(row["tier"], row["tier"]),
                    row["customers"],
                    row["lifetime_value"],
                    row["cost_to_serve"],
                    row["profitability"],
                ]
                for row in report["tiers"]
            ],
        ),
    )


def churn_summary(report: AnalyticsReport) -> Chart:
    labels = dict(ChurnRisk.choices)
    return Chart(
        key="churn",
        title="Churn risk",
        description="Customers by churn risk, with the value at stake: what they are expected to be worth if they stay.",
        kind="table",
        drawing=None,
        table=DataTable(
            "Customers by churn risk",
            [
                TableColumn("Risk"),
                TableColumn("Customers", "count"),
                TableColumn(f"Value at stake ({report['currency']})", "money"),
            ],
            [
                [labels.get(row["risk"], row["risk"]), row["customers"], row["value_at_stake"]]
                for row in report["churn"]
            ],
        ),
    )


def report_charts(report: AnalyticsReport) -> list[Chart]:
    """Every chart of a run's report, in page order."""
    charts = [
        rfm_map(report),
        segment_summary(report),
        value_distribution(report),
        cohort_heatmap(report),
        pareto_curve(report),
        alive_matrix(report),
    ]
    if report["calibration"] is not None:
        charts += [calibration_bars(report["calibration"]), calibration_weekly(report["calibration"])]
    charts += [tier_summary(report), churn_summary(report)]
    return charts


# ---------------------------------------------------------------------------- the forecast


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def forecast_chart(forecast: CurrencyForecast, current_month: dt.date) -> Chart:
    """Columns by month: won (the past and the current month), and the open pipeline weighted by stage
    probability and by historical win rate (the current month on)."""
    months = forecast.months
    won = [float(month.won_amount) if month.month <= current_month else None for month in months]
    by_probability = [
        float(month.weighted_by_probability) if month.month >= current_month else None for month in months
    ]
    by_rate = [
        float(month.weighted_by_win_rate) if month.month >= current_month else None for month in months
    ]
    currency = forecast.currency
    return Chart(
        key=f"forecast-{currency.lower()}" if currency else "forecast",
        title=f"Forecast ({currency})",
        description=(
            "Per month: the value of deals won (up to this month), and the open deals expected to close, "
            "weighted by their stage's probability and by the historical win rate of their stage and owner."
        ),
        kind="columns",
        drawing=column_chart(
            [month.month.strftime("%b") for month in months], [won, by_probability, by_rate]
        ),
        legend=[
            LegendEntry("Won", series=0),
            LegendEntry("Weighted by stage probability", series=1),
            LegendEntry("Weighted by win rate", series=2),
        ],
        facts=_forecast_facts(forecast),
        table=DataTable(
            f"Forecast by month ({currency})",
            [
                TableColumn("Month"),
                TableColumn("Open deals", "count"),
                TableColumn(f"Open value ({currency})", "money"),
                TableColumn(f"Weighted by stage probability ({currency})", "money"),
                TableColumn(f"Weighted by win rate ({currency})", "money"),
                TableColumn("Deals won", "count"),
                TableColumn(f"Won ({currency})", "money"),
            ],
            [
                [
                    month_label(month.month),
                    month.open_deals,
                    month.open_amount,
                    month.weighted_by_probability,
                    month.weighted_by_win_rate,
                    month.won_deals,
                    month.won_amount,
                ]
                for month in months
            ],
        ),
    )


def _forecast_facts(forecast: CurrencyForecast) -> list[tuple[str, str]]:
    facts = []
    if forecast.late_deals:
        facts.append(("Late deals counted in this month", f"{forecast.late_deals:,}"))
    if forecast.undated_deals:
        facts.append(
            (
                "Open deals without a close date (in no month)",
                f"{forecast.undated_deals:,} · {forecast.undated_amount:,.2f}",
            )
        )
    if forecast.later_deals:
        facts.append(
            ("Open deals expected later", f"{forecast.later_deals:,} · {forecast.later_amount:,.2f}")
        )
    return facts


def win_rate_table(forecast: Forecast) -> Chart:
    return Chart(
        key="win-rates",
        title="Historical win rates by stage",
        description=(
            "Of the closed deals that were ever in each stage, the share that were won, beside the stage's "
            "configured probability. Each owner's rate is pulled towards the stage's rate until they have "
            "closed enough deals of their own (the prior strength, in deals)."
        ),
        kind="table",
        drawing=None,
        table=DataTable(
            "Win rates by stage",
            [
                TableColumn("Stage"),
                TableColumn("Probability", "percent"),
                TableColumn("Closed deals", "count"),
                TableColumn("Won", "count"),
                TableColumn("Win rate", "percent"),
                TableColumn("Owners", "count"),
                TableColumn("Prior strength (deals)", "number"),
            ],
            [
                [
                    stage.label,
                    stage.probability / 100,
                    stage.closed_deals,
                    stage.won_deals,
                    stage.win_rate,
                    stage.owners,
                    stage.prior_strength,
                ]
                for stage in forecast.stages
            ],
        ),
    )


def forecast_charts(forecast: Forecast) -> list[Chart]:
    return [forecast_chart(currency, forecast.current_month) for currency in forecast.currencies] + [
        win_rate_table(forecast)
    ]


def find_chart(charts: Sequence[Chart], key: str) -> Chart | None:
    return next((chart for chart in charts if chart.key == key), None)
