"""User administration through /api/v1/users: administrators only, every write audited once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.core.tests.paging import all_pages
from accord.users.models import ApiToken, User, UserSession
from accord.users.services import token_create
from accord.users.tests.conftest import PASSWORD, MakeUser
from conftest import ApiClient

pytestmark = pytest.mark.django_db


def client_for(user: User) -> ApiClient:
    issued = token_create(actor=Actor(user=user, via="cli"), user=user, name="t", scope="write")
    return ApiClient(issued.secret)


def role_id(key: str) -> int:
    return Role.objects.get(key=key).pk


def entries_after(first_id: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=first_id).order_by("id"))


def last_entry_id() -> int:
    last = AuditEntry.objects.order_by("-id").first()
    return last.pk if last else 0


ADMIN_ENDPOINTS = [
    ("get", "/users", None),
    ("post", "/users", {"username": "x", "role_id": 1}),
    ("get", "/users/{id}", None),
    ("patch", "/users/{id}", {"first_name": "X"}),
    ("post", "/users/{id}/disable", None),
    ("post", "/users/{id}/enable", None),
    ("get", "/audit", None),
]


@pytest.mark.parametrize("role", ["sales_manager", "sales_rep", "analyst", "read_only", "external_partner"])
@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ENDPOINTS)
def test_non_administrators_are_refused(
    make_user: MakeUser, role: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    target = make_user("target")
    client = client_for(make_user("someone", role=role))
    before = last_entry_id()
    call = getattr(client, method)
    response = call(path.format(id=target.pk), body) if body is not None else call(path.format(id=target.pk))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert entries_after(before) == []
    assert User.objects.get(pk=target.pk).is_active


def test_create_with_a_generated_password_returned_once(api_client: ApiClient, user: User) -> None:
    before = last_entry_id()
    response = api_client.post(
        "/users",
        {"username": "ann", "email": "Ann@Example.com", "first_name": "Ann", "role_id": role_id("sales_rep")},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["email"], body["role"]["key"], body["is_admin"]) == (
        "ann",
        "ann@example.com",
        "sales_rep",
        False,
    )
    assert response["ETag"] == '"1"'
    ann = User.objects.get(username="ann")
    assert authenticate(username="ann", password=body["password"]) == ann
    assert "password" not in api_client.get(f"/users/{ann.pk}").json()
    [entry] = entries_after(before)
    assert (entry.action, entry.actor_id, entry.object_id, entry.via) == ("create", user.pk, ann.pk, "api")
    assert body["password"] not in str(entry.changes)


def test_create_with_a_chosen_password_does_not_echo_it(api_client: ApiClient) -> None:
    response = api_client.post(
        "/users", {"username": "ann", "password": PASSWORD, "role_id": role_id("sales_rep")}
    )
    assert (response.status_code, response.json()["password"]) == (201, None)


def test_create_validates_every_field_and_audits_nothing(api_client: ApiClient) -> None:
    before = last_entry_id()
    bad = api_client.post(
        "/users", {"username": "a b", "password": "short", "email": "nope", "role_id": 10**9}
    )
    assert (bad.status_code, sorted(bad.json()["error"]["fields"])) == (
        422,
        ["email", "password", "role_id", "username"],
    )
    unknown_field = api_client.post("/users", {"username": "ann", "role_id": 1, "is_superuser": True})
    assert list(unknown_field.json()["error"]["fields"]) == ["is_superuser"]
    duplicate = api_client.post("/users", {"username": "REP", "role_id": role_id("sales_rep")})
    assert duplicate.status_code == 409
    assert entries_after(before) == []


def test_list_pages_filters_and_searches(
    api_client: ApiClient, make_user: MakeUser, django_assert_max_num_queries: Any
) -> None:
    for name in ["dora", "carl", "bea", "abe"]:
        make_user(name, role="sales_rep", email=f"{name}@example.com")
    make_user("eve", role="marketer", is_active=False)

    pages = all_pages(
        api_client, "/users?limit=2", assert_max_queries=django_assert_max_num_queries, max_queries=4
    )
    assert [item["username"] for item in pages] == ["abe", "bea", "carl", "dora", "eve", "rep"]

    def usernames(query: str) -> list[str]:
        return [item["username"] for item in api_client.get(f"/users?{query}").json()["items"]]

    assert usernames("is_active=false") == ["eve"]
    assert usernames(f"role_id={role_id('marketer')}") == ["eve"]
    assert usernames("q=CARL@") == ["carl"]
    assert usernames("sort=-username&limit=2") == ["rep", "eve"]
    assert api_client.get("/users?limit=201").status_code == 422


def test_update_names_and_email(api_client: ApiClient, make_user: MakeUser) -> None:
    ann = make_user("ann")
    before = last_entry_id()
    response = api_client.patch(f"/users/{ann.pk}", {"first_name": "Ann", "email": "ANN@example.com"})
    assert (response.status_code, response.json()["version"], response["ETag"]) == (200, 2, '"2"')
    [entry] = entries_after(before)
    assert (entry.action, entry.changes) == (
        "update",
        {"first_name": ["", "Ann"], "email": ["", "ann@example.com"]},
    )
    stale = api_client.patch(f"/users/{ann.pk}", {"last_name": "Lee"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert api_client.patch(f"/users/{ann.pk}", {"role_id": None}).status_code == 422
    assert api_client.patch("/users/999999", {"last_name": "Lee"}).status_code == 404
    assert len(entries_after(before)) == 1


def test_a_role_change_is_audited_with_the_old_and_new_role(
    api_client: ApiClient, make_user: MakeUser
) -> None:
    ann = make_user("ann")
    before = last_entry_id()
    response = api_client.patch(f"/users/{ann.pk}", {"role_id": role_id("sales_manager"), "last_name": "Lee"})
    assert response.json()["role"] == {
        "id": role_id("sales_manager"),
        "key": "sales_manager",
        "name": "Sales manager",
    }
    [entry] = entries_after(before)
    assert (entry.action, entry.changes) == (
        "role_change",
        {"last_name": ["", "Lee"], "role": ["sales_rep", "sales_manager"]},
    )


def test_disabling_ends_sessions_and_tokens_at_once(api_client: ApiClient, make_user: MakeUser) -> None:
    ann = make_user("ann")
    browser = Client()
    assert browser.login(username="ann", password=PASSWORD)
    other_browser = Client()
    other_browser.force_login(ann)
    token = client_for(ann)
    assert browser.get("/api/v1/me").status_code == 200
    assert token.get("/me").status_code == 200
    assert UserSession.objects.filter(user_id=ann.pk).count() == 2
    before = last_entry_id()

    response = api_client.post(f"/users/{ann.pk}/disable")

    assert (response.status_code, response.json()["is_active"]) == (200, False)
    assert browser.get("/api/v1/me").status_code == 401
    assert other_browser.get("/api/v1/me").status_code == 401
    assert token.get("/me").status_code == 401
    assert not UserSession.objects.filter(user_id=ann.pk).exists()
    [token_row] = ApiToken.objects.filter(user=ann)
    assert token_row.revoked_at is not None
    [entry] = entries_after(before)
    assert (entry.action, entry.changes) == (
        "disable",
        {"is_active": [True, False], "revoked_tokens": [[], [token_row.pk]], "ended_sessions": [0, 2]},
    )
    assert authenticate(username="ann", password=PASSWORD) is None

    assert api_client.post(f"/users/{ann.pk}/disable").status_code == 200  # again: nothing to do
    assert api_client.post(f"/users/{ann.pk}/enable").json()["is_active"] is True
    assert [entry.action for entry in entries_after(before) if entry.actor_id] == ["disable", "enable"]
    assert authenticate(username="ann", password=PASSWORD) == ann
    assert token.get("/me").status_code == 401  # a revoked token stays revoked


def test_an_administrator_cannot_disable_themselves_or_the_last_administrator(
    api_client: ApiClient, user: User, make_user: MakeUser
) -> None:
    before = last_entry_id()
    myself = api_client.post(f"/users/{user.pk}/disable")
    assert (myself.status_code, myself.json()["error"]["code"]) == (409, "conflict")
    demote = api_client.patch(f"/users/{user.pk}", {"role_id": role_id("sales_rep")})
    assert (demote.status_code, "last active administrator" in demote.json()["error"]["message"]) == (
        409,
        True,
    )
    assert entries_after(before) == []

    boss = make_user("boss", role="administrator")
    assert api_client.post(f"/users/{boss.pk}/disable").status_code == 200
    boss_client = client_for(boss)
    assert boss_client.get("/me").status_code == 401


def test_me_tells_the_role_rights_hidden_fields_and_teams(make_user: MakeUser) -> None:
    from accord.access.models import Team, TeamMembership

    marketer = make_user("mia", role="marketer")
    team = Team.objects.create(name="Growth")
    TeamMembership.objects.create(team=team, user=marketer)

    body = client_for(marketer).get("/me").json()

    assert (body["username"], body["is_admin"], body["team_ids"]) == ("mia", False, [team.pk])
    assert (body["role"]["key"], body["role"]["name"]) == ("marketer", "Marketer")
    assert body["permissions"]["contact"] == ["view", "create", "edit", "export"]
    assert body["permissions"]["deal"] == []
    assert body["hidden_fields"]["contact"] == ["phones"]
    assert body["hidden_fields"]["deal"] == []
