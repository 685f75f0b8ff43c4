"""Three years of purchase history up to today: who buys, when, and how much.

The shape is what customer analytics expects of real data:
- purchase rates differ a lot between customers (gamma-distributed, shape < 1) and each customer has
  a lognormal spending level, so the top fifth of customers makes roughly 60–80 % of the revenue;
- a quarter of the customers churn at some point and buy nothing afterwards;
- days follow a seasonal curve (Q4 peak, quiet August), a weekly pattern (fewer orders at weekends)
  and a slight growth trend.
Money is computed in integer cents, so every order's totals equal the sums of its lines exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from accord.demo import geography
from accord.demo.loader import BulkLoader, chunks
from accord.demo.people import Companies, Contacts
from accord.demo.reference import CATALOGUE
from accord.demo.sampling import DAY, YEAR, group_offsets, weighted
from accord.sales.models import Order, OrderLine

HISTORY_YEARS = 3
BUYER_SHARE = 0.3
CHURN_SHARE = 0.25
# Relative order volume by month (January first) and by weekday (Monday first).
MONTH_FACTORS = np.array([0.85, 0.85, 0.95, 0.95, 1.0, 0.95, 0.85, 0.75, 1.0, 1.1, 1.45, 1.7])
WEEKDAY_FACTORS = np.array([1.15, 1.2, 1.15, 1.1, 1.0, 0.6, 0.45])
HOUR_FACTORS = np.array(
    [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 19, 15, 16, 18, 18, 16, 13, 10, 10, 11, 10, 6, 3], float
)
LINE_COUNT_WEIGHTS = [45, 30, 15, 10]  # orders with 1, 2, 3, 4 lines
DISCOUNT_PERCENTS = np.array([5, 10, 15, 20])
STATUS_WEIGHTS = {Order.Status.PAID: 95, Order.Status.REFUNDED: 3, Order.Status.CANCELLED: 2}
B2B_CHANNELS = {
    Order.Channel.SALES: 40,
    Order.Channel.ONLINE: 30,
    Order.Channel.PARTNER: 15,
    Order.Channel.PHONE: 15,
}
B2C_CHANNELS = {Order.Channel.ONLINE: 70, Order.Channel.RETAIL: 20, Order.Channel.PHONE: 10}
TAX_RATES = np.array([country.tax_rate_basis_points for country in geography.COUNTRIES], dtype=np.int64)


@dataclass
class Purchases:
    """Buyers (contact indexes) and their orders sorted by time, lines grouped by order."""

    buyer: np.ndarray
    buyer_churned: np.ndarray
    order_contact: np.ndarray
    order_time: np.ndarray
    order_is_b2b: np.ndarray
    line_offsets: np.ndarray  # first line of each order, then the total
    line_product: np.ndarray  # index into CATALOGUE
    line_quantity_milli: np.ndarray
    line_price_cents: np.ndarray
    line_discount_cents: np.ndarray
    line_total_cents: np.ndarray
    line_tax_basis_points: np.ndarray
    line_tax_cents: np.ndarray
    first_id: int = 0

    @property
    def order_count(self) -> int:
        return len(self.order_contact)

    def order_sums(self, cents: np.ndarray) -> np.ndarray:
        """Per order, the sum of a per-line amount (exact: integer cents)."""
        return np.add.reduceat(cents, self.line_offsets[:-1]) if len(cents) else np.zeros(0, np.int64)


def day_weights(first_day: int, last_day: int) -> np.ndarray:
    """Relative order volume of each epoch day in [first_day, last_day]."""
    days = np.arange(first_day, last_day + 1)
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    trend = 1 + 0.15 * (days - first_day) / 365
    return np.asarray(MONTH_FACTORS[month] * WEEKDAY_FACTORS[weekday] * trend)


def plan_purchases(rng: np.random.Generator, contacts: Contacts, *, now: int) -> Purchases:
    history_start = now - HISTORY_YEARS * YEAR
    buyer = np.flatnonzero(rng.random(contacts.count) < BUYER_SHARE)
    active_from = np.maximum(contacts.created[buyer], history_start)
    churned = rng.random(len(buyer)) < CHURN_SHARE
    active_until = np.where(churned, active_from + rng.random(len(buyer)) * (now - active_from), now).astype(
        np.int64
    )
    orders_per_year = rng.gamma(0.6, 1.25, len(buyer))
    spending_level = rng.lognormal(0, 0.8, len(buyer))
    order_counts = 1 + rng.poisson(orders_per_year * (active_until - active_from) / YEAR)

    # Days by inverse transform sampling on the seasonal curve, restricted to each buyer's active window.
    first_day, last_day = history_start // DAY, now // DAY - 1
    cumulative = np.cumsum(day_weights(first_day, last_day))
    cumulative /= cumulative[-1]
    before = np.concatenate([[0.0], cumulative[:-1]])
    order_buyer = np.repeat(np.arange(len(buyer)), order_counts)
    low = before[np.clip(active_from // DAY - first_day, 0, len(cumulative) - 1)][order_buyer]
    high = cumulative[np.clip(active_until // DAY - first_day, 0, len(cumulative) - 1)][order_buyer]
    day_index = np.searchsorted(cumulative, low + rng.random(len(order_buyer)) * (high - low), side="right")
    day = first_day + np.minimum(day_index, len(cumulative) - 1)
    seconds = weighted(rng, HOUR_FACTORS, len(day)) * 3600 + rng.integers(0, 3600, len(day))
    contact = buyer[order_buyer]
    time = np.clip(day * DAY + seconds, contacts.created[contact] + 60, now - 1)
    chronological = np.argsort(time, kind="stable")
    order_buyer, contact, time = order_buyer[chronological], contact[chronological], time[chronological]
    is_b2b = (contacts.company[contact] >= 0) & (rng.random(len(contact)) < 0.6)

    line_counts = 1 + weighted(rng, LINE_COUNT_WEIGHTS, len(contact))
    line_order = np.repeat(np.arange(len(contact)), line_counts)
    popularity = 1 / np.arange(1, len(CATALOGUE) + 1) ** 0.9
    product = rng.permutation(len(CATALOGUE))[weighted(rng, popularity, len(line_order))]
    # Discontinued products sell only in the older orders; newer orders get their successor.
    inactive = np.array([not spec.is_active for spec in CATALOGUE])
    product = np.where(inactive[product] & (time[line_order] > now - YEAR), product - 1, product)
    typical = np.array([spec.typical_quantity for spec in CATALOGUE])
    hourly = np.array([spec.is_hourly for spec in CATALOGUE])
    quantity = (
        typical[product] * spending_level[order_buyer][line_order] * rng.lognormal(0, 0.35, len(line_order))
    )
    quantity_milli = np.where(
        hourly[product], np.maximum(np.round(quantity * 2), 1) * 500, np.maximum(np.round(quantity), 1) * 1000
    ).astype(np.int64)
    price = np.array([spec.price_cents for spec in CATALOGUE], dtype=np.int64)[product]
    gross = quantity_milli * price
    if np.any(gross % 1000):
        raise AssertionError("a line amount is not a whole number of cents")
    gross //= 1000
    has_discount = rng.random(len(line_order)) < 0.2
    discount = np.where(
        has_discount, gross * DISCOUNT_PERCENTS[rng.integers(0, 4, len(line_order))] // 100, 0
    )
    line_total = gross - discount
    tax_rate = TAX_RATES[contacts.country[contact]][line_order]
    tax = (line_total * tax_rate + 5000) // 10000  # half up, on non-negative cents
    return Purchases(
        buyer=buyer,
        buyer_churned=churned,
        order_contact=contact,
        order_time=time,
        order_is_b2b=is_b2b,
        line_offsets=np.concatenate([group_offsets(line_counts), [len(line_order)]]),
        line_product=product,
        line_quantity_milli=quantity_milli,
        line_price_cents=price,
        line_discount_cents=discount,
        line_total_cents=line_total,
        line_tax_basis_points=tax_rate,
        line_tax_cents=tax,
    )


def write_orders(
    loader: BulkLoader,
    rng: np.random.Generator,
    purchases: Purchases,
    contacts: Contacts,
    companies: Companies,
    product_ids: np.ndarray,
    *,
    now: int,
) -> None:
    count = purchases.order_count
    gross = purchases.line_quantity_milli * purchases.line_price_cents // 1000
    subtotal = purchases.order_sums(gross)
    discount_total = purchases.order_sums(purchases.line_discount_cents)
    tax_total = purchases.order_sums(purchases.line_tax_cents)
    total = subtotal - discount_total + tax_total
    statuses = list(STATUS_WEIGHTS)
    status = weighted(rng, list(STATUS_WEIGHTS.values()), count)
    # However few the orders, each status occurs (on the oldest ones).
    status[: min(count, len(statuses))] = np.arange(min(count, len(statuses)))
    b2b_channels, b2c_channels = list(B2B_CHANNELS), list(B2C_CHANNELS)
    b2b_channel = weighted(rng, list(B2B_CHANNELS.values()), count)
    b2c_channel = weighted(rng, list(B2C_CHANNELS.values()), count)
    updated = np.where(
        status > 0,
        np.minimum(purchases.order_time + rng.integers(DAY, 30 * DAY, count), now - 1),
        purchases.order_time,
    )
    year = purchases.order_time.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    company = contacts.company[purchases.order_contact]
    currency = settings.ACCORD_DEFAULT_CURRENCY
    with loader.table(Order, rows=count) as table:
        purchases.first_id = table.first_id
        for rows in chunks(count):
            ids = range(table.first_id + rows.start, table.first_id + rows.stop)
            channels = [
                b2b_channels[b] if is_b2b else b2c_channels[c]
                for is_b2b, b, c in zip(
                    purchases.order_is_b2b[rows].tolist(),
                    b2b_channel[rows].tolist(),
                    b2c_channel[rows].tolist(),
                    strict=True,
                )
            ]
            owners = contacts.owner[purchases.order_contact[rows]].tolist()
            table.write(
                len(channels),
                {
                    "number": [f"SO-{y}-{i:07d}" for y, i in zip(year[rows].tolist(), ids, strict=True)],
                    "contact_id": contacts.ids(purchases.order_contact[rows]),
                    "company_id": [
                        companies.first_id + c if is_b2b else None
                        for c, is_b2b in zip(
                            company[rows].tolist(), purchases.order_is_b2b[rows].tolist(), strict=True
                        )
                    ],
                    "ordered_at": loader.datetimes(purchases.order_time[rows]),
                    "status": [statuses[s] for s in status[rows].tolist()],
                    "currency": currency,
                    "sales_channel": channels,
                    "subtotal": loader.money(subtotal[rows]),
                    "discount_total": loader.money(discount_total[rows]),
                    "tax_total": loader.money(tax_total[rows]),
                    "total": loader.money(total[rows]),
                    "owner_id": [
                        owner if channel == Order.Channel.SALES else None
                        for owner, channel in zip(owners, channels, strict=True)
                    ],
                    "created_at": loader.datetimes(purchases.order_time[rows]),
                    "updated_at": loader.datetimes(updated[rows]),
                },
            )
    _write_lines(loader, purchases, product_ids)


def _write_lines(loader: BulkLoader, purchases: Purchases, product_ids: np.ndarray) -> None:
    line_order = np.repeat(np.arange(purchases.order_count), np.diff(purchases.line_offsets))
    product_names = [spec.name for spec in CATALOGUE]
    with loader.table(OrderLine, "order lines", rows=len(line_order)) as table:
        for rows in chunks(len(line_order)):
            table.write(
                rows.stop - rows.start,
                {
                    "order_id": purchases.first_id + line_order[rows],
                    "product_id": product_ids[purchases.line_product[rows]],
                    "description": [product_names[p] for p in purchases.line_product[rows].tolist()],
                    "quantity": (purchases.line_quantity_milli[rows] / 1000).tolist(),
                    "unit_price": loader.money(purchases.line_price_cents[rows]),
                    "discount": loader.money(purchases.line_discount_cents[rows]),
                    "tax_rate": loader.money(purchases.line_tax_basis_points[rows]),
                    "line_total": loader.money(purchases.line_total_cents[rows]),
                },
            )


def revenue_share_of_top(purchases: Purchases, share: float = 0.2) -> float:
    """The part of the revenue (line totals before tax) made by the top ``share`` of buyers."""
    revenue = np.bincount(
        np.searchsorted(purchases.buyer, purchases.order_contact),
        weights=purchases.order_sums(purchases.line_total_cents),
        minlength=len(purchases.buyer),
    )
    ranked = np.sort(revenue)[::-1]
    top = max(1, round(len(ranked) * share))
    return float(ranked[:top].sum() / ranked.sum()) if ranked.sum() else 0.0
