"""Product and order services: order totals computed from the lines with exact decimals."""

import datetime as dt
from decimal import Decimal

import pytest

from accord.core.actors import Actor
from accord.core.errors import Conflict, ValidationFailed
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.sales.models import Order, OrderLine, Product
from accord.sales.services import (
    line_amounts,
    order_create,
    order_delete,
    order_totals,
    order_update,
    product_create,
    product_delete,
    product_update,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contact(actor: Actor) -> Contact:
    return contact_create(actor=actor, data={"family_name": "Buyer"})


@pytest.fixture
def company(actor: Actor) -> Company:
    return company_create(actor=actor, data={"name": "Acme"})


@pytest.fixture
def widget(actor: Actor) -> Product:
    return product_create(actor=actor, data={"name": "Widget", "sku": "W-1", "unit_price": D("19.99")})


def test_line_amounts_round_half_up_to_the_cent() -> None:
    # 3 × 0.335 = 1.005 is exactly half a cent: ROUND_HALF_UP gives 1.01 where banker's rounding gives 1.00.
    amounts = line_amounts(quantity=D("3"), unit_price=D("0.335"), discount=D("0"), tax_rate=D("0"))
    assert (amounts.gross, amounts.net) == (D("1.01"), D("1.01"))
    amounts = line_amounts(quantity=D("1"), unit_price=D("10.50"), discount=D("0"), tax_rate=D("19"))
    assert amounts.tax == D("2.00")  # 1.995 rounds up
    amounts = line_amounts(quantity=D("2.5"), unit_price=D("3.99"), discount=D("1.00"), tax_rate=D("7"))
    assert amounts == type(amounts)(gross=D("9.98"), discount=D("1.00"), net=D("8.98"), tax=D("0.63"))


def test_order_totals_sum_the_rounded_lines() -> None:
    lines = [
        line_amounts(quantity=D("3"), unit_price=D("19.99"), discount=D("5.00"), tax_rate=D("19")),
        line_amounts(quantity=D("1"), unit_price=D("0.99"), discount=D("0"), tax_rate=D("7")),
    ]
    totals = order_totals(lines)
    # 59.97 − 5.00 = 54.97, tax 10.4443 → 10.44; 0.99, tax 0.0693 → 0.07
    assert (totals.subtotal, totals.discount_total, totals.tax_total, totals.total) == (
        D("60.96"),
        D("5.00"),
        D("10.51"),
        D("66.47"),
    )
    assert order_totals([]).total == D("0.00")


def test_order_create_computes_and_stores_totals(actor: Actor, contact: Contact, widget: Product) -> None:
    order = order_create(
        actor=actor,
        data={
            "contact_id": contact.pk,
            "lines": [
                {"product_id": widget.pk, "quantity": D("3"), "discount": D("5"), "tax_rate": D("19")},
                {"description": " Shipping ", "unit_price": D("0.99"), "tax_rate": D("7")},
            ],
        },
    )
    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        D("60.96"),
        D("5.00"),
        D("10.51"),
        D("66.47"),
    )
    lines = list(order.lines.values_list("product", "description", "quantity", "unit_price", "line_total"))
    assert lines == [
        (widget.pk, "Widget", D("3.000"), D("19.99"), D("54.97")),
        (None, "Shipping", D("1.000"), D("0.99"), D("0.99")),
    ]
    assert (order.status, order.sales_channel, order.currency, order.owner_id) == (
        "paid",
        "online",
        "EUR",
        actor.user_id,
    )
    assert order.number.startswith(f"ORD-{order.ordered_at:%Y%m%d}-")
    assert len(order.number) == len("ORD-20260101-ABCDEF")
    assert AuditEntry.objects.filter(object_type="sales.order").get().action == "create"


def test_order_update_replaces_lines_and_recomputes_totals(
    actor: Actor, company: Company, widget: Product
) -> None:
    order = order_create(
        actor=actor, data={"company_id": company.pk, "number": "A-1", "lines": [{"product_id": widget.pk}]}
    )
    assert order.total == D("19.99")
    order = order_update(
        actor=actor,
        instance=order,
        data={
            "lines": [
                {
                    "description": "Consulting",
                    "quantity": D("1.5"),
                    "unit_price": D("100"),
                    "tax_rate": D("20"),
                }
            ]
        },
        expected_version=1,
    )
    assert (order.subtotal, order.tax_total, order.total, order.version) == (
        D("150.00"),
        D("30.00"),
        D("180.00"),
        2,
    )
    assert list(OrderLine.objects.values_list("description", flat=True)) == ["Consulting"]
    changes = AuditEntry.objects.get(action="update").changes
    assert changes["total"] == ["19.99", "180.00"]
    assert changes["lines"][1] == [[None, "Consulting", "1.500", "100.00", "0.00", "20.00"]]

    order = order_update(actor=actor, instance=order, data={"status": "refunded"})
    assert (order.status, order.total) == ("refunded", D("180.00"))


def test_resending_the_same_lines_changes_nothing(actor: Actor, contact: Contact, widget: Product) -> None:
    lines = [{"product_id": widget.pk, "quantity": D("2"), "tax_rate": D("19")}]
    order = order_create(actor=actor, data={"contact_id": contact.pk, "lines": lines})
    assert order_update(actor=actor, instance=order, data={"lines": lines}).version == 1


def test_order_validation_names_every_bad_line_field(actor: Actor, widget: Product) -> None:
    usd = product_create(
        actor=actor, data={"name": "Import", "sku": "U-1", "unit_price": D("5"), "currency": "USD"}
    )
    with pytest.raises(ValidationFailed) as error:
        order_create(
            actor=actor,
            data={
                "status": "lost",
                "currency": "eur",
                "lines": [
                    {"product_id": widget.pk, "quantity": D("-1")},
                    {"description": "Free text"},
                    {"product_id": 999},
                    {"product_id": widget.pk, "discount": D("20.00")},
                    {"product_id": usd.pk, "tax_rate": D("120")},
                ],
            },
        )
    assert error.value.fields == {
        "status": ["Use one of: paid, refunded, cancelled."],
        "contact_id": ["An order is placed by a contact or a company: give one of them."],
        "lines.0.quantity": ["A quantity is more than zero."],
        "lines.1.unit_price": ["Give a price, or a product to take it from."],
        "lines.2.product_id": ["No product with id 999."],
        "lines.2.unit_price": ["Give a price, or a product to take it from."],
        "lines.2.description": ["Describe the line, or give a product."],
        "lines.3.discount": ["The discount is larger than the line's amount."],
        "lines.4.unit_price": ["The product is priced in USD and the order is in EUR: give a price."],
        "lines.4.tax_rate": ["A tax rate is a percentage from 0 to 100."],
    }
    assert not Order.objects.exists()


def test_an_order_needs_lines_and_a_customer(actor: Actor, contact: Contact, widget: Product) -> None:
    with pytest.raises(ValidationFailed) as error:
        order_create(actor=actor, data={"contact_id": contact.pk, "lines": []})
    assert list(error.value.fields) == ["lines"]
    order = order_create(actor=actor, data={"contact_id": contact.pk, "lines": [{"product_id": widget.pk}]})
    with pytest.raises(ValidationFailed) as error:
        order_update(actor=actor, instance=order, data={"contact_id": None})
    assert list(error.value.fields) == ["contact_id"]


def test_order_numbers_are_unique(actor: Actor, contact: Contact, widget: Product) -> None:
    data = {"contact_id": contact.pk, "number": "2026-001", "lines": [{"product_id": widget.pk}]}
    order_create(actor=actor, data=data)
    with pytest.raises(ValidationFailed) as error:
        order_create(actor=actor, data=data)
    assert error.value.fields == {"number": ["Another order has this number."]}


def test_ordered_at_is_kept(actor: Actor, contact: Contact, widget: Product) -> None:
    when = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
    order = order_create(
        actor=actor, data={"contact_id": contact.pk, "ordered_at": when, "lines": [{"product_id": widget.pk}]}
    )
    assert (order.ordered_at, order.number[:13]) == (when, "ORD-20250314-")


def test_product_rules(actor: Actor, contact: Contact, widget: Product) -> None:
    with pytest.raises(ValidationFailed) as error:
        product_create(actor=actor, data={"name": "", "sku": "W-1", "currency": "e"})
    assert set(error.value.fields) == {"name", "sku", "unit_price", "currency"}
    updated = product_update(
        actor=actor, instance=widget, data={"unit_price": D("21.00")}, expected_version=1
    )
    assert (updated.unit_price, updated.version) == (D("21.00"), 2)
    order_create(actor=actor, data={"contact_id": contact.pk, "lines": [{"product_id": widget.pk}]})
    with pytest.raises(Conflict):
        product_delete(actor=actor, instance=widget)


def test_order_delete_removes_its_lines(actor: Actor, contact: Contact, widget: Product) -> None:
    order = order_create(actor=actor, data={"contact_id": contact.pk, "lines": [{"product_id": widget.pk}]})
    order_delete(actor=actor, instance=order)
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)
