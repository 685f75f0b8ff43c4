"""A small organisation for the board, deal page and lead conversion tests: teams East (alice, bob) and West
(carol), users in the roles the page tests need, and a default pipeline with one stage of each kind.
Records are written through the services as Accord itself, as in real use."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.access.models import Role, Team, TeamMembership
from accord.core.actors import SYSTEM
from accord.sales.models import Deal, Pipeline, Stage
from accord.sales.services import deal_create, pipeline_create
from accord.users.models import User
from accord.web.tests.builders import STAGES


@dataclass
class Org:
    alice: User  # sales representative, East
    bob: User  # sales representative, East
    carol: User  # sales representative, West
    pipeline: Pipeline
    stages: dict[str, Stage]


def make_user(username: str, role_key: str, *, team: str | None = "East", **names: str) -> User:
    """A user in ``role_key``, a member of ``team`` (East by default, alice's and bob's team)."""
    user = User.objects.create_user(username=username, role=Role.objects.get(key=role_key), **names)
    if team is not None:
        TeamMembership.objects.create(team=Team.objects.get_or_create(name=team)[0], user=user)
    return user


def build_org() -> Org:
    alice = make_user("alice", "sales_rep", first_name="Alice", last_name="Archer")
    bob = make_user("bob", "sales_rep", first_name="Bob", last_name="Baker")
    carol = make_user("carol", "sales_rep", team="West", first_name="Carol", last_name="Cook")
    pipeline = pipeline_create(
        actor=SYSTEM, data={"name": "New business", "is_default": True, "stages": STAGES}
    )
    return Org(alice, bob, carol, pipeline, {stage.name: stage for stage in pipeline.stages.all()})


def make_deal(owner: User | None, stage: Stage, name: str = "Deal", **data: Any) -> Deal:
    fields: dict[str, Any] = {"name": name, "amount": Decimal("100.00"), "stage_id": stage.pk, **data}
    if owner is not None:
        fields["owner_id"] = owner.pk
    if stage.kind == Stage.Kind.LOST:
        fields.setdefault("lost_reason", "Too expensive")
    return deal_create(actor=SYSTEM, data=fields)


# The header of an htmx request; the board's drag and drop sends it too.
HTMX = {"HX-Request": "true"}


def query_count(client: Client, path: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, **extra)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def text_of(response: Any) -> str:
    """The page's text without tags and with collapsed spaces, for assertions on what a user reads."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


def next_month() -> dt.date:
    return dt.date.today() + dt.timedelta(days=30)
