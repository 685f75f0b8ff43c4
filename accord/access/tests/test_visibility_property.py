"""Property: for random users, teams, roles, defaults, shares and records of every object type, the ids a
user gets from the list = from the count = from search = from the export = those whose detail answers
200 = those an independent oracle computes from the rules; and hidden fields appear nowhere.

The oracle below restates docs/security.md over plain Python sets; it shares no code with
``accord.access.rules`` or ``accord.core.permissions``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.access.builtin_roles import BUILTIN_ROLES
from accord.access.models import RecordShare, SharingDefault, Team, TeamMembership
from accord.access.rules import SENSITIVE_FIELDS
from accord.access.tests.world import CATALOG_TYPES, PLURALS, SEARCHABLE_TYPES, client_for, make_user
from accord.activities.services import interaction_create, task_create
from accord.core.actors import SYSTEM
from accord.customers.services import company_create, contact_create
from accord.sales.services import deal_create, lead_create, order_create, pipeline_create, product_create

pytestmark = pytest.mark.django_db(transaction=False)

ROLES = {role.key: role for role in BUILTIN_ROLES}
OWNED = ("company", "contact", "lead", "deal", "order", "interaction", "task")
# Weighted towards the narrow defaults, where the rules have the most to decide.
VISIBILITIES = ("private", "team", "private", "team", "public_read", "public_read_write")
DERIVED_KEYS = {("contact", "phones"): {"phones", "primary_phone"}}


@dataclass
class Spec:
    roles: list[str]  # one per user
    teams: list[tuple[set[int], int | None]]  # (member user indexes, manager user index)
    defaults: dict[str, str]
    records: list[tuple[str, int | None, int | None]]  # (type, owner user index, deal record index)
    shares: list[tuple[int, str, int, str]]  # (record index, "user"/"team", grantee index, access)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    users = draw(st.integers(2, 4))
    roles = draw(st.lists(st.sampled_from(list(ROLES)), min_size=users, max_size=users))
    team_count = draw(st.integers(1, 2) | st.just(0))
    teams = [
        (
            draw(st.sets(st.integers(0, users - 1), max_size=users)),
            draw(st.integers(0, users - 1) | st.none()),
        )
        for _ in range(team_count)
    ]
    defaults = {kind: draw(st.sampled_from(VISIBILITIES)) for kind in OWNED}
    records: list[tuple[str, int | None, int | None]] = []
    for kind in OWNED:
        for _ in range(draw(st.integers(1, 2))):
            owner = draw(st.none() | st.integers(0, users - 1))
            deals = [index for index, record in enumerate(records) if record[0] == "deal"]
            deal = draw(st.none() | st.sampled_from(deals)) if kind == "interaction" and deals else None
            records.append((kind, owner, deal))
    shares = []
    for _ in range(draw(st.integers(0, 4))):
        grantee_kind = draw(st.sampled_from(["user", "team"] if team_count else ["user"]))
        grantee = draw(st.integers(0, (users if grantee_kind == "user" else team_count) - 1))
        record = draw(st.integers(0, len(records) - 1))
        shares.append((record, grantee_kind, grantee, draw(st.sampled_from(["read", "edit"]))))
    return Spec(roles, teams, defaults, records, shares)


@dataclass
class Built:
    users: list[Any] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)


def _build(spec: Spec) -> Built:
    built = Built()
    built.users = [make_user(f"user{index}", role) for index, role in enumerate(spec.roles)]
    for index, (members, manager) in enumerate(spec.teams):
        team = Team.objects.create(
            name=f"Team {index}", manager=built.users[manager] if manager is not None else None
        )
        TeamMembership.objects.bulk_create([TeamMembership(team=team, user=built.users[m]) for m in members])
        built.teams.append(team)
    for kind, visibility in spec.defaults.items():
        SharingDefault.objects.create(object_type=kind, visibility=visibility)
    pipeline_create(
        actor=SYSTEM, data={"name": "Zq pipeline", "is_default": True, "stages": [{"name": "New"}]}
    )
    product_create(actor=SYSTEM, data={"name": "Zq product", "sku": "ZQ", "unit_price": Decimal("1")})
    for index, (kind, owner, deal) in enumerate(spec.records):
        owned = {"owner_id": built.users[owner].pk if owner is not None else None}
        name = f"Zq {kind} {index}"
        data: dict[str, Any]
        record: Any
        if kind == "company":
            record = company_create(
                actor=SYSTEM, data={"name": name, "annual_revenue": Decimal("9"), **owned}
            )
        elif kind == "contact":
            data = {"given_name": "Zq", "family_name": str(index), "phones": [{"number": "+14155552671"}]}
            record = contact_create(actor=SYSTEM, data={**data, **owned})
        elif kind == "lead":
            record = lead_create(
                actor=SYSTEM,
                data={"given_name": "Zq", "family_name": str(index), "phone": "+14155552671", **owned},
            )
        elif kind == "deal":
            record = deal_create(actor=SYSTEM, data={"name": name, "amount": Decimal("5"), **owned})
        elif kind == "order":
            lines = [{"description": name, "unit_price": Decimal("3")}]
            customer = next(built.records[i] for i, (k, _, _) in enumerate(spec.records) if k == "contact")
            record = order_create(actor=SYSTEM, data={"contact_id": customer.pk, "lines": lines, **owned})
        elif kind == "interaction":
            data = {"kind": "note", "channel": "internal", "occurred_at": timezone.now(), "subject": name}
            if deal is not None:
                data["deal_id"] = built.records[deal].pk
            record = interaction_create(actor=SYSTEM, data={**data, **owned})
        else:
            record = task_create(actor=SYSTEM, data={"title": name, "assignee_id": owned["owner_id"]})
        built.records.append(record)
    for record_index, grantee_kind, grantee, access in spec.shares:
        kind = spec.records[record_index][0]
        RecordShare.objects.get_or_create(
            object_type=kind,
            object_id=built.records[record_index].pk,
            **({"user": built.users[grantee]} if grantee_kind == "user" else {"team": built.teams[grantee]}),
            defaults={"access": access},
        )
    return built


# ---------------------------------------------------------------------------- the oracle


def _sees(spec: Spec, user: int, record_index: int) -> bool:
    kind, owner, deal = spec.records[record_index]
    role = ROLES[spec.roles[user]]
    if not (role.is_admin or "view" in role.permissions.get(kind, [])):
        return False
    if deal is not None:  # an interaction on a deal follows the deal
        return _sees(spec, user, deal)
    if role.is_admin:
        return True
    my_teams = {index for index, (members, _) in enumerate(spec.teams) if user in members}
    shared = any(
        record == record_index
        and ((how == "user" and grantee == user) or (how == "team" and grantee in my_teams))
        for record, how, grantee, _ in spec.shares
    )
    if role.is_external:
        return owner == user or shared
    visibility = spec.defaults[kind]
    if visibility in ("public_read", "public_read_write") or owner == user or shared:
        return True
    if owner is None:
        return False
    managed = any(manager == user and owner in members for members, manager in spec.teams)
    teammate = any(user in members and owner in members for members, _ in spec.teams)
    return managed or (visibility == "team" and teammate)


def _hidden(spec: Spec, user: int, kind: str) -> set[str]:
    role = ROLES[spec.roles[user]]
    if role.is_admin:
        return set()
    keys: set[str] = set()
    for name in role.hidden_fields.get(kind, []):
        keys |= DERIVED_KEYS.get((kind, name), {name})
    return keys


# ---------------------------------------------------------------------------- the property


def _check_user(spec: Spec, built: Built, user: int) -> None:
    call = client_for(built.users[user])
    role = ROLES[spec.roles[user]]
    for kind in OWNED:
        plural = PLURALS[kind]
        records = [index for index, record in enumerate(spec.records) if record[0] == kind]
        expected = {built.records[index].pk for index in records if _sees(spec, user, index)}
        hidden = _hidden(spec, user, kind)
        can_view = role.is_admin or "view" in role.permissions.get(kind, [])
        listed = call("GET", f"/{plural}?limit=200")
        if not can_view:
            assert listed.status_code == 403
            assert not expected
        else:
            items = listed.json()["items"]
            assert {item["id"] for item in items} == expected, (kind, listed.json())
            assert all(not hidden & item.keys() for item in items)
            assert call("GET", f"/{plural}/count").json()["count"] == len(expected)
        exported = call("GET", f"/{plural}/export")
        if can_view and (role.is_admin or "export" in role.permissions.get(kind, [])):
            text = b"".join(exported.streaming_content).decode("utf-8-sig")
            reader = csv.DictReader(io.StringIO(text))
            assert {int(row["id"]) for row in reader} == expected
            assert not hidden & set(reader.fieldnames or ())
        else:
            assert exported.status_code == 403
        if kind in SEARCHABLE_TYPES:
            hits = call("GET", f"/search?q=zq&kinds={kind}&limit=50").json()["items"]
            assert {hit["id"] for hit in hits} == expected, kind
        seen_by_detail = set()
        for index in records:
            response = call("GET", f"/{plural}/{built.records[index].pk}")
            assert response.status_code in (200, 404)
            if response.status_code == 200:
                seen_by_detail.add(built.records[index].pk)
                assert not hidden & response.json().keys()
                assert set(SENSITIVE_FIELDS.get(kind, ())) - hidden <= response.json().keys()
        assert seen_by_detail == expected, kind
    for kind in CATALOG_TYPES:
        can_view = role.is_admin or "view" in role.permissions.get(kind, [])
        assert call("GET", f"/{PLURALS[kind]}").status_code == (200 if can_view else 403)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(spec=specs())
def test_every_read_path_agrees_with_the_oracle(db: None, spec: Spec) -> None:
    with transaction.atomic():
        built = _build(spec)
        for user in range(len(spec.roles)):
            _check_user(spec, built, user)
        transaction.set_rollback(True)  # each example starts from an empty organisation
