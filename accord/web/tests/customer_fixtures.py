"""Customers with a history of every kind for the 360 page tests (users and browsers: ``builders``).

Records are written through the services as Accord itself (so audit and search entries exist as in
real use) or, for long histories, with the activities factories (rows only, fast).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.activities.models import Interaction, Task
from accord.activities.tests.factories import (
    InteractionFactory,
    OrderFactory,
    StageChangeFactory,
    TaskFactory,
    at,
)
from accord.core.actors import SYSTEM
from accord.customers.models import Company, Contact, Employment
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal, DealContact, Pipeline, Stage
from accord.sales.services import deal_create, order_create, pipeline_create
from accord.users.models import User
from accord.web.tests.builders import STAGES


def pipeline() -> Pipeline:
    return pipeline_create(actor=SYSTEM, data={"name": "New business", "is_default": True, "stages": STAGES})


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def contact_of(owner: User | None, **data: Any) -> Contact:
    fields = {"given_name": "Ada", "family_name": "Lovelace", **data}
    if owner is not None:
        fields["owner_id"] = owner.pk
    return contact_create(actor=SYSTEM, data=fields)


def company_of(owner: User | None, **data: Any) -> Company:
    fields = {"name": "Analytical Engines Ltd", **data}
    if owner is not None:
        fields["owner_id"] = owner.pk
    return company_create(actor=SYSTEM, data=fields)


@dataclass
class History:
    """One customer's related rows of every kind, ``size`` of each (what the query-count tests vary)."""

    interactions: list[Interaction]
    deals: list[Deal]
    tasks: list[Task]


def fill_history(
    *, owner: User, contact: Contact | None = None, company: Company | None = None, size: int
) -> History:
    """``size`` interactions, open deals (each with a stage change), won deals, orders, tasks and, for
    a company, current and past people: every list and every total of the page has rows."""
    customer: dict[str, Any] = {"contact": contact} if contact is not None else {"company": company}
    open_stage, won_stage = stage("Qualify"), stage("Won")
    interactions, deals, tasks = [], [], []
    for index in range(size):
        when = at(index)
        if contact is not None:
            interactions.append(
                InteractionFactory.create(
                    occurred_at=when, contacts=[contact], owner=owner, subject=f"Call {index}"
                )
            )
        else:
            interactions.append(
                InteractionFactory.create(
                    occurred_at=when, company=company, owner=owner, subject=f"Call {index}"
                )
            )
        for deal_stage in (open_stage, won_stage):
            deal = Deal.objects.create(
                name=f"Deal {deal_stage.name} {index}",
                amount=Decimal("100.00"),
                pipeline=deal_stage.pipeline,
                stage=deal_stage,
                owner=owner,
                company=company,
                closed_at=when if deal_stage.kind == "won" else None,
            )
            if contact is not None:
                DealContact.objects.create(deal=deal, contact=contact)
            StageChangeFactory.create(deal=deal, to_stage=deal_stage, changed_at=when)
            deals.append(deal)
        OrderFactory.create(ordered_at=when, owner=owner, total="50.00", **customer)
        tasks.append(TaskFactory.create(title=f"Task {index}", assignee=owner, due_at=when, **customer))
        if company is not None:
            person = Contact.objects.create(given_name="Person", family_name=f"{index:03d}", owner=owner)
            Employment.objects.create(contact=person, company=company, is_current=index % 2 == 0)
    return History(interactions=interactions, deals=deals, tasks=tasks)


def order_for(contact: Contact, *, total: str, status: str = "paid", when: dt.datetime | None = None) -> Any:
    """An order written through its service (its total computed from one line)."""
    data: dict[str, Any] = {
        "contact_id": contact.pk,
        "status": status,
        "lines": [{"description": "Difference engine", "unit_price": Decimal(total)}],
    }
    if when is not None:
        data["ordered_at"] = when
    return order_create(actor=SYSTEM, data=data)


def open_deal(contact: Contact, owner: User, name: str = "Engine upgrade", amount: str = "2500") -> Deal:
    return deal_create(
        actor=SYSTEM,
        data={
            "name": name,
            "amount": Decimal(amount),
            "owner_id": owner.pk,
            "contacts": [{"contact_id": contact.pk}],
        },
    )
