"""The interaction and task lists: the checks every list passes, and what is particular to these two."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activities.services import interaction_create, task_create
from accord.activities.views import INTERACTIONS, TASKS
from accord.core.actors import SYSTEM
from accord.core.listing import ListSpec
from accord.core.tests.list_checks import *  # noqa: F403  (the checks every list passes)
from accord.core.tests.list_checks import shown_ids, signed_in
from accord.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[INTERACTIONS, TASKS], ids=lambda spec: spec.key)
def spec(request: pytest.FixtureRequest) -> ListSpec:
    return request.param


def test_overdue_tasks_are_marked_and_filterable(user: User) -> None:
    now = timezone.now()
    late = task_create(
        actor=SYSTEM, data={"title": "Late", "due_at": now - dt.timedelta(days=1), "assignee_id": user.pk}
    )
    task_create(
        actor=SYSTEM, data={"title": "Soon", "due_at": now + dt.timedelta(days=1), "assignee_id": user.pk}
    )
    client = signed_in(user)
    page = client.get("/tasks/").content.decode()
    assert page.count('class="overdue"') == 1
    assert shown_ids(client.get("/tasks/?overdue=true")) == {late.pk}
    assert client.get("/tasks/?overdue=maybe").status_code == 400


def test_interactions_filter_by_channel_and_search_their_text(user: User) -> None:
    now = timezone.now()
    call = interaction_create(
        actor=SYSTEM, data={"kind": "call", "channel": "phone", "occurred_at": now, "subject": "Pricing"}
    )
    interaction_create(
        actor=SYSTEM, data={"kind": "email", "channel": "email", "occurred_at": now, "subject": "Hello"}
    )
    client = signed_in(user)
    assert shown_ids(client.get("/interactions/?channel=phone")) == {call.pk}
    assert shown_ids(client.get("/interactions/?q=pricing")) == {call.pk}
