"""A small organisation for permission tests: two teams, users in every role, records in every relation.

Records are written through the services as Accord itself (so search entries exist, as in real use),
with the owner each relation needs. The relations, as seen by ``alice`` (a member of team East):
``own`` (alice's), ``teammate`` (bob's, East), ``other`` (carol's, West), ``shared`` (carol's, shared
with alice to read) and ``shared_edit`` (carol's, shared with alice to edit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from accord.access.models import RecordShare, Role, Team, TeamMembership
from accord.activities.services import interaction_create, task_create
from accord.core.actors import SYSTEM
from accord.customers.services import company_create, contact_create
from accord.sales.services import deal_create, lead_create, order_create, pipeline_create, product_create
from accord.users.models import User
from accord.users.services import token_create

RELATIONS = ("own", "teammate", "other", "shared", "shared_edit")
OWNED_TYPES = ("company", "contact", "lead", "deal", "order", "interaction", "task")
CATALOG_TYPES = ("product", "pipeline")
SEARCHABLE_TYPES = ("company", "contact", "lead", "deal")
PLURALS = {
    "company": "companies",
    "contact": "contacts",
    "lead": "leads",
    "deal": "deals",
    "order": "orders",
    "interaction": "interactions",
    "task": "tasks",
    "product": "products",
    "pipeline": "pipelines",
}
# A harmless change per type, and a valid new record per type (``{contact}``: one of alice's contacts).
PATCHES: dict[str, dict[str, Any]] = {
    "company": {"industry": "Zq industry"},
    "contact": {"job_title": "Zq title"},
    "lead": {"job_title": "Zq title"},
    "deal": {"name": "Zq renamed"},
    "order": {"sales_channel": "phone"},
    "interaction": {"subject": "Zq renamed"},
    "task": {"title": "Zq renamed"},
    "product": {"description": "Zq description"},
    "pipeline": {"name": "Zq renamed"},
}


def new_record(object_type: str, contact_id: int) -> dict[str, Any]:
    records: dict[str, dict[str, Any]] = {
        "company": {"name": "Zq new"},
        "contact": {"given_name": "Zq", "family_name": "New"},
        "lead": {"given_name": "Zq", "family_name": "New"},
        "deal": {"name": "Zq new"},
        "order": {"contact_id": contact_id, "lines": [{"description": "Zq", "unit_price": "5"}]},
        "interaction": {"kind": "call", "channel": "phone", "occurred_at": timezone.now().isoformat()},
        "task": {"title": "Zq new"},
        "product": {"name": "Zq new", "sku": "ZQ-NEW", "unit_price": "3"},
        "pipeline": {"name": "Zq new", "stages": [{"name": "One"}]},
    }
    return records[object_type]


def _create(object_type: str, owner: User | None, label: str) -> Any:
    """One record of the type, owned by ``owner``, with every sensitive field filled in."""
    owned = {"owner_id": owner.pk} if owner is not None else {}
    if object_type == "company":
        return company_create(
            actor=SYSTEM, data={"name": f"Zq {label}", "annual_revenue": Decimal("1000"), **owned}
        )
    if object_type == "contact":
        phones = [{"number": "+14155552671"}]
        return contact_create(
            actor=SYSTEM, data={"given_name": "Zq", "family_name": label, "phones": phones, **owned}
        )
    if object_type == "lead":
        return lead_create(
            actor=SYSTEM, data={"given_name": "Zq", "family_name": label, "phone": "+14155552671", **owned}
        )
    if object_type == "deal":
        return deal_create(actor=SYSTEM, data={"name": f"Zq {label}", "amount": Decimal("100"), **owned})
    if object_type == "order":
        customer = _create("contact", owner, f"{label} customer")
        lines = [{"description": "Zq", "unit_price": Decimal("10")}]
        return order_create(actor=SYSTEM, data={"contact_id": customer.pk, "lines": lines, **owned})
    if object_type == "interaction":
        data = {"kind": "call", "channel": "phone", "occurred_at": timezone.now(), "subject": f"Zq {label}"}
        return interaction_create(actor=SYSTEM, data={**data, **owned})
    if object_type == "task":
        return task_create(
            actor=SYSTEM, data={"title": f"Zq {label}", "assignee_id": owner.pk if owner else None}
        )
    if object_type == "product":
        return product_create(
            actor=SYSTEM, data={"name": f"Zq {label}", "sku": f"ZQ-{label}", "unit_price": Decimal("1")}
        )
    if object_type == "pipeline":
        return pipeline_create(actor=SYSTEM, data={"name": f"Zq {label}", "stages": [{"name": "One"}]})
    raise AssertionError(object_type)


def make_user(username: str, role_key: str) -> User:
    return User.objects.create_user(username=username, role=Role.objects.get(key=role_key))


def client_for(user: User) -> Callable[..., Any]:
    """A request function for ``user``: ``call(method, path, body=None)`` -> response."""
    secret = token_create(actor=SYSTEM, user=user, name="tests", scope="write").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(method: str, path: str, body: Any = None, **headers: str) -> Any:
        send = getattr(client, method.lower())
        if body is None:
            return send(f"/api/v1{path}", **headers)
        return send(f"/api/v1{path}", data=body, content_type="application/json", **headers)

    return call


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    east: Team
    west: Team
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> relation -> record

    def ids(self, object_type: str, relations: set[str]) -> set[int]:
        return {record.pk for relation, record in self.records[object_type].items() if relation in relations}


def build_world(alice_role: str, object_types: tuple[str, ...]) -> World:
    """Teams East (alice, bob) and West (carol); every relation for each owned type, one record per catalogue
    type. A default pipeline exists so that deals can be created."""
    alice, bob, carol = (
        make_user("alice", alice_role),
        make_user("bob", "sales_rep"),
        make_user("carol", "sales_rep"),
    )
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team=east, user=alice),
            TeamMembership(team=east, user=bob),
            TeamMembership(team=west, user=carol),
        ]
    )
    pipeline_create(actor=SYSTEM, data={"name": "Sales", "is_default": True, "stages": [{"name": "New"}]})
    world = World(alice=alice, bob=bob, carol=carol, east=east, west=west)
    owners = {"own": alice, "teammate": bob, "other": carol, "shared": carol, "shared_edit": carol}
    for object_type in object_types:
        if object_type in CATALOG_TYPES:
            world.records[object_type] = {"catalog": _create(object_type, None, "catalog")}
            continue
        world.records[object_type] = {
            relation: _create(object_type, owners[relation], relation) for relation in RELATIONS
        }
        for relation, access in (("shared", "read"), ("shared_edit", "edit")):
            RecordShare.objects.create(
                object_type=object_type,
                object_id=world.records[object_type][relation].pk,
                user=alice,
                access=access,
            )
    return world
