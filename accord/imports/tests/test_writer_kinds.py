"""Companies, leads, deals, orders and interactions through the import writer, and dry runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accord.activities.models import Interaction
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.imports.tests.writer_rows import counts, errors, run_import
from accord.sales.models import Deal, DealStageChange, Lead, Order
from accord.sales.services import deal_create, pipeline_create, product_create

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("match_key", "field", "value"),
    [
        ("external_id", "external_id", "c-1"),
        ("domain", "domain", "acme.example"),
        ("phone", "phone", "+442071234567"),
    ],
)
@pytest.mark.parametrize("rule", ["create", "update", "skip"])
def test_companies_match_by_each_key_with_each_rule(
    actor: Actor, match_key: str, field: str, value: str, rule: str
) -> None:
    existing = company_create(
        actor=actor,
        data={"name": "Acme", "external_id": "c-1", "domain": "acme.example", "phone": "+442071234567"},
    )

    run = run_import(
        actor,
        "companies",
        [{field: value, "name": "Acme Ltd", "city": "Leeds"}],
        match_key=match_key,
        on_duplicate=rule,
    )

    existing.refresh_from_db()
    assert counts(run) == {"create": (1, 0, 0, 0), "update": (0, 1, 0, 0), "skip": (0, 0, 1, 0)}[rule]
    assert (existing.name, existing.city) == (("Acme Ltd", "Leeds") if rule == "update" else ("Acme", ""))
    assert Company.objects.count() == (2 if rule == "create" else 1)


def test_companies_with_parent_and_bad_rows(actor: Actor) -> None:
    company_create(actor=actor, data={"name": "Parent", "domain": "parent.example"})
    rows: list[dict[str, Any]] = [
        {
            "name": "Child",
            "domain": "child.example",
            "parent_domain": "parent.example",
            "size_band": "11-50",
            "annual_revenue": Decimal("1200.50"),
        },
        {"name": "Orphan", "parent_domain": "missing.example"},
        {"name": "Odd", "size_band": "huge"},
    ]

    run = run_import(actor, "companies", rows)

    assert counts(run) == (1, 0, 0, 2)
    assert errors(run) == [
        (3, "Parent Domain", "No company 'missing.example' that you can see."),
        (4, "Size Band", "Use one of: 1, 1001+, 11-50, 2-10, 201-1000, 51-200."),
    ]
    child = Company.objects.get(name="Child")
    assert child.parent is not None
    assert (child.parent.name, child.size_band, child.annual_revenue) == (
        "Parent",
        "11-50",
        Decimal("1200.50"),
    )


@pytest.mark.parametrize(
    ("match_key", "field", "value"),
    [
        ("email", "email", "lead@example.com"),
        ("external_id", "external_id", "l-1"),
        ("phone", "phone", "+442071234567"),
    ],
)
def test_leads_are_created_and_updated_by_each_key(
    actor: Actor, match_key: str, field: str, value: str
) -> None:
    rows = [
        {
            "external_id": "l-1",
            "full_name": "Grace Hopper",
            "email": "lead@example.com",
            "phone": "+442071234567",
            "status": "working",
        }
    ]
    first = run_import(actor, "leads", rows, match_key=match_key)
    second = run_import(
        actor, "leads", [{field: value, "source": "fair"}], match_key=match_key, on_duplicate="update"
    )
    third = run_import(actor, "leads", [{"family_name": "Nobody", "status": "disqualified"}])

    assert (counts(first), counts(second), counts(third)) == ((1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0, 1))
    lead = Lead.objects.get()
    assert (lead.given_name, lead.family_name, lead.status, lead.source, lead.version) == (
        "Grace",
        "Hopper",
        "working",
        "fair",
        2,
    )
    assert errors(third) == [(2, "", "Say why the lead is disqualified.")]


def test_deals_take_stage_company_contacts_and_history(actor: Actor) -> None:
    pipeline_create(
        actor=actor,
        data={
            "name": "Sales",
            "is_default": True,
            "stages": [{"name": "Lead"}, {"name": "Won", "kind": "won", "probability": 100}],
        },
    )
    contact_create(actor=actor, data={"family_name": "Buyer", "emails": [{"email": "buyer@example.com"}]})
    rows: list[dict[str, Any]] = [
        {
            "external_id": "d-1",
            "name": "Big deal",
            "amount": Decimal("5000"),
            "stage": "Won",
            "company_name": "NewCo",
            "contact_emails": ["buyer@example.com"],
            "closed_at": WHEN,
        },
        {"name": "Nowhere", "stage": "Missing"},
        {"name": "Negative", "stage": "Lead", "amount": Decimal("-1")},
    ]

    run = run_import(actor, "deals", rows)

    assert (counts(run), run.companies_created_count) == ((1, 0, 0, 2), 1)
    assert errors(run) == [
        (3, "Stage", "The pipeline 'Sales' has no stage named 'Missing'."),
        (4, "Amount", "This is zero or more."),
    ]
    deal = Deal.objects.get()
    assert deal.company is not None
    assert (deal.stage.name, deal.company.name, deal.closed_at, deal.amount) == (
        "Won",
        "NewCo",
        WHEN,
        Decimal("5000"),
    )
    assert [contact.family_name for contact in deal.contacts.all()] == ["Buyer"]
    assert list(DealStageChange.objects.values_list("from_stage_id", "to_stage_id")) == [
        (None, deal.stage_id)
    ]

    moved = run_import(
        actor,
        "deals",
        [{"external_id": "d-1", "stage": "Lead"}],
        match_key="external_id",
        on_duplicate="update",
    )
    deal.refresh_from_db()
    assert (counts(moved), deal.stage.name, deal.closed_at, DealStageChange.objects.count()) == (
        (0, 1, 0, 0),
        "Lead",
        None,
        2,
    )


def test_orders_group_lines_compute_totals_and_match_on_number(actor: Actor) -> None:
    contact_create(actor=actor, data={"family_name": "Client", "emails": [{"email": "client@example.com"}]})
    product_create(actor=actor, data={"name": "Widget", "sku": "W-1", "unit_price": Decimal("10")})
    line = {"ordered_at": WHEN, "contact_email": "client@example.com", "currency": "EUR"}
    rows = [
        {
            "number": "A-1",
            **line,
            "product_sku": "W-1",
            "quantity": Decimal("2"),
            "unit_price": Decimal("10"),
            "tax_rate": Decimal("20"),
        },
        {
            "number": "A-1",
            **line,
            "line_description": "Service",
            "unit_price": Decimal("5.50"),
            "discount": Decimal("0.50"),
        },
        {
            "number": "B-2",
            **line,
            "line_description": "Bad",
            "unit_price": Decimal("1"),
            "quantity": Decimal("0"),
        },
        {"number": "B-2", **line, "line_description": "Fine", "unit_price": Decimal("1")},
        {"number": "A-1", **line, "line_description": "Late", "unit_price": Decimal("1")},
    ]

    run = run_import(actor, "orders", rows, batch_size=1)

    assert counts(run) == (1, 0, 0, 3)
    assert errors(run) == [
        (4, "Quantity", "A quantity is more than zero."),
        (5, "", "Another line of this order was rejected (row 4)."),
        (6, "Number", "Duplicate of row 2."),
    ]
    order = Order.objects.get()
    assert (order.number, order.subtotal, order.discount_total, order.tax_total, order.total) == (
        "A-1",
        Decimal("25.50"),
        Decimal("0.50"),
        Decimal("4.00"),
        Decimal("29.00"),
    )
    assert [
        (line.description, line.product.sku if line.product else None, line.line_total)
        for line in order.lines.all()
    ] == [("Widget", "W-1", Decimal("20.00")), ("Service", None, Decimal("5.00"))]

    again = run_import(actor, "orders", rows[:1])
    updated = run_import(
        actor,
        "orders",
        [{**rows[0], "quantity": Decimal("1")}],
        match_key="external_id",
        on_duplicate="update",
    )
    order.refresh_from_db()
    assert (counts(again), errors(again)) == ((0, 0, 1, 0), [])
    assert (counts(updated), order.lines.count(), order.total) == ((0, 1, 0, 0), 1, Decimal("12.00"))


def test_interactions_link_contacts_company_and_deal(actor: Actor) -> None:
    pipeline_create(actor=actor, data={"name": "Sales", "stages": [{"name": "Lead"}]})
    company = company_create(actor=actor, data={"name": "Acme"})
    deal = deal_create(actor=actor, data={"name": "D", "external_id": "d-9"})
    contact = contact_create(
        actor=actor, data={"family_name": "Caller", "emails": [{"email": "caller@example.com"}]}
    )
    rows = [
        {
            "channel": "phone",
            "occurred_at": WHEN,
            "subject": "Intro",
            "duration_seconds": 90,
            "contact_emails": ["caller@example.com"],
            "company_name": "Acme",
            "deal_external_id": "d-9",
        },
        {"kind": "meeting", "occurred_at": WHEN, "company_name": "Unknown Inc"},
        {"kind": "note", "occurred_at": WHEN, "contact_emails": ["stranger@example.com"]},
    ]

    run = run_import(actor, "interactions", rows)

    assert counts(run) == (1, 0, 0, 2)
    assert errors(run) == [
        (3, "Company Name", "No company 'Unknown Inc' that you can see."),
        (4, "Contact Emails", "No contact with the email stranger@example.com that you can see."),
    ]
    call = Interaction.objects.get()
    assert (call.kind, call.channel, call.company_id, call.deal_id, call.duration_seconds) == (
        "call",
        "phone",
        company.pk,
        deal.pk,
        90,
    )
    assert list(call.participants.values_list("contact_id", "occurred_at")) == [(contact.pk, WHEN)]


def test_a_dry_run_reports_exact_counts_and_reasons_and_writes_nothing_else(actor: Actor) -> None:
    contact_create(actor=actor, data={"family_name": "Known", "emails": [{"email": "known@example.com"}]})
    rows = [
        {"family_name": "Known", "email": "known@example.com", "company_name": "Co"},
        {"family_name": "New", "email": "new@example.com", "company_name": "Co"},
        {"family_name": "Again", "email": "new@example.com"},
        {"family_name": "Other", "email": "other@example.com", "company_name": "Co"},
    ]
    before = (Contact.objects.count(), Company.objects.count(), AuditEntry.objects.count())

    dry = run_import(
        actor, "contacts", rows, match_key="email", on_duplicate="update", dry_run=True, batch_size=2
    )

    assert (counts(dry), dry.companies_created_count, dry.is_dry_run) == ((2, 1, 0, 1), 1, True)
    assert errors(dry) == [(4, "Email", "Duplicate of row 3.")]
    assert (Contact.objects.count(), Company.objects.count(), AuditEntry.objects.count() - 1) == before
    assert dry.records.count() == 0

    real = run_import(actor, "contacts", rows, match_key="email", on_duplicate="update", batch_size=2)
    assert (counts(real), real.companies_created_count, errors(real)) == (counts(dry), 1, errors(dry))
