"""``accord analytics clv|rfm|cohorts``: the customer value analysis on any transaction log, outside the CRM.

    accord analytics clv --transactions log.csv --calibration-end 2024-06-30 --out results/
    accord analytics rfm --transactions log.csv --analysis-date 2024-12-31 --out results/
    accord analytics cohorts --transactions log.csv --period week --out results/

These read a file and write files: they never set up Django nor touch a database (``accord.cli`` runs
handlers marked ``uses_database=False`` before setting Django up), so they work on a machine with nothing
but the package installed. Imported by ``accord.cli`` when it builds its parser: the engine (numpy, scipy)
is imported only when a command runs. A bad file or an unfit model prints one line on stderr naming the row
or column and exits with status 1 (docs/analytics-cli.md lists the messages).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.analytics.engine.transactions import TransactionLog

TIME_UNITS = {"days": 1, "weeks": 7}
DEFAULT_HORIZON = {"days": 365, "weeks": 52}
DAYS_PER_YEAR = 365.25


def _date(text: str) -> dt.date:
    from accord.analytics.engine.transactions import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a yearly rate between 0 and 1 (0.10 is 10%)")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 10,000")
    return value


def add_analytics_arguments(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Any]:
    """The ``analytics`` subcommands; returns their group so the CRM's own (``refresh``) can join it."""
    commands = parser.add_subparsers(dest="analytics_command", required=True, metavar="ACTION")
    clv = commands.add_parser("clv", help="fit BG/NBD or Pareto/NBD and Gamma-Gamma; score lifetime value")
    _add_file_arguments(clv)
    clv.add_argument(
        "--calibration-end",
        type=_date,
        metavar="DATE",
        help="fit on purchases to this date (default: the last)",
    )
    clv.add_argument(
        "--holdout-end",
        type=_date,
        metavar="DATE",
        help="compare predictions with purchases to this date (default: the last)",
    )
    clv.add_argument(
        "--time-unit",
        choices=sorted(TIME_UNITS),
        default="weeks",
        help="unit of recency, T and horizon (default weeks)",
    )
    clv.add_argument(
        "--model", choices=["bgnbd", "paretonbd"], default="bgnbd", help="purchase model (default bgnbd)"
    )
    clv.add_argument(
        "--horizon",
        type=_positive,
        help="lifetime value horizon in time units (default a year: 52 weeks, 365 days)",
    )
    clv.add_argument(
        "--discount-rate",
        type=_rate,
        default=0.10,
        help="yearly discount rate of lifetime value (default 0.10)",
    )
    clv.set_defaults(handler=clv_command, uses_database=False)

    rfm = commands.add_parser("rfm", help="recency, frequency, monetary scores and segments per customer")
    _add_file_arguments(rfm)
    rfm.add_argument(
        "--analysis-date", type=_date, metavar="DATE", help="as of this date (default: the last purchase's)"
    )
    rfm.add_argument(
        "--segment-rules",
        type=Path,
        metavar="FILE",
        help="JSON list of segment rules (default: the R × F map)",
    )
    rfm.set_defaults(handler=rfm_command, uses_database=False)

    cohorts = commands.add_parser("cohorts", help="retention and revenue by cohort of first purchase")
    _add_file_arguments(cohorts)
    cohorts.add_argument(
        "--analysis-date", type=_date, metavar="DATE", help="as of this date (default: the last purchase's)"
    )
    cohorts.add_argument(
        "--period", choices=["month", "week"], default="month", help="cohort period (default month)"
    )
    cohorts.set_defaults(handler=cohorts_command, uses_database=False)
    return commands


def _add_file_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--transactions", type=Path, required=True, metavar="FILE", help="CSV or whitespace-separated log"
    )
    parser.add_argument(
        "--customer-col", metavar="C", help="customer column (default: customer_id, customer, id, …)"
    )
    parser.add_argument("--date-col", metavar="D", help="date column (default: date, order_date, …)")
    parser.add_argument("--amount-col", metavar="A", help="amount column (default: amount, total, value, …)")
    parser.add_argument(
        "--no-header", action="store_true", help="the file has no header: name columns 1, 2, 3, …"
    )
    parser.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="strptime format of the dates, e.g. %%d/%%m/%%Y (default: detected)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write the results to"
    )


def _run(args: argparse.Namespace, body: Any) -> int:
    """Run a command body; expected failures are one line on stderr and status 1."""
    from accord.analytics.engine.transactions import TransactionFileError

    try:
        body(args)
    except (TransactionFileError, ValueError) as error:
        print(f"accord analytics {args.analytics_command}: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(
            f"accord analytics {args.analytics_command}: {error.filename or ''}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    return 0


def _read(args: argparse.Namespace) -> TransactionLog:
    from accord.analytics.engine.transactions import Columns, read_transactions

    columns = Columns(customer=args.customer_col, date=args.date_col, amount=args.amount_col)
    return read_transactions(
        args.transactions, columns, has_header=not args.no_header, date_format=args.date_format
    )


def _analysis_day(args: argparse.Namespace, log: TransactionLog) -> int:
    from accord.analytics.engine.transactions import day_number

    if args.analysis_date is None:
        return int(log.days.max())
    day = day_number(args.analysis_date)
    if day < log.days.min():
        raise ValueError(f"--analysis-date {args.analysis_date} comes before the first purchase")
    return day


def rfm_command(args: argparse.Namespace) -> int:
    return _run(args, _rfm)


def cohorts_command(args: argparse.Namespace) -> int:
    return _run(args, _cohorts)


def clv_command(args: argparse.Namespace) -> int:
    return _run(args, _clv)


def _rfm(args: argparse.Namespace) -> None:
    from accord.analytics import command_output as output
    from accord.analytics.engine.rfm import (
        DEFAULT_SEGMENT_RULES,
        rfm_scores,
        rfm_segments,
        rfm_values,
        rules_from_json,
    )
    from accord.analytics.engine.summary import summarise_transactions

    rules = (
        rules_from_json(args.segment_rules.read_text(encoding="utf-8"))
        if args.segment_rules
        else DEFAULT_SEGMENT_RULES
    )
    log = _read(args)
    day = _analysis_day(args, log)
    summary = summarise_transactions(
        log.customer_codes,
        log.days,
        log.amounts,
        calibration_end_day=day,
        observation_end_day=day,
        time_unit_days=1,
    )
    values = rfm_values(summary, day)
    scores = rfm_scores(values.recency_days, values.frequency, values.monetary)
    segments = rfm_segments(*scores, rules)
    args.out.mkdir(parents=True, exist_ok=True)
    output.write_rfm(args.out, log.customer_keys[summary.customers], summary, values, scores, segments, rules)
    print(
        f"rfm: {len(summary):,} customers as of {output.date_text(day)}: {args.out / 'customers.csv'}, {args.out / 'segments.csv'}"
    )


def _cohorts(args: argparse.Namespace) -> None:
    from accord.analytics import command_output as output
    from accord.analytics.engine.cohorts import cohort_table_from_transactions

    log = _read(args)
    day = _analysis_day(args, log)
    table = cohort_table_from_transactions(
        log.customer_codes, log.days, log.amounts, analysis_day=day, period=args.period
    )
    args.out.mkdir(parents=True, exist_ok=True)
    written = output.write_cohorts(args.out, table)
    print(
        f"cohorts: {len(table.cohorts):,} {args.period}ly cohorts as of {output.date_text(day)}: {', '.join(map(str, written))}"
    )


def _clv(args: argparse.Namespace) -> None:
    from accord.analytics import command_output as output
    from accord.analytics.engine.summary import summarise_transactions
    from accord.analytics.engine.transactions import day_number

    log = _read(args)
    last_day = int(log.days.max())
    if args.holdout_end is not None and args.calibration_end is None:
        raise ValueError("--holdout-end needs --calibration-end")
    calibration_end = day_number(args.calibration_end) if args.calibration_end else last_day
    holdout_end = day_number(args.holdout_end) if args.holdout_end else last_day
    if args.calibration_end is not None and not log.days.min() <= calibration_end < holdout_end:
        raise ValueError(
            f"--calibration-end {args.calibration_end} must fall on or after the first purchase and before the "
            f"holdout end {output.date_text(holdout_end)}"
        )
    unit = TIME_UNITS[args.time_unit]
    summary = summarise_transactions(
        log.customer_codes,
        log.days,
        log.amounts,
        calibration_end_day=calibration_end,
        observation_end_day=holdout_end,
        time_unit_days=unit,
    )
    if not (summary.repeat.frequency > 0).any():
        raise ValueError(
            f"none of the {len(summary):,} customers bought on more than one day by "
            f"{output.date_text(calibration_end)}: the models need repeat purchases to be fitted"
        )
    horizon = float(args.horizon or DEFAULT_HORIZON[args.time_unit])
    result = output.fit_and_score(
        summary,
        model_name=args.model,
        horizon=horizon,
        periods_per_year=DAYS_PER_YEAR / unit,
        annual_discount_rate=args.discount_rate,
        holdout_length=(holdout_end - calibration_end) / unit if args.calibration_end else None,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    output.write_clv(
        args.out,
        log,
        summary,
        result,
        settings={
            "time_unit": args.time_unit,
            "calibration_end": output.date_text(calibration_end),
            "holdout_end": output.date_text(holdout_end) if args.calibration_end else None,
            "horizon": horizon,
            "annual_discount_rate": args.discount_rate,
            "customers_left_out": int(log.customers - len(summary)),
        },
    )
    print(
        f"clv: {args.model} fitted on {len(summary):,} customers to {output.date_text(calibration_end)}: "
        f"{args.out / 'model.json'}, {args.out / 'customers.csv'}"
    )
