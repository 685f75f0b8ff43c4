"""The demo dataset is consistent, realistic and deterministic (loaded once per module, rolled back after)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
import pytest
from django.db import connection, models, transaction
from django.db.models import Count, F, Q

from accord.activities.models import Interaction, InteractionContact, Task
from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry, SearchEntry
from accord.core.normalize import normalize_email
from accord.core.search import search
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.customers.services import company_index, contact_index
from accord.customers.summaries import contact_summaries_refresh
from accord.demo import generate, loader
from accord.demo.generate import DemoResult, load_demo, start_of_day
from accord.demo.reference import CATALOGUE, PIPELINES
from accord.sales.models import (
    Deal,
    DealContact,
    DealStageChange,
    Lead,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Stage,
)
from accord.sales.services import deal_index, lead_index, line_amounts, order_totals
from accord.users.models import User

CONTACTS = 200
SEED = 7
TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime.fromtimestamp(start_of_day(TODAY), tz=dt.UTC)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoResult]:
    """One load for the whole module, inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(contacts=CONTACTS, seed=SEED, today=TODAY, out=io.StringIO())
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("demo", "db")


def test_sizes_follow_the_number_of_contacts(demo: DemoResult) -> None:
    assert (Contact.objects.count(), Company.objects.count(), Deal.objects.count()) == (200, 40, 40)
    assert (Lead.objects.count(), Task.objects.count(), Product.objects.count()) == (20, 40, len(CATALOGUE))
    assert User.objects.count() == 10
    assert SearchEntry.objects.count() == 200 + 40 + 20 + 40
    assert demo.rows["contacts"] == 200
    assert demo.rows["orders"] == Order.objects.count() > 100
    assert demo.rows["order lines"] == OrderLine.objects.count()
    assert demo.rows["interactions"] == Interaction.objects.count() > 150


def test_one_audit_entry_summarises_the_load(demo: DemoResult) -> None:
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.via, entry.object_type, entry.actor_id) == ("demo_load", "cli", "demo", None)
    assert entry.changes["contacts"] == [None, 200]
    assert entry.changes == {label: [None, rows] for label, rows in demo.rows.items()}


def test_every_order_total_is_the_sum_of_its_lines() -> None:
    orders = Order.objects.prefetch_related("lines")
    for order in orders:
        amounts = [
            line_amounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
            )
            for line in order.lines.all()
        ]
        assert 1 <= len(amounts) <= 4
        assert [line.line_total for line in order.lines.all()] == [amount.net for amount in amounts]
        totals = order_totals(amounts)
        assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
            totals.subtotal,
            totals.discount_total,
            totals.tax_total,
            totals.total,
        ), order.number
    assert Order.objects.filter(discount_total__gt=0).exists()
    assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values)


def test_orders_cover_three_years_up_to_today_after_the_customer_appeared() -> None:
    first = Order.objects.order_by("ordered_at").first()
    last = Order.objects.order_by("-ordered_at").first()
    assert first is not None
    assert last is not None
    assert NOW - dt.timedelta(days=3 * 365 + 1) <= first.ordered_at
    assert NOW - dt.timedelta(days=60) < last.ordered_at < NOW
    assert not Order.objects.filter(ordered_at__lt=F("contact__created_at")).exists()
    assert not Order.objects.filter(contact__isnull=True).exists()
    numbers = list(Order.objects.order_by("id").values_list("ordered_at", flat=True))
    assert numbers == sorted(numbers)


def test_deal_history_ends_in_the_current_stage() -> None:
    changes: dict[int, list[DealStageChange]] = {}
    for change in DealStageChange.objects.order_by("changed_at", "id"):
        changes.setdefault(change.deal_id, []).append(change)
    stage_kinds = dict(Stage.objects.values_list("id", "kind"))
    for deal in Deal.objects.all():
        history = changes[deal.pk]
        assert history[-1].to_stage_id == deal.stage_id
        assert history[0].from_stage_id is None
        assert all(
            later.from_stage_id == earlier.to_stage_id for earlier, later in itertools.pairwise(history)
        )
        assert {change.to_stage.pipeline_id for change in history} == {deal.pipeline_id}
        kind = stage_kinds[deal.stage_id]
        if kind == Stage.Kind.OPEN:
            assert (deal.closed_at, deal.lost_reason) == (None, "")
        else:
            assert deal.closed_at == history[-1].changed_at
            assert (deal.lost_reason != "") == (kind == Stage.Kind.LOST)
        assert deal.created_at == history[0].changed_at <= history[-1].changed_at < NOW


def test_every_stage_of_the_three_pipelines_holds_deals() -> None:
    pipelines = Pipeline.objects.annotate(stage_count=Count("stages")).order_by("position")
    assert [(p.name, p.stage_count) for p in pipelines] == [
        (name, len(stages)) for name, stages in PIPELINES.items()
    ]
    assert not Stage.objects.annotate(deal_count=Count("deals")).filter(deal_count=0).exists()
    assert Pipeline.objects.filter(is_default=True).get().name == "New business"


def test_deal_contacts_work_at_the_deals_company() -> None:
    assert not Deal.objects.annotate(people=Count("deal_contacts")).filter(people=0).exists()
    jobs = set(Employment.objects.values_list("contact_id", "company_id"))
    for contact_id, company_id in DealContact.objects.values_list("contact_id", "deal__company_id"):
        assert (contact_id, company_id) in jobs


def test_leads_are_in_every_status() -> None:
    assert set(Lead.objects.values_list("status", flat=True)) == set(Lead.Status.values)
    assert not Lead.objects.filter(status=Lead.Status.DISQUALIFIED, disqualified_reason="").exists()
    for lead in Lead.objects.filter(status=Lead.Status.CONVERTED).select_related("converted_contact"):
        assert lead.converted_deal is not None
        assert lead.converted_contact is not None
        assert lead.converted_company_id == lead.converted_deal.company_id
        assert (lead.given_name, lead.family_name) == (
            lead.converted_contact.given_name,
            lead.converted_contact.family_name,
        )
        assert lead.converted_at == lead.converted_deal.created_at
        assert lead.created_at < lead.converted_deal.created_at


def test_emails_are_unique_normalised_and_one_is_primary() -> None:
    emails = list(ContactEmail.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))
    assert all(normalize_email(email) == email for email in emails)
    per_contact = Contact.objects.annotate(
        emails_count=Count("emails"), primaries=Count("emails", filter=Q(emails__is_primary=True))
    )
    assert {(c.emails_count in (1, 2), c.primaries) for c in per_contact} == {(True, 1)}


def test_contact_rows_hold_the_summary_the_services_keep() -> None:
    """What the loader wrote on each contact's row equals what contact_summaries_refresh computes."""
    summary = ("id", "primary_email", "primary_phone", "current_company_id")
    loaded = list(Contact.objects.order_by("id").values_list(*summary))
    for column in (1, 2, 3):
        assert any(row[column] for row in loaded)
    with transaction.atomic():
        contact_summaries_refresh([row[0] for row in loaded])
        refreshed = list(Contact.objects.order_by("id").values_list(*summary))
        transaction.set_rollback(True)
    assert loaded == refreshed


def test_phones_are_valid_e164() -> None:
    numbers = list(ContactPhone.objects.values_list("number", flat=True))
    numbers += [number for number in Company.objects.values_list("phone", flat=True) if number]
    numbers += [number for number in Lead.objects.values_list("phone", flat=True) if number]
    assert len(numbers) > 250
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    assert (
        not Contact.objects.annotate(
            primaries=Count("phones", filter=Q(phones__is_primary=True)), phone_count=Count("phones")
        )
        .exclude(primaries=1)
        .exclude(phone_count=0)
        .exists()
    )


def test_interactions_use_every_kind_and_channel_and_copy_their_time() -> None:
    assert set(Interaction.objects.values_list("kind", flat=True)) == set(Interaction.Kind.values)
    assert set(Interaction.objects.values_list("channel", flat=True)) == set(Interaction.Channel.values)
    assert InteractionContact.objects.count() >= Interaction.objects.count()
    assert not InteractionContact.objects.exclude(occurred_at=F("interaction__occurred_at")).exists()
    assert not Interaction.objects.annotate(people=Count("participants")).filter(people=0).exists()
    assert Interaction.objects.filter(deal__isnull=False).exists()


def test_tasks_are_open_overdue_and_done() -> None:
    assert set(Task.objects.values_list("status", flat=True)) == set(Task.Status.values)
    open_tasks = Task.objects.filter(status=Task.Status.OPEN)
    assert open_tasks.filter(due_at__lt=NOW).exists()
    assert open_tasks.filter(due_at__gt=NOW).exists()
    assert not Task.objects.filter(status=Task.Status.DONE, completed_at__isnull=True).exists()
    assert not Task.objects.exclude(status=Task.Status.DONE).filter(completed_at__isnull=False).exists()
    assert not Task.objects.filter(
        contact__isnull=True, company__isnull=True, deal__isnull=True, lead__isnull=True
    ).exists()


def test_contacts_have_lifecycle_stages_and_sources() -> None:
    stages = set(Contact.objects.values_list("lifecycle_stage", flat=True))
    assert {"customer", "churned", "lead", "subscriber", "opportunity"} <= stages
    assert not Contact.objects.filter(lifecycle_stage="customer", orders__isnull=True).exists()
    assert Contact.objects.exclude(acquisition_source="").count() == 200
    contact = Contact.objects.first()
    assert contact is not None
    assert (contact.custom_fields, contact.version) == ({}, 1)


SERVICE_INDEXES: list[tuple[str, type[models.Model], Callable[[Any], None]]] = [
    ("company", Company, company_index),
    ("contact", Contact, contact_index),
    ("lead", Lead, lead_index),
    ("deal", Deal, deal_index),
]


@pytest.mark.parametrize(
    ("kind", "model", "index"), SERVICE_INDEXES, ids=[kind for kind, _, _ in SERVICE_INDEXES]
)
def test_search_entries_match_what_the_services_index(
    kind: str, model: type[models.Model], index: Callable[[Any], None]
) -> None:
    for record in model._default_manager.order_by("id")[:15]:
        loaded = SearchEntry.objects.get(kind=kind, object_id=record.pk)
        index(record)
        indexed = SearchEntry.objects.get(kind=kind, object_id=record.pk)
        assert (loaded.title, loaded.subtitle, loaded.text, loaded.owner_id) == (
            indexed.title,
            indexed.subtitle,
            indexed.text,
            indexed.owner_id,
        )


def test_search_finds_a_demo_contact_by_name_email_and_phone() -> None:
    contact = Contact.objects.order_by("id").last()
    assert contact is not None
    email = contact.emails.get(is_primary=True).email
    by_name = search(
        f"{contact.given_name} {contact.family_name}", actor=SYSTEM, kinds=["contact"], limit=200
    )
    assert contact.pk in [hit.object_id for hit in by_name]
    assert contact.pk in [
        hit.object_id for hit in search(email.split("@")[0], actor=SYSTEM, kinds=["contact"], limit=200)
    ]
    phone = contact.phones.first()
    if phone is not None:
        assert contact.pk in [
            hit.object_id for hit in search(phone.number[-7:], actor=SYSTEM, kinds=["contact"])
        ]


def checksum(*querysets: models.QuerySet[Any]) -> str:
    digest = hashlib.sha256()
    for queryset in querysets:
        fields = [field.attname for field in queryset.model._meta.concrete_fields]
        for row in queryset.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def demo_checksum() -> str:
    return checksum(
        Company.objects.all(),
        Contact.objects.all(),
        ContactEmail.objects.all(),
        ContactPhone.objects.all(),
        Deal.objects.all(),
        DealStageChange.objects.all(),
        Order.objects.all(),
        OrderLine.objects.all(),
        Interaction.objects.all(),
        SearchEntry.objects.all(),
    )


def delete_demo_records() -> None:
    """Children first; the reference data (reps, pipelines, products, tags) stays, as a reload reuses it."""
    demo_models: list[type[models.Model]] = [
        Task,
        InteractionContact,
        Interaction,
        OrderLine,
        Order,
        Lead,
        DealStageChange,
        DealContact,
        Deal,
        Employment,
        ContactEmail,
        ContactPhone,
        Contact,
        Company,
        SearchEntry,
        AuditEntry,
    ]
    for model in demo_models:
        model._default_manager.all().delete()


def test_the_same_seed_gives_the_same_data() -> None:
    before = demo_checksum()
    delete_demo_records()
    load_demo(contacts=CONTACTS, seed=SEED, today=TODAY, out=io.StringIO())
    assert demo_checksum() == before

    delete_demo_records()
    load_demo(contacts=CONTACTS, seed=SEED + 1, today=TODAY, out=io.StringIO())
    assert demo_checksum() != before


def test_large_loads_rebuild_the_indexes_they_drop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads that dwarf a table drop its non-unique indexes and create them again, unchanged."""
    tables = [model._meta.db_table for model in (Contact, ContactEmail, Order, SearchEntry)]

    def indexes() -> dict[str, dict[str, Any]]:
        with connection.cursor() as cursor:
            return {table: connection.introspection.get_constraints(cursor, table) for table in tables}

    before = indexes()
    delete_demo_records()
    monkeypatch.setattr(loader, "DEFER_INDEXES_FROM_ROWS", 1)
    load_demo(contacts=CONTACTS, seed=SEED, today=TODAY, out=io.StringIO())

    assert indexes() == before
    contact = Contact.objects.order_by("id").first()
    assert contact is not None
    assert contact.pk in [
        hit.object_id for hit in search(contact.full_name, actor=SYSTEM, kinds=["contact"], limit=200)
    ]


def test_a_failed_load_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = (Contact.objects.count(), Order.objects.count(), SearchEntry.objects.count())

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(generate, "write_tasks", fail)
    out = io.StringIO()
    with pytest.raises(RuntimeError, match="disk full"):
        load_demo(contacts=50, seed=1, today=TODAY, out=out)

    assert (Contact.objects.count(), Order.objects.count(), SearchEntry.objects.count()) == counts
    assert out.getvalue().splitlines()[-1] == "Failed: removing the 17 tables loaded so far."
