"""Helpers of the settings page tests: signed-in clients (``builders.browser``), audit entries, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.access.models import Role
from accord.core.models import AuditEntry
from accord.users.models import User
from accord.web.tests.builders import browser

PASSWORD = "a long enough passphrase"
HUGE = 2**70


def make_user(username: str, role: str = "sales_rep", **fields: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=Role.objects.get(key=role), **fields
    )


@pytest.fixture
def admin(db: None) -> User:
    return make_user("ada", role="administrator", first_name="Ada", last_name="Admin")


@pytest.fixture
def admin_client(admin: User) -> Client:
    return browser(admin)


@pytest.fixture
def rep(db: None) -> User:
    return make_user("rex", role="sales_rep")


@pytest.fixture
def rep_client(rep: User) -> Client:
    return browser(rep)


def last_audit_id() -> int:
    last = AuditEntry.objects.order_by("-id").first()
    return last.pk if last else 0


def audit_after(first_id: int) -> list[tuple[str, str, Any]]:
    """(action, object type, changes) of the audit entries written after ``first_id``, in order."""
    return [
        (entry.action, entry.object_type, entry.changes)
        for entry in AuditEntry.objects.filter(id__gt=first_id).order_by("id")
    ]


def queries_of(client: Client, url: str) -> int:
    """How many queries one GET of ``url`` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def field_errors(response: Any) -> dict[str, list[str]]:
    """The errors of the form in a re-rendered page, by field (``__all__`` above the form)."""
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}
