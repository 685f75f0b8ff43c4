"""A hand-built order history for the refresh's tests, and a plain-Python oracle of what the SQL
aggregation must find in it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from accord.activities.models import Interaction
from accord.activities.tests.factories import CompanyFactory, ContactFactory, InteractionFactory, OrderFactory
from accord.customers.models import Contact
from accord.sales.models import Order

ANALYSIS_DATE = dt.date(2025, 6, 30)
CALIBRATION_END = dt.date(2025, 3, 31)


def at(day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}:00+00:00")


@dataclass
class History:
    contacts: dict[str, Contact]


def build_history() -> History:
    """Contacts ``ada`` … ``eve`` with every case the aggregation must get right."""
    names = ["ada", "bob", "cyd", "dan", "eve"]
    contacts = {name: ContactFactory.create(given_name=name.capitalize()) for name in names}
    ada, bob, cyd, dan, _eve = (contacts[name] for name in names)

    def order(contact: Contact | None, when: dt.datetime, total: str, **fields: object) -> None:
        OrderFactory.create(contact=contact, ordered_at=when, total=total, **fields)

    # ada: two orders on one day (one transaction), a repeat in calibration, one in the holdout, a
    # refund, a cancelled order, an order in another currency and one after the analysis date.
    order(ada, at("2025-01-05", "10:00"), "100.00", discount_total="5.00")
    order(ada, at("2025-01-05", "18:00"), "50.00")
    order(ada, at("2025-02-10"), "80.00")
    order(ada, at("2025-05-01"), "60.00", discount_total="2.50")
    order(ada, at("2025-03-01"), "40.00", status=Order.Status.REFUNDED)
    order(ada, at("2025-03-02"), "999.00", status=Order.Status.CANCELLED)
    order(ada, at("2025-02-11"), "70.00", currency="USD")
    order(ada, at("2025-07-02"), "500.00")
    # bob: a first purchase in the holdout, on the analysis date itself (which counts)
    order(bob, at("2025-06-30", "23:59"), "30.00")
    # cyd: only a refunded order: not a customer who bought
    order(cyd, at("2025-02-01"), "45.00", status=Order.Status.REFUNDED)
    # dan: the last minute of the calibration and the first of the holdout are two days
    order(dan, at("2025-03-31", "23:30"), "20.00")
    order(dan, at("2025-04-01", "00:30"), "25.00")
    order(dan, at("2024-11-20"), "10.00")
    # a company's order without a contact is nobody's purchase
    order(None, at("2025-02-02"), "300.00", company=CompanyFactory.create())
    # support: inbound interactions cost by channel; outbound ones and later ones cost nothing
    InteractionFactory.create(
        contacts=[ada, dan],
        channel=Interaction.Channel.PHONE,
        direction="inbound",
        occurred_at=at("2025-03-03"),
    )
    InteractionFactory.create(
        contacts=[ada], channel=Interaction.Channel.EMAIL, direction="inbound", occurred_at=at("2025-04-03")
    )
    InteractionFactory.create(
        contacts=[ada], channel=Interaction.Channel.PHONE, direction="outbound", occurred_at=at("2025-04-04")
    )
    InteractionFactory.create(
        contacts=[dan], channel=Interaction.Channel.CHAT, direction="inbound", occurred_at=at("2025-07-03")
    )
    InteractionFactory.create(
        contacts=[bob], channel=Interaction.Channel.WEB, direction="inbound", occurred_at=at("2025-05-03")
    )
    return History(contacts=contacts)


@dataclass(frozen=True)
class Expected:
    first_day: dt.date
    last_day: dt.date
    purchase_days: int
    revenue: float
    repeat_spend: float
    calibration_days: int
    calibration_last_day: dt.date | None
    calibration_repeat_spend: float
    holdout_days: int
    refunds: float
    discounts: float


def oracle(*, analysis_date: dt.date, currency: str, calibration_end: dt.date | None) -> dict[int, Expected]:
    """What the aggregation must return, computed from every order in Python."""
    paid: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    refunds: dict[int, Decimal] = defaultdict(Decimal)
    discounts: dict[int, Decimal] = defaultdict(Decimal)
    for row in Order.objects.all():
        day = row.ordered_at.astimezone(dt.UTC).date()
        if row.contact_id is None or row.currency != currency or day > analysis_date:
            continue
        if row.status == Order.Status.PAID:
            paid[row.contact_id][day] += row.total
            discounts[row.contact_id] += row.discount_total
        elif row.status == Order.Status.REFUNDED:
            refunds[row.contact_id] += row.total
    expected = {}
    for contact_id, by_day in paid.items():
        days = sorted(by_day)
        calibration = [day for day in days if calibration_end is not None and day <= calibration_end]
        holdout = [day for day in days if calibration_end is not None and day > calibration_end]

        def repeat_mean(chosen: list[dt.date], by_day: dict[dt.date, Decimal] = by_day) -> float:
            return (
                round(float(sum(by_day[day] for day in chosen[1:]) / (len(chosen) - 1)), 2)
                if len(chosen) > 1
                else 0.0
            )

        expected[contact_id] = Expected(
            first_day=days[0],
            last_day=days[-1],
            purchase_days=len(days),
            revenue=float(sum(by_day.values())),
            repeat_spend=repeat_mean(days),
            calibration_days=len(calibration),
            calibration_last_day=calibration[-1] if calibration else None,
            calibration_repeat_spend=repeat_mean(calibration),
            holdout_days=len(holdout),
            refunds=float(refunds[contact_id]),
            discounts=float(discounts[contact_id]),
        )
    return expected


def simulated_shop(
    customers: int, *, seed: int = 3, end: dt.date = ANALYSIS_DATE, years: int = 2
) -> list[int]:
    """``customers`` contacts buying as BG/NBD says (Fader, Hardie & Lee 2005, section 3: a Gamma rate of
    purchase, a Beta chance of dropping out after each), over ``years`` up to ``end``; a few orders are
    refunded or in USD. Enough data for the models to fit; the contacts' ids."""
    import numpy as np

    rng = np.random.default_rng(seed)
    people = Contact.objects.bulk_create(
        [Contact(given_name="Shopper", family_name=str(index)) for index in range(customers)]
    )
    first = rng.integers(0, years * 365 - 30, customers)
    rate = rng.gamma(0.8, 1 / 20, customers)  # purchases per day
    dropout = rng.beta(1.0, 6.0, customers)
    # Gamma-Gamma spend (Fader, Hardie & Lee 2005b): each customer's mean spend differs
    spend_scale = 1 / rng.gamma(4.0, 1 / 150.0, customers)
    orders: list[Order] = []
    start = end - dt.timedelta(days=years * 365)
    for index, person in enumerate(people):  # a test's few hundred customers
        day = float(first[index])
        while day < years * 365:
            when = dt.datetime.combine(start + dt.timedelta(days=int(day)), dt.time(12), tzinfo=dt.UTC)
            orders.append(
                Order(
                    number=f"SIM-{index}-{len(orders)}",
                    contact=person,
                    ordered_at=when,
                    total=Decimal(round(max(rng.gamma(6.0, spend_scale[index]), 1.0), 2)).quantize(
                        Decimal("0.01")
                    ),
                    status=Order.Status.REFUNDED if rng.random() < 0.03 else Order.Status.PAID,
                    currency="USD" if rng.random() < 0.02 else "EUR",
                )
            )
            if rng.random() < dropout[index]:
                break
            day += rng.exponential(1 / rate[index])
    Order.objects.bulk_create(orders)
    return [person.pk for person in people]
