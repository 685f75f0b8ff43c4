"""Users with roles, and signing in through the admin site's login page (a real ``authenticate()``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accord.access.models import Role
from accord.users.models import User
from accord.users.tests.settings_world import admin, admin_client, rep, rep_client  # noqa: F401 (fixtures of the settings page tests)

PASSWORD = "a long enough passphrase"
LOGIN_URL = "/admin/login/"

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(username: str, role: str = "sales_rep", **fields: Any) -> User:
        return User.objects.create_user(
            username=username, password=PASSWORD, role=Role.objects.get(key=role), is_staff=True, **fields
        )

    return make


def sign_in(client: Client, username: str, password: str = PASSWORD, address: str = "198.51.100.7") -> Any:
    """Post the admin site's login form from ``address``; 302 means signed in."""
    return client.post(
        LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def signed_in(response: Any) -> bool:
    return response.status_code == 302
