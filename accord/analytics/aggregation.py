"""The per-contact arrays the engine works on, aggregated by the database (never a Python loop over orders).

Each array comes from one SQL statement over ``sales_order`` (and, for support costs, the interactions),
read straight into numpy. Conventions, the same on SQLite and PostgreSQL:

- A *day* is a calendar day in UTC (SQLite cannot convert to a named time zone in SQL; a day shifts by
  the zone's offset at most, which moves no purchase across weeks or months in a way the models notice).
- Orders count up to and including the analysis date; only paid orders of a contact are purchases, and
  only those in the run's currency (orders in others are counted and reported, not converted).
- Same-day orders of a contact make one transaction, as in the literature (Fader, Hardie & Lee 2005,
  section 2; the CDNOW summaries), so the statements group by contact and day first.
- Days are numbered from 1970-01-01 so that the engine gets plain integers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from accord.activities.models import Interaction, InteractionContact
from accord.sales.models import Order

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
EPOCH = dt.date(1970, 1, 1)
# Rows read per fetchmany: large enough that the per-call cost vanishes, small enough that the Python
# tuples of one chunk stay a few megabytes (measured in benchmarks/analytics.py against fetchall).
FETCH_ROWS = 50_000


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True)
class Dialect:
    """The few expressions that differ between SQLite and PostgreSQL."""

    day: str  # the UTC day of ``o.ordered_at``, as a value that sorts and compares chronologically
    month_of_day: str  # the month of a value of ``day`` (a column named ``day``), sorting the same way
    vendor: str
    # Read the whole orders table in storage order: SQLite otherwise walks the (contact, ordered_at) index
    # for "contact_id IS NOT NULL" and looks every order up by rowid, which took twice as long as the scan
    # and saved no sort (the grouping is by contact and day). PostgreSQL chooses a sequential scan itself.
    full_scan: str

    def day_number(self, expression: str) -> str:
        """Days since 1970-01-01 of a value of ``day``."""
        if self.vendor == "postgresql":
            return f"({expression} - DATE '1970-01-01')"
        # julianday('1970-01-01') is 2440587.5: a date's julian day minus that is a whole number
        return f"CAST(julianday({expression}) - 2440587.5 AS INTEGER)"

    def day_text(self, expression: str) -> str:
        """A value of ``day`` as 'YYYY-MM-DD' text."""
        return f"to_char({expression}, 'YYYY-MM-DD')" if self.vendor == "postgresql" else expression

    def day_value(self, day: dt.date) -> Any:
        """A parameter comparable with ``day``."""
        return day if self.vendor == "postgresql" else day.isoformat()


def dialect() -> Dialect:
    if connection.vendor == "postgresql":
        utc = "(o.ordered_at AT TIME ZONE 'UTC')"
        return Dialect(
            day=f"CAST({utc} AS DATE)",
            month_of_day="CAST(date_trunc('month', day) AS DATE)",
            vendor="postgresql",
            full_scan="",
        )
    # Django stores aware datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    return Dialect(
        day="substr(o.ordered_at, 1, 10)",
        month_of_day="substr(day, 1, 7)",
        vendor="sqlite",
        full_scan="NOT INDEXED",
    )


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _end_of(day: dt.date) -> Any:
    """The first instant after ``day`` (UTC), as the database compares ``ordered_at``."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return connection.ops.adapt_datetimefield_value(moment)


def read_arrays(sql: str, params: Sequence[Any], dtypes: Sequence[str]) -> list[NDArray[Any]]:
    """Run ``sql`` and return one array per column, filled chunk by chunk from ``fetchmany``. NULLs
    become 0 (integer columns) or NaN (float columns)."""
    blocks: list[NDArray[np.float64]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(FETCH_ROWS):
            # One float array per chunk (None becomes NaN; ids and counts are far below 2**53, so exact):
            # faster than an object array converted column by column, or np.fromiter per column.
            blocks.append(np.array(rows, dtype=np.float64).reshape(len(rows), len(dtypes)))
    table = np.concatenate(blocks) if blocks else np.empty((0, len(dtypes)))
    return [
        np.nan_to_num(table[:, index], nan=0.0).astype(np.int64)
        if dtype == "int64"
        else table[:, index].copy()
        for index, dtype in enumerate(dtypes)
    ]


# ---------------------------------------------------------------- currency


@dataclass(frozen=True)
class CurrencyChoice:
    currency: str
    orders: int  # paid orders of contacts in that currency to the analysis date
    left_out: int  # paid orders of contacts in other currencies, not analysed
    by_currency: dict[str, int]


def choose_currency(analysis_date: dt.date, preferred: str = "") -> CurrencyChoice:
    """The run's currency: ``preferred`` when given, else the one most paid orders use (ties: the
    alphabetically first, so a rerun chooses the same)."""
    sql = (
        f"SELECT o.currency, COUNT(*) FROM {_table(Order)} o {dialect().full_scan} "
        "WHERE o.status = 'paid' AND o.contact_id IS NOT NULL AND o.ordered_at < %s GROUP BY o.currency"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_end_of(analysis_date)])
        counts = {str(currency): int(count) for currency, count in cursor.fetchall()}
    currency = preferred or (min(counts, key=lambda code: (-counts[code], code)) if counts else "")
    orders = counts.get(currency, 0)
    return CurrencyChoice(
        currency=currency, orders=orders, left_out=sum(counts.values()) - orders, by_currency=counts
    )


# ---------------------------------------------------------------- purchases


def first_purchase_day(*, analysis_date: dt.date, currency: str) -> int:
    """The day number of the earliest paid order of a contact in ``currency`` (read along the
    ``ordered_at`` index, so it stops at the first match); the analysis date's when there is none."""
    sql_dialect = dialect()
    sql = (
        f"SELECT {sql_dialect.day_number(sql_dialect.day)} FROM {_table(Order)} o "
        "WHERE o.status = 'paid' AND o.contact_id IS NOT NULL AND o.currency = %s AND o.ordered_at < %s "
        "ORDER BY o.ordered_at LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [currency, _end_of(analysis_date)])
        row = cursor.fetchone()
    return int(row[0]) if row else day_number(analysis_date)


@dataclass(frozen=True)
class Purchases:
    """One row per contact with at least one paid order to the analysis date, ordered by contact id.

    Days are numbered from 1970-01-01. ``repeat_spend`` is the mean spend of the purchase days after the
    first (0 for one purchase day), the spend model's input. With a calibration end, ``calibration_*``
    describe the same history cut at that date (``calibration_days`` is 0 for a contact whose first
    purchase came later) and ``holdout_days`` counts the purchase days after it. ``refunds`` and
    ``discounts`` are the totals of refunded orders and the discounts of paid orders (cost to serve).
    """

    contact_ids: IntArray
    first_day: IntArray
    last_day: IntArray
    purchase_days: IntArray
    revenue: FloatArray
    repeat_spend: FloatArray
    calibration_days: IntArray
    calibration_last_day: IntArray
    calibration_repeat_spend: FloatArray
    holdout_days: IntArray
    refunds: FloatArray
    discounts: FloatArray

    def __len__(self) -> int:
        return len(self.contact_ids)


# What each counted order adds to its contact's day (both the grouped query below and SQLite's upsert sum
# these), and which orders count: paid and refunded ones in the run's currency before the analysis date.
ORDER_DAY_PARTS = {
    "amount": "CASE WHEN o.status = 'paid' THEN o.total ELSE 0 END",
    "bought": "CASE WHEN o.status = 'paid' THEN 1 ELSE 0 END",
    "refunded": "CASE WHEN o.status = 'refunded' THEN o.total ELSE 0 END",
    "discounted": "CASE WHEN o.status = 'paid' THEN o.discount_total ELSE 0 END",
}
COUNTED_ORDERS = (
    "o.contact_id IS NOT NULL AND o.currency = %s AND o.ordered_at < %s AND o.status IN ('paid', 'refunded')"
)
CONTACT_DAYS_SQL = f"""
SELECT o.contact_id AS contact_id, {{day}} AS day,
       SUM({ORDER_DAY_PARTS["amount"]}) AS amount,
       MAX({ORDER_DAY_PARTS["bought"]}) AS bought,
       SUM({ORDER_DAY_PARTS["refunded"]}) AS refunded,
       SUM({ORDER_DAY_PARTS["discounted"]}) AS discounted
FROM {{orders}} o {{full_scan}}
WHERE {COUNTED_ORDERS}
GROUP BY o.contact_id, {{day}}
"""
DAYS_TABLE = "analytics_contact_days"


@dataclass(frozen=True)
class ContactDays:
    """Where the statements read each contact's purchase days from (paid and refunded orders in the run's
    currency to the analysis date, one row per contact and day): a derived table, or SQLite's temporary
    table of them."""

    sql: str
    params: list[Any]
    keyed: bool = False  # a table keyed by (contact, month, day), cheap to read more than once


def contact_days_query(*, analysis_date: dt.date, currency: str) -> ContactDays:
    """The contact days as a derived table, grouped again by each statement that reads it."""
    sql_dialect = dialect()
    select = CONTACT_DAYS_SQL.format(
        day=sql_dialect.day, orders=_table(Order), full_scan=sql_dialect.full_scan
    )
    return ContactDays(f"({select})", [currency, _end_of(analysis_date)])


# SQLite's contact days, written straight from the orders: ``sales_order``'s (contact, ordered_at, status,
# currency, total, discount_total) index yields them in key order, so each row lands at the end of the table
# or on the row just written (a second order of the same day), and no sort is needed.
SQLITE_CONTACT_DAYS_SQL = f"""
INSERT INTO temp.{{table}}
SELECT o.contact_id, substr(o.ordered_at, 1, 7), substr(o.ordered_at, 1, 10),
       {", ".join(ORDER_DAY_PARTS.values())}
FROM {{orders}} o INDEXED BY order_contact_value_idx
WHERE {COUNTED_ORDERS}
ON CONFLICT DO UPDATE SET amount = amount + excluded.amount, bought = max(bought, excluded.bought),
    refunded = refunded + excluded.refunded, discounted = discounted + excluded.discounted
"""


@contextmanager
def contact_days(*, analysis_date: dt.date, currency: str) -> Iterator[ContactDays]:
    """The contact days for a refresh's statements. SQLite has no hash aggregate, so every GROUP BY sorts
    its input: grouping the 10,000,000 orders by contact and day took 20 s of sorting alone, and each
    statement reading them did it again. There they are written once into a temporary table keyed by
    (contact, month, day), read from the orders' covering index in that order and merged by upsert (4 s
    at 10,000,000 orders; docs/benchmarks.md), which the purchases and cohort statements then read in key
    order without sorting. PostgreSQL hashes its groups and reads the derived table."""
    query = contact_days_query(analysis_date=analysis_date, currency=currency)
    if connection.vendor != "sqlite":
        yield query
        return
    # The month is part of the key (it sorts as the day does), so the cohort statement's grouping by contact
    # and month reads the table in key order too.
    definition = (
        "(contact_id INTEGER NOT NULL, month TEXT NOT NULL, day TEXT NOT NULL, amount REAL, bought INTEGER, "
        "refunded REAL, discounted REAL, PRIMARY KEY (contact_id, month, day)) WITHOUT ROWID"
    )
    with _temporary_tables({DAYS_TABLE: definition}):
        with connection.cursor() as cursor:
            cursor.execute(
                SQLITE_CONTACT_DAYS_SQL.format(table=DAYS_TABLE, orders=_table(Order)), query.params
            )
        yield ContactDays(f"temp.{DAYS_TABLE}", [], keyed=True)


# One sort on SQLite besides the grouping by day: the first purchase day's amount is read with the first day
# itself, as MIN over "day:amount" text (the day sorts first and is unique per contact), rather than with a
# window function, which made SQLite sort every (contact, day) row twice more (measured: 4.75 s against
# 2.6 s for 1.4 million orders; benchmarks/analytics.py).
PURCHASES_SQL = """
SELECT contact_id,
       {first_number},
       {last_number},
       SUM(bought),
       CAST(SUM(amount) AS DOUBLE PRECISION),
       CAST(substr(MIN(CASE WHEN bought = 1 THEN {packed} END), 12) AS DOUBLE PRECISION),
       SUM(CASE WHEN bought = 1 AND day <= %s THEN 1 ELSE 0 END),
       {calibration_last_number},
       CAST(SUM(CASE WHEN day <= %s THEN amount ELSE 0 END) AS DOUBLE PRECISION),
       SUM(CASE WHEN bought = 1 AND day > %s THEN 1 ELSE 0 END),
       CAST(SUM(refunded) AS DOUBLE PRECISION),
       CAST(SUM(discounted) AS DOUBLE PRECISION)
FROM {days} days
GROUP BY contact_id
HAVING MAX(bought) = 1
ORDER BY contact_id
"""


def purchases(
    *,
    analysis_date: dt.date,
    currency: str,
    calibration_end: dt.date | None = None,
    days: ContactDays | None = None,
) -> Purchases:
    """Every buying contact's purchase history to ``analysis_date``, in one statement (over ``days`` when
    given, see ``contact_days``)."""
    sql_dialect = dialect()
    cut = sql_dialect.day_value(calibration_end or analysis_date)
    source = days or contact_days_query(analysis_date=analysis_date, currency=currency)
    sql = PURCHASES_SQL.format(
        days=source.sql,
        first_number=sql_dialect.day_number("MIN(CASE WHEN bought = 1 THEN day END)"),
        last_number=sql_dialect.day_number("MAX(CASE WHEN bought = 1 THEN day END)"),
        packed=sql_dialect.day_text("day") + " || ':' || CAST(amount AS TEXT)",
        calibration_last_number=sql_dialect.day_number(
            "MAX(CASE WHEN bought = 1 AND day <= %s THEN day END)"
        ),
    )
    params = [cut, cut, cut, cut, *source.params]
    (
        contact_ids,
        first_day,
        last_day,
        purchase_days,
        revenue,
        first_amount,
        calibration_days,
        calibration_last_day,
        calibration_revenue,
        holdout_days,
        refunds,
        discounts,
    ) = read_arrays(
        sql,
        params,
        [*(["int64"] * 4), "float64", "float64", "int64", "int64", "float64", "int64", "float64", "float64"],
    )
    if calibration_end is None:
        calibration_days = np.zeros_like(purchase_days)
        calibration_last_day = np.zeros_like(last_day)
        calibration_revenue = np.zeros_like(revenue)
        holdout_days = np.zeros_like(purchase_days)
    return Purchases(
        contact_ids=contact_ids,
        first_day=first_day,
        last_day=last_day,
        purchase_days=purchase_days,
        revenue=revenue,
        repeat_spend=_repeat_mean(revenue - first_amount, purchase_days),
        calibration_days=calibration_days,
        calibration_last_day=calibration_last_day,
        calibration_repeat_spend=_repeat_mean(calibration_revenue - first_amount, calibration_days),
        holdout_days=holdout_days,
        refunds=refunds,
        discounts=discounts,
    )


def _repeat_mean(repeat_revenue: FloatArray, days: IntArray) -> FloatArray:
    """Mean spend per repeat purchase day; 0 with no repeat (the Gamma-Gamma model's convention)."""
    repeats = np.maximum(days - 1, 0)
    mean: FloatArray = np.divide(repeat_revenue, repeats, out=np.zeros(len(repeats)), where=repeats > 0)
    return np.round(mean, 2)


# ---------------------------------------------------------------- support costs


def support_costs(
    *, analysis_date: dt.date, cost_by_channel: Mapping[str, float], default_cost: float = 0.0
) -> tuple[IntArray, FloatArray]:
    """(contact ids, cost) of the inbound interactions each contact took part in to the analysis date,
    each costing its channel's amount. One GROUP BY over the interactions' participants."""
    channels = sorted(cost_by_channel)
    cases = " ".join("WHEN %s THEN %s" for _ in channels)
    cost = f"CASE i.channel {cases} ELSE %s END" if channels else "%s"
    sql = (
        f"SELECT ic.contact_id, CAST(SUM({cost}) AS DOUBLE PRECISION) "
        f"FROM {_table(InteractionContact)} ic JOIN {_table(Interaction)} i ON i.id = ic.interaction_id "
        "WHERE i.direction = 'inbound' AND i.occurred_at < %s "
        "GROUP BY ic.contact_id ORDER BY ic.contact_id"
    )
    params: list[Any] = []
    for channel in channels:
        params += [channel, float(cost_by_channel[channel])]
    params += [float(default_cost), _end_of(analysis_date)]
    contact_ids, costs = read_arrays(sql, params, ["int64", "float64"])
    return contact_ids, costs


def aligned(keys: IntArray, source_keys: IntArray, values: FloatArray) -> FloatArray:
    """``values`` (keyed by the sorted ``source_keys``) at ``keys``; 0 where a key has none."""
    if len(source_keys) == 0:
        return np.zeros(len(keys))
    positions = np.clip(np.searchsorted(source_keys, keys), 0, len(source_keys) - 1)
    found = source_keys[positions] == keys
    return np.where(found, values[positions], 0.0).astype(np.float64)


# ---------------------------------------------------------------- cohorts and holdout weeks


@dataclass(frozen=True)
class CohortCounts:
    """Per (cohort month, activity month): distinct buying contacts and their revenue. Months are
    numbered year × 12 + month − 1 (``month_index``), as the engine's cohort table numbers them."""

    cohort_month: IntArray
    activity_month: IntArray
    customers: IntArray
    revenue: FloatArray


COHORTS_SQL = """
WITH months AS (
    SELECT contact_id, {month} AS month, SUM(amount) AS amount
    FROM {days} days
    WHERE bought = 1
    GROUP BY contact_id, {month}
), marked AS (
    SELECT months.*, MIN(month) OVER (PARTITION BY contact_id) AS cohort FROM months
)
SELECT {cohort_index}, {month_index}, COUNT(*), CAST(SUM(amount) AS DOUBLE PRECISION)
FROM marked
GROUP BY cohort, month
ORDER BY cohort, month
"""


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(int(index) // 12, int(index) % 12 + 1, 1)


# SQLite's cohort cells from the keyed contact days, without the window's sort and the final GROUP BY's
# sort of every (contact, month): each contact's cohort month goes into a table keyed by contact (read in
# key order), then each (contact, month) is added into the cell of its cohort and month, a table of a few
# hundred rows (measured: 5 s against 12.7 s at 10,000,000 orders; benchmarks/analytics.py).
SQLITE_COHORT_TABLES = {
    "analytics_contact_cohorts": "(contact_id INTEGER PRIMARY KEY, cohort TEXT NOT NULL)",
    "analytics_cohort_cells": (
        "(cohort TEXT NOT NULL, month TEXT NOT NULL, customers INTEGER NOT NULL, revenue REAL NOT NULL, "
        "PRIMARY KEY (cohort, month)) WITHOUT ROWID"
    ),
}
SQLITE_COHORTS_SQL = (
    """
INSERT INTO temp.analytics_contact_cohorts
SELECT contact_id, MIN(month) FROM {days} WHERE bought = 1 GROUP BY contact_id
""",
    """
INSERT INTO temp.analytics_cohort_cells
SELECT cohorts.cohort, months.month, 1, months.amount
FROM (SELECT contact_id, month, SUM(amount) AS amount FROM {days} WHERE bought = 1 GROUP BY contact_id, month)
     AS months
JOIN temp.analytics_contact_cohorts cohorts ON cohorts.contact_id = months.contact_id
WHERE true
ON CONFLICT DO UPDATE SET customers = customers + 1, revenue = revenue + excluded.revenue
""",
)
SQLITE_COHORT_CELLS_SQL = (
    "SELECT {cohort_index}, {month_index}, customers, revenue FROM temp.analytics_cohort_cells "
    "ORDER BY cohort, month"
)


def cohort_counts(*, analysis_date: dt.date, currency: str, days: ContactDays | None = None) -> CohortCounts:
    """The cohort table's cells: each contact counted once per month it bought in."""
    sql_dialect = dialect()
    source = days or contact_days_query(analysis_date=analysis_date, currency=currency)
    if sql_dialect.vendor == "postgresql":
        index = "CAST(EXTRACT(YEAR FROM {0}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {0}) AS INTEGER) - 1"
    else:
        index = "CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1"
    columns = {"cohort_index": index.format("cohort"), "month_index": index.format("month")}
    dtypes = ["int64", "int64", "int64", "float64"]
    if source.keyed:
        with _temporary_tables(SQLITE_COHORT_TABLES):
            with connection.cursor() as cursor:
                for statement in SQLITE_COHORTS_SQL:
                    cursor.execute(statement.format(days=source.sql), source.params)
            cohort, month, customers, revenue = read_arrays(
                SQLITE_COHORT_CELLS_SQL.format(**columns), [], dtypes
            )
    else:
        sql = COHORTS_SQL.format(days=source.sql, month=sql_dialect.month_of_day, **columns)
        cohort, month, customers, revenue = read_arrays(sql, source.params, dtypes)
    return CohortCounts(cohort_month=cohort, activity_month=month, customers=customers, revenue=revenue)


@contextmanager
def _temporary_tables(definitions: Mapping[str, str]) -> Iterator[None]:
    """SQLite temporary tables (name: definition), dropped again on the way out."""
    with connection.cursor() as cursor:
        for name, definition in definitions.items():
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")
            cursor.execute(f"CREATE TEMP TABLE {name} {definition}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in definitions:
                cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")


HOLDOUT_WEEKS_SQL = """
WITH days AS (
    SELECT o.contact_id AS contact_id, {day} AS day
    FROM {orders} o
    WHERE o.contact_id IS NOT NULL AND o.currency = %s AND o.status = 'paid'
      AND o.ordered_at >= %s AND o.ordered_at < %s
      AND EXISTS (
          SELECT 1 FROM {orders} earlier
          WHERE earlier.contact_id = o.contact_id AND earlier.ordered_at < %s
            AND earlier.status = 'paid' AND earlier.currency = %s
      )
    GROUP BY o.contact_id, {day}
)
SELECT ({day_number} - %s) / 7, COUNT(*) FROM days GROUP BY 1 ORDER BY 1
"""


HOLDOUT_WEEKS_FROM_DAYS_SQL = """
SELECT ({day_number} - %s) / 7, COUNT(*)
FROM {days} days
WHERE days.bought = 1 AND days.day > %s
  AND EXISTS (
      SELECT 1 FROM {days} earlier
      WHERE earlier.contact_id = days.contact_id AND earlier.day <= %s AND earlier.bought = 1
  )
GROUP BY 1 ORDER BY 1
"""


def holdout_weekly(
    *,
    calibration_end: dt.date,
    analysis_date: dt.date,
    currency: str,
    days: ContactDays | None = None,
) -> tuple[IntArray, IntArray]:
    """(week of the holdout from 0, purchase days) of the customers who bought in the calibration period:
    the actual side of the cumulative calibration chart. The holdout is a small share of the history, so
    this reads only its orders (the ``ordered_at`` index) and checks each one's contact by the
    (contact, ordered_at) index."""
    sql_dialect = dialect()
    holdout_start = calibration_end + dt.timedelta(days=1)
    if days is not None and days.keyed:
        # SQLite's contact days of the refresh: the holdout's days and, per contact, one seek for an earlier
        # one, instead of looking each holdout order and its contact's history up in the wide orders table.
        cut = sql_dialect.day_value(calibration_end)
        sql = HOLDOUT_WEEKS_FROM_DAYS_SQL.format(days=days.sql, day_number=sql_dialect.day_number("day"))
        weeks, counts = read_arrays(sql, [day_number(holdout_start), cut, cut], ["int64", "int64"])
        return weeks, counts
    sql = HOLDOUT_WEEKS_SQL.format(
        day=sql_dialect.day, orders=_table(Order), day_number=sql_dialect.day_number("day")
    )
    params = [
        currency,
        _end_of(calibration_end),
        _end_of(analysis_date),
        _end_of(calibration_end),
        currency,
        day_number(holdout_start),
    ]
    week, count = read_arrays(sql, params, ["int64", "int64"])
    return week, count
