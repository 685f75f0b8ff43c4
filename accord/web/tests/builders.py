"""Users, signed-in browsers and records for the web page tests, written through the services as Accord
itself (so search entries exist, as in real use). Shared by the view tests of every area (customers, sales,
web) and the browser tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.test import Client

from accord.access.models import Role, SharingDefault, Team, TeamMembership
from accord.activities.models import Interaction, Task
from accord.activities.services import interaction_create, task_create
from accord.core.actors import SYSTEM
from accord.customers.models import Company, Contact
from accord.customers.services import company_create, contact_create
from accord.sales.models import Deal, Lead, Pipeline, Stage
from accord.sales.services import deal_create, lead_create, pipeline_create
from accord.users.models import User

PASSWORD = "correct horse battery staple"
# What an htmx request sends, as test client keyword arguments: ``client.get(path, **HTMX)``.
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Propose", "probability": 50},
    {"name": "Won", "kind": "won", "probability": 100},
    {"name": "Lost", "kind": "lost"},
]


def make_user(username: str, role_key: str = "sales_rep", **fields: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=Role.objects.get(key=role_key), **fields
    )


def browser(user: User) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def private(*object_types: str) -> None:
    """Make these types private: each user sees only their own records (and those shared with them)."""
    for object_type in object_types:
        SharingDefault.objects.update_or_create(object_type=object_type, defaults={"visibility": "private"})


def make_team(name: str, *members: User) -> Team:
    team = Team.objects.create(name=name)
    TeamMembership.objects.bulk_create([TeamMembership(team=team, user=member) for member in members])
    return team


def make_pipeline(name: str = "New business", *, is_default: bool = True) -> dict[str, Stage]:
    pipeline: Pipeline = pipeline_create(
        actor=SYSTEM, data={"name": name, "is_default": is_default, "stages": STAGES}
    )
    return {stage.name: stage for stage in pipeline.stages.all()}


def company(name: str, owner: User | None, **fields: Any) -> Company:
    return company_create(actor=SYSTEM, data={"name": name, "owner_id": owner and owner.pk, **fields})


def contact(given_name: str, family_name: str, owner: User | None, **fields: Any) -> Contact:
    return contact_create(
        actor=SYSTEM,
        data={"given_name": given_name, "family_name": family_name, "owner_id": owner and owner.pk, **fields},
    )


def lead(given_name: str, family_name: str, owner: User | None, **fields: Any) -> Lead:
    return lead_create(
        actor=SYSTEM,
        data={"given_name": given_name, "family_name": family_name, "owner_id": owner and owner.pk, **fields},
    )


def deal(
    name: str,
    owner: User | None,
    stage: Stage,
    *,
    amount: str = "1000.00",
    closes: dt.date | None = None,
    **fields: Any,
) -> Deal:
    data = {
        "name": name,
        "owner_id": owner and owner.pk,
        "stage_id": stage.pk,
        "amount": Decimal(amount),
        "expected_close_date": closes,
        **fields,
    }
    return deal_create(actor=SYSTEM, data=data)


def task(title: str, assignee: User | None, *, due: dt.datetime | None = None, **fields: Any) -> Task:
    return task_create(
        actor=SYSTEM, data={"title": title, "assignee_id": assignee and assignee.pk, "due_at": due, **fields}
    )


def interaction(subject: str, owner: User | None, *, at: dt.datetime, **fields: Any) -> Interaction:
    data = {
        "kind": "call",
        "channel": "phone",
        "subject": subject,
        "occurred_at": at,
        "owner_id": owner and owner.pk,
    }
    return interaction_create(actor=SYSTEM, data={**data, **fields})


def closed_on(deals: QuerySet[Deal] | list[Deal], moment: dt.datetime) -> None:
    """Move the closing time of won deals into the past (the services stamp the current time)."""
    Deal.objects.filter(pk__in=[item.pk for item in deals]).update(closed_at=moment)
