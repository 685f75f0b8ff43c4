#!/usr/bin/env python
"""The analytics refresh inside the CRM: 1,000,000 customers and 10,000,000 orders in the CRM's database
(issue #6 goals: the whole refresh in at most 60 s on SQLite; the BG/NBD fit at least 10× faster than the
`lifetimes` library with parameters equal to 3 significant digits), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/analytics.py --customers 1000000 --orders 10000000 --databases sqlite postgres

Each run migrates a fresh database and bulk-loads the contacts and their orders (BulkLoader: executemany on
SQLite, COPY on PostgreSQL). Purchases follow BG/NBD's own story (Fader, Hardie & Lee 2005, section 3):
each customer buys at a Gamma-distributed rate and may drop out after each purchase with a Beta-distributed
probability; a few orders are refunded, cancelled, discounted or in another currency, as in a real shop.
It then times each step of the refresh on its own (the SQL aggregation statements, each fit, scoring,
writing the scores back), the whole refresh (`analytics_refresh`, as the job and the command run it), and,
in the same run, `lifetimes` fitting BG/NBD on the same summary (benchmarks/clv_fit.py). Baseline: one
plain full read of the orders table (`SELECT COUNT(*), SUM(total)`), the least any aggregation costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import machine_description, print_result, print_table, run_accord, run_children

ANALYSIS_DATE = dt.date(2025, 6, 30)
HISTORY_DAYS = 3 * 365
# BG/NBD parameters per day: a purchase every three to four weeks on average, about one customer in
# fourteen dropping out after each purchase; tuned so that the process makes a little over ten orders per
# customer over three years, of which ``--orders`` are kept.
RATE_SHAPE, RATE_SCALE = 0.9, 1 / 22.0
DROPOUT_A, DROPOUT_B = 1.2, 16.0


def simulate_orders(customers: int, orders: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(customer index, day number) of ``orders`` purchases (or fewer, if the process makes fewer): every
    customer's first purchase, then repeat purchases drawn at random from the simulated ones."""
    rng = np.random.default_rng(seed)
    end = (ANALYSIS_DATE - dt.date(1970, 1, 1)).days
    first = end - rng.integers(1, HISTORY_DAYS, customers)
    rate = rng.gamma(RATE_SHAPE, RATE_SCALE, customers)
    dropout = rng.beta(DROPOUT_A, DROPOUT_B, customers)
    who = [np.arange(customers)]
    when = [first]
    now = first.astype(np.float64)
    alive = np.ones(customers, dtype=bool)
    # One round per purchase number, over whole arrays: the customers still buying move on together.
    while alive.any():
        alive &= rng.random(customers) >= dropout
        now = now + rng.exponential(1.0, customers) / np.maximum(rate, 1e-9)
        alive &= now < end
        who.append(np.flatnonzero(alive))
        when.append(now[alive].astype(np.int64))
    customer = np.concatenate(who)
    day = np.concatenate(when)
    repeats = np.arange(customers, len(customer))
    if len(customer) > orders:
        kept = rng.choice(repeats, size=max(orders - customers, 0), replace=False)
        chosen = np.concatenate([np.arange(customers), kept])
        customer, day = customer[chosen], day[chosen]
    by_time = np.argsort(day, kind="stable")  # a shop's orders arrive in time order
    return customer[by_time], day[by_time]


def load(customers: int, orders: int, seed: int) -> dict[str, float]:
    from accord.customers.models import Contact
    from accord.demo.loader import BulkLoader, chunks
    from accord.sales.models import Order

    rng = np.random.default_rng(seed + 1)
    started = time.perf_counter()
    customer, day = simulate_orders(customers, orders, seed)
    simulated = time.perf_counter() - started
    loader = BulkLoader(out=io.StringIO())
    started = time.perf_counter()
    with loader.session():
        with loader.table(Contact, rows=customers) as table:
            first_contact = table.first_id
            for rows in chunks(customers):
                size = rows.stop - rows.start
                table.write(
                    size,
                    {"given_name": "Customer", "family_name": [f"{i}" for i in range(rows.start, rows.stop)]},
                )
        count = len(customer)
        seconds = day * 86400 + rng.integers(8 * 3600, 22 * 3600, count)
        # Gamma-Gamma spend (Fader, Hardie & Lee 2005b): each customer's own mean spend, about 80 on average
        spend_scale = 1 / rng.gamma(4.0, 1 / 40.0, customers)
        cents = np.round(np.maximum(rng.gamma(6.0, spend_scale[customer]), 1.0) * 100).astype(np.int64)
        discount = np.where(rng.random(count) < 0.1, cents // 10, 0)
        status = rng.choice(np.array(["paid", "refunded", "cancelled"]), size=count, p=[0.95, 0.03, 0.02])
        currency = np.where(rng.random(count) < 0.02, "USD", "EUR")
        with loader.table(Order, rows=count) as table:
            for rows in chunks(count):
                moments = loader.datetimes(seconds[rows])
                table.write(
                    rows.stop - rows.start,
                    {
                        "number": [f"SO-{i:09d}" for i in range(rows.start, rows.stop)],
                        "contact_id": (customer[rows] + first_contact).tolist(),
                        "ordered_at": moments,
                        "created_at": moments,
                        "updated_at": moments,
                        "status": status[rows].tolist(),
                        "currency": currency[rows].tolist(),
                        "subtotal": loader.money(cents[rows] + discount[rows]),
                        "discount_total": loader.money(discount[rows]),
                        "total": loader.money(cents[rows]),
                    },
                )
    loader.optimize()
    return {"simulate": simulated, "load": time.perf_counter() - started, "orders": float(count)}


def timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_child(database: str, customers: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    run_accord(["migrate"], env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.db import connection, transaction

    from accord.analytics import aggregation, scoring
    from accord.analytics.engine.bgnbd import fit_bgnbd
    from accord.analytics.engine.gammagamma import fit_gammagamma
    from accord.analytics.engine.paretonbd import fit_paretonbd
    from accord.analytics.services import _Steps, _write_scores, analytics_refresh, calibration_end_for
    from accord.core.actors import SYSTEM
    from benchmarks.clv_fit import compare_with_lifetimes

    loaded = load(customers, args.orders, args.seed)
    row = {"database": database, "customers": customers, "orders": int(loaded["orders"])}

    def result(operation: str, seconds: float, **extra: Any) -> None:
        print_result({**row, "operation": operation, "seconds": seconds, **extra})

    result("bulk load (contacts and orders)", loaded["load"])

    def full_read() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(total) FROM sales_order")
            cursor.fetchall()

    result("baseline: one full read of the orders", timed(full_read)[0], baseline=True)
    seconds, currency = timed(lambda: aggregation.choose_currency(ANALYSIS_DATE))
    result("SQL: currency counts", seconds)
    first_day = aggregation.first_purchase_day(analysis_date=ANALYSIS_DATE, currency=currency.currency)
    calibration_end = calibration_end_for(first_day, ANALYSIS_DATE)
    with ExitStack() as stack:
        # As the refresh reads them: grouped by contact and day once (a temporary table on SQLite)
        seconds, days = timed(
            lambda: stack.enter_context(
                aggregation.contact_days(analysis_date=ANALYSIS_DATE, currency=currency.currency)
            )
        )
        result("SQL: orders grouped by contact and day", seconds)
        seconds, purchases = timed(
            lambda: aggregation.purchases(
                analysis_date=ANALYSIS_DATE,
                currency=currency.currency,
                calibration_end=calibration_end,
                days=days,
            )
        )
        result("SQL: purchases per contact (one GROUP BY)", seconds, rows=len(purchases))
        seconds, _ = timed(
            lambda: aggregation.cohort_counts(
                analysis_date=ANALYSIS_DATE, currency=currency.currency, days=days
            )
        )
        result("SQL: cohort cells", seconds)
        if calibration_end is not None:
            seconds, _ = timed(
                lambda: aggregation.holdout_weekly(
                    calibration_end=calibration_end,
                    analysis_date=ANALYSIS_DATE,
                    currency=currency.currency,
                    days=days,
                )
            )
            result("SQL: holdout weeks", seconds)
    seconds, _ = timed(
        lambda: aggregation.support_costs(analysis_date=ANALYSIS_DATE, cost_by_channel={"phone": 6.0})
    )
    result("SQL: support costs", seconds)
    end_day = aggregation.day_number(ANALYSIS_DATE)
    repeat = scoring.RepeatArrays.of(
        purchases.purchase_days, purchases.first_day, purchases.last_day, end_day
    )
    seconds, bgnbd = timed(lambda: fit_bgnbd(repeat.frequency, repeat.recency, repeat.age))
    result("fit BG/NBD", seconds, params=bgnbd.params)
    seconds, pareto = timed(lambda: fit_paretonbd(repeat.frequency, repeat.recency, repeat.age))
    result("fit Pareto/NBD", seconds, params=pareto.params)
    repeaters = repeat.frequency > 0
    seconds, spend = timed(
        lambda: fit_gammagamma(repeat.frequency[repeaters], purchases.repeat_spend[repeaters])
    )
    result("fit Gamma-Gamma (repeat buyers)", seconds, params=spend.params)
    seconds, scores = timed(
        lambda: scoring.score(
            purchases,
            analysis_date=ANALYSIS_DATE,
            model="bgnbd",
            horizon_weeks=52,
            annual_discount_rate=0.1,
            support_cost=np.zeros(len(purchases)),
            currency=currency.currency,
        )
    )
    result("fits and scoring of every customer", seconds)
    from accord.analytics.models import AnalyticsRun

    run = AnalyticsRun.objects.create(analysis_date=ANALYSIS_DATE)

    def write() -> None:
        with transaction.atomic():
            _write_scores(run, scores, _Steps(None))

    result("write the scores back (one transaction)", timed(write)[0])
    seconds, refreshed = timed(lambda: analytics_refresh(actor=SYSTEM, analysis_date=ANALYSIS_DATE))
    result("whole refresh (analytics_refresh)", seconds, steps=refreshed.timings)
    comparison = compare_with_lifetimes(repeat.frequency, repeat.recency, repeat.age)
    result(
        "lifetimes: fit BG/NBD on the same summary",
        float(comparison["lifetimes_seconds"]),
        comparison=comparison,
    )


def report(rows: list[dict[str, Any]]) -> None:
    table = []
    for row in rows:
        baseline = next(
            other["seconds"]
            for other in rows
            if other.get("baseline")
            and other["database"] == row["database"]
            and other["customers"] == row["customers"]
        )
        detail = ""
        if "params" in row:
            detail = ", ".join(f"{name} {value:.4g}" for name, value in row["params"].items())
        elif "steps" in row:
            detail = ", ".join(f"{name} {value:.1f}" for name, value in row["steps"].items())
        elif "comparison" in row:
            comparison = row["comparison"]
            detail = (
                f"ours {comparison['accord_seconds']:.2f} s: {comparison['speed_ratio']:.0f}× faster; parameters equal "
                f"to 3 significant digits: {'yes' if comparison['equal_to_3_significant_digits'] else 'NO'}"
            )
        elif "rows" in row:
            detail = f"{row['rows']:,} contacts"
        table.append(
            [
                row["database"],
                f"{row['customers']:,}",
                f"{row['orders']:,}",
                row["operation"],
                f"{row['seconds']:.2f}",
                f"{row['seconds'] / baseline:.1f}×" if baseline else "–",
                detail,
            ]
        )
    print()
    print(f"Machine: {machine_description()}; analysis date {ANALYSIS_DATE}, 52-week horizon, BG/NBD.")
    print_table(
        "Analytics refresh",
        ["database", "customers", "orders", "operation", "seconds", "vs full read", "detail"],
        table,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.size, args)
        return 0
    rows = run_children(
        Path(__file__).resolve(),
        args.databases,
        [args.customers],
        ["--orders", str(args.orders), "--seed", str(args.seed)],
    )
    if rows is None:
        return 1
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
