"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from accord.access.models import Role
from accord.core.actors import Actor
from accord.users.models import User
from accord.users.services import token_create


@pytest.fixture
def user(db: None) -> User:
    """An administrator: the domain tests exercise behaviour, accord/access/tests exercise permissions."""
    return User.objects.create_user(
        username="rep",
        password="correct horse battery",
        email="rep@example.com",
        role=Role.objects.get(key="administrator"),
    )


@pytest.fixture
def actor(user: User) -> Actor:
    return Actor(user=user, via="api")


@pytest.fixture
def api_client(user: User) -> ApiClient:
    issued = token_create(actor=Actor(user=user, via="cli"), user=user, name="tests", scope="write")
    return ApiClient(issued.secret)


class ApiClient:
    """Django's test client with a bearer token and JSON bodies; goes through the full middleware stack."""

    def __init__(self, secret: str) -> None:
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", **kwargs)

    def post(self, path: str, data: object = None, **kwargs):
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json", **kwargs)

    def patch(self, path: str, data: object = None, **kwargs):
        return self.client.patch(f"/api/v1{path}", data=data, content_type="application/json", **kwargs)

    def put(self, path: str, data: object = None, **kwargs):
        return self.client.put(f"/api/v1{path}", data=data, content_type="application/json", **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(f"/api/v1{path}", **kwargs)
