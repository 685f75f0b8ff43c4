"""``accord analytics refresh``: score every contact now, in the foreground, with a progress bar on stderr
and one line at the end.

    accord analytics refresh --analysis-date 2025-06-30 --horizon-weeks 52 --discount-rate 0.1 --model bgnbd

Imported by ``accord.cli`` when it builds its parser, before Django is set up: nothing Django-related is
imported at module level here.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.analytics.models import AnalyticsRun

# The purchase models a refresh may fit (``accord.analytics.scoring.MODELS``; a test keeps them in step).
MODEL_CHOICES = ("bgnbd", "paretonbd")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2025-06-30") from None


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number like 0.1") from None


def add_refresh_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--analysis-date", type=_date, metavar="DATE", help="score as of this day (default: today)"
    )
    parser.add_argument(
        "--horizon-weeks", type=int, default=52, metavar="N", help="lifetime value horizon (default: 52)"
    )
    parser.add_argument(
        "--discount-rate",
        type=_rate,
        default=0.10,
        metavar="R",
        help="yearly discount rate of future value (default: 0.10)",
    )
    parser.add_argument(
        "--model", choices=MODEL_CHOICES, default="bgnbd", help="purchase model (default: bgnbd)"
    )


def refresh_command(args: argparse.Namespace) -> int:
    """The body of ``accord analytics refresh`` (Django is set up; ``accord.cli`` turns AccordErrors into
    exit 1). Runs as Accord itself, like the other maintenance commands."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from accord.analytics.services import analytics_refresh, refresh_options
    from accord.cli import cli_actor, require_migrated

    require_migrated()
    # Checked before the bar is drawn, so bad input is one line on its own.
    refresh_options(
        analysis_date=args.analysis_date,
        horizon_weeks=args.horizon_weeks,
        annual_discount_rate=args.discount_rate,
        model=args.model,
    )
    columns = (
        TextColumn("Analysing"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("refresh", total=1.0, step="")

        def report(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done / total if total else 0.0, step=message)

        run = analytics_refresh(
            actor=cli_actor(),
            analysis_date=args.analysis_date,
            horizon_weeks=args.horizon_weeks,
            annual_discount_rate=args.discount_rate,
            model=args.model,
            progress=report,
        )
    print(summary_line(run))
    return 0


def summary_line(run: AnalyticsRun) -> str:
    parameters = run.parameters
    left_out = parameters.get("orders_in_other_currencies") or 0
    other = f"; {left_out:,} orders in other currencies left out" if left_out else ""
    return (
        f"Analysis {run.pk} as of {run.analysis_date.isoformat()}: {run.customers:,} customers scored "
        f"in {parameters.get('currency')}{other} ({run.timings.get('total', 0):.1f} s)."
    )
