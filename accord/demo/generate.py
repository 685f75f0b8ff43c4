"""``load_demo``: a realistic, deterministic CRM dataset of any size, loaded in bulk.

Sizes follow the number of contacts N: N/5 companies, N/5 deals, N/10 leads, N/5 tasks, about
0.8 N orders with 1.9 lines each and 0.8 N interactions. The same seed on the same day gives the
same rows (every table draws from its own random stream); dates end at the start of today.

Everything is planned in numpy first, then each table is loaded in its own transaction. When any
table fails, the tables loaded before it are deleted again, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from django.db import transaction
from django.utils import timezone

from accord.core.errors import ValidationFailed
from accord.core.models import AuditEntry
from accord.customers.models import Company, Contact
from accord.demo import MAX_CONTACTS
from accord.demo.activities import write_interactions, write_tasks
from accord.demo.loader import BulkLoader
from accord.demo.orders import Purchases, plan_purchases, revenue_share_of_top, write_orders
from accord.demo.people import (
    LIFECYCLE,
    Contacts,
    plan_companies,
    plan_contacts,
    write_companies,
    write_contacts,
    write_tags,
)
from accord.demo.reference import load_reference
from accord.demo.sales import OPEN, Deals, plan_deals, plan_leads, write_deals, write_leads
from accord.demo.sampling import stream, weighted
from accord.demo.search import write_search_entries
from accord.sales.models import Deal, Lead

# Lifecycle of people who never bought, and of customers who did and still do.
PROSPECT_STAGES = {"subscriber": 25, "lead": 45, "opportunity": 10, "other": 20}
EVANGELIST_SHARE = 0.12


@dataclass(frozen=True)
class DemoResult:
    rows: dict[str, int]  # by table label
    seconds: float
    top_fifth_revenue_share: float


def start_of_day(day: dt.date) -> int:
    """Epoch seconds of midnight of ``day`` in the current time zone."""
    return int(dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone()).timestamp())


def load_demo(
    *, contacts: int = 5000, seed: int = 42, today: dt.date | None = None, out: TextIO | None = None
) -> DemoResult:
    if not 1 <= contacts <= MAX_CONTACTS:
        raise ValidationFailed({"contacts": [f"Choose between 1 and {MAX_CONTACTS:,} contacts."]})
    out = out or sys.stdout
    now = start_of_day(today or timezone.localdate())
    started = time.perf_counter()
    out.write(f"Loading demo data: {contacts:,} contacts, seed {seed}.\n")
    loader = BulkLoader(out=out)
    try:
        with loader.session():
            purchases = _load(loader, contacts=contacts, seed=seed, now=now)
            _audit(loader, contacts=contacts, seed=seed)
        loader.optimize()
    except BaseException:
        if loader.loads:
            start = "\n" if loader.interactive else ""  # after a progress line left open
            out.write(f"{start}Failed: removing the {len(loader.loads)} tables loaded so far.\n")
            loader.unload()
        raise
    result = DemoResult(
        rows=loader.rows_by_label(),
        seconds=time.perf_counter() - started,
        top_fifth_revenue_share=revenue_share_of_top(purchases),
    )
    out.write(
        f"Loaded {sum(result.rows.values()):,} rows in {result.seconds:.1f} s; "
        f"the top 20 % of customers make {result.top_fifth_revenue_share:.0%} of the revenue.\n"
    )
    return result


def _load(loader: BulkLoader, *, contacts: int, seed: int, now: int) -> Purchases:
    reference = load_reference(stream(seed, "reference"), now=now)
    lead_count = max(5, contacts // 10)
    companies = plan_companies(
        stream(seed, "companies"),
        max(1, contacts // 5),
        user_ids=reference.user_ids,
        user_weights=reference.user_weights,
        now=now,
        extra_names=lead_count,
    )
    people = plan_contacts(stream(seed, "contacts"), contacts, companies, now=now)
    employees = people.employees(companies.count)
    purchases = plan_purchases(stream(seed, "orders"), people, now=now)
    deals = plan_deals(
        stream(seed, "deals"),
        max(1, contacts // 5),
        people,
        companies,
        employees,
        reference.pipelines,
        now=now,
    )
    people.lifecycle = lifecycle_stages(stream(seed, "lifecycle"), people, purchases, deals)

    write_companies(loader, stream(seed, "companies.rows"), companies, now=now)
    write_tags(
        loader,
        stream(seed, "companies.tags"),
        Company,
        companies.first_id,
        companies.count,
        reference.tag_ids,
        share=0.2,
    )
    write_contacts(loader, stream(seed, "contacts.rows"), people, companies, now=now)
    write_tags(
        loader,
        stream(seed, "contacts.tags"),
        Contact,
        people.first_id,
        people.count,
        reference.tag_ids,
        share=0.3,
    )
    write_deals(
        loader, stream(seed, "deals.rows"), deals, people, companies, employees, reference.pipelines, now=now
    )
    write_tags(
        loader, stream(seed, "deals.tags"), Deal, deals.first_id, deals.count, reference.tag_ids, share=0.1
    )
    lead_companies = range(companies.count, companies.count + lead_count)
    leads = plan_leads(
        stream(seed, "leads"),
        lead_count,
        deals,
        people,
        companies,
        lead_companies,
        reference.user_ids,
        now=now,
    )
    write_leads(loader, stream(seed, "leads.rows"), leads, deals, people, companies, now=now)
    write_tags(
        loader, stream(seed, "leads.tags"), Lead, leads.first_id, leads.count, reference.tag_ids, share=0.1
    )
    write_orders(
        loader, stream(seed, "orders.rows"), purchases, people, companies, reference.product_ids, now=now
    )
    write_interactions(loader, stream(seed, "interactions"), people, companies, employees, deals, now=now)
    write_tasks(
        loader,
        stream(seed, "tasks"),
        max(5, contacts // 5),
        people,
        companies,
        deals,
        leads,
        reference.user_ids,
        now=now,
    )
    write_search_entries(loader, companies, people, leads, deals)
    return purchases


def lifecycle_stages(
    rng: np.random.Generator, contacts: Contacts, purchases: Purchases, deals: Deals
) -> np.ndarray:
    """Customers bought and still buy, churned customers stopped, people in an open deal are
    opportunities, everybody else is a subscriber, lead or other."""
    prospects = [LIFECYCLE.index(stage) for stage in PROSPECT_STAGES]
    stage = np.array(prospects)[weighted(rng, list(PROSPECT_STAGES.values()), contacts.count)]
    stage[deals.contact[deals.outcome == OPEN]] = LIFECYCLE.index("opportunity")
    loyal = rng.random(len(purchases.buyer)) < EVANGELIST_SHARE
    stage[purchases.buyer] = np.where(
        purchases.buyer_churned,
        LIFECYCLE.index("churned"),
        np.where(loyal, LIFECYCLE.index("evangelist"), LIFECYCLE.index("customer")),
    )
    return stage


@transaction.atomic
def _audit(loader: BulkLoader, *, contacts: int, seed: int) -> None:
    """One entry for the whole load rather than one per row."""
    AuditEntry.objects.create(
        via=AuditEntry.Via.CLI,
        action="demo_load",
        object_type="demo",
        object_repr=f"Demo data: {contacts:,} contacts, seed {seed}",
        changes={label: [None, rows] for label, rows in loader.rows_by_label().items()},
    )
