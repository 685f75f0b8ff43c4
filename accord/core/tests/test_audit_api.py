"""The audit trail API: the whole trail for administrators, a record's history for whoever sees the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.core.tests.paging import all_pages
from accord.customers.models import Contact
from accord.customers.services import contact_create, contact_delete, contact_update
from accord.users.models import User
from accord.users.services import token_create
from conftest import ApiClient

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def member(username: str, role: str) -> User:
    return User.objects.create_user(username=username, role=Role.objects.get(key=role))


def bearer(user: User) -> ApiClient:
    return ApiClient(
        token_create(actor=Actor(user=user, via="cli"), user=user, name="t", scope="read").secret
    )


def entry(minutes: int, **fields: Any) -> AuditEntry:
    defaults: dict[str, Any] = {
        "via": "api",
        "action": "update",
        "object_type": "customers.contact",
        "object_id": 1,
    }
    return AuditEntry.objects.create(occurred_at=T0 + dt.timedelta(minutes=minutes), **{**defaults, **fields})


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_trail_is_filtered_and_newest_first(api_client: Any, user: User) -> None:
    AuditEntry.objects.all().delete()  # the fixture's token
    other = member("other", "sales_rep")
    a = entry(0, actor=user, action="create", object_id=1)
    b = entry(1, actor=other, via="web", object_id=1)
    c = entry(2, actor=user, object_type="sales.deal", object_id=7)
    d = entry(3, actor=None, via="system", action="login_failed", object_type="users.user", object_id=None)

    assert ids(api_client.get("/audit")) == [d.pk, c.pk, b.pk, a.pk]
    assert ids(api_client.get(f"/audit?actor_id={user.pk}")) == [c.pk, a.pk]
    assert ids(api_client.get("/audit?object_type=customers.contact&object_id=1")) == [b.pk, a.pk]
    assert ids(api_client.get("/audit?action=login_failed")) == [d.pk]
    assert ids(api_client.get("/audit?via=web")) == [b.pk]
    window = "occurred_after=2026-05-01T12:01:00Z&occurred_before=2026-05-01T12:03:00Z"
    assert ids(api_client.get(f"/audit?{window}")) == [c.pk, b.pk]
    first = api_client.get("/audit?limit=1").json()["items"][0]
    assert (first["actor_id"], first["actor_username"], first["via"], first["object_id"]) == (
        None,
        None,
        "system",
        None,
    )
    assert api_client.get("/audit?object_type=sales.deal").json()["items"][0]["actor_username"] == "rep"


def test_the_trail_is_paged_with_a_cursor(
    api_client: Any, user: User, django_assert_max_num_queries: Any
) -> None:
    AuditEntry.objects.all().delete()
    entries = [entry(minute // 2, actor=user, object_id=minute) for minute in range(7)]  # pairs share a time

    pages = all_pages(
        api_client, "/audit?limit=3", assert_max_queries=django_assert_max_num_queries, max_queries=3
    )
    assert [item["id"] for item in pages] == [
        e.pk for e in sorted(entries, key=lambda e: (e.occurred_at, e.pk), reverse=True)
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("cursor=garbage", "cursor"),
        ("via=fax", "via"),
        (f"actor_id={2**70}", "actor_id"),
    ],
)
def test_bad_trail_queries_are_422(api_client: Any, query: str, field: str) -> None:
    response = api_client.get(f"/audit?{query}")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (422, [field])


def test_the_trail_cannot_be_changed_through_the_api(api_client: Any) -> None:
    some = entry(0)
    for response in [
        api_client.post("/audit", {"action": "x"}),
        api_client.patch(f"/audit/core.auditentry/{some.pk}", {"action": "x"}),
        api_client.delete(f"/audit/core.auditentry/{some.pk}"),
    ]:
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert "GET" in response["Allow"]
    assert AuditEntry.objects.get(pk=some.pk).action == "update"


# ------------------------------------------------------------------------------------- record history


def test_a_record_history_for_whoever_may_see_the_record(user: User) -> None:
    rep = member("rita", "sales_rep")
    stranger = member("stan", "sales_rep")
    mine = contact_create(actor=Actor(user=rep, via="api"), data={"family_name": "Mine"})
    contact_update(actor=Actor(user=user, via="web"), instance=mine, data={"given_name": "Mia"})
    theirs = contact_create(actor=Actor(user=stranger, via="api"), data={"family_name": "Theirs"})

    history = bearer(rep).get(f"/audit/customers.contact/{mine.pk}")
    assert [
        (item["action"], item["actor_username"], item["changes"]) for item in history.json()["items"]
    ] == [
        ("update", "rep", {"given_name": ["", "Mia"]}),
        ("create", "rita", {}),
    ]
    hidden = bearer(rep).get(f"/audit/customers.contact/{theirs.pk}")
    missing = bearer(rep).get("/audit/customers.contact/999999")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        "999999", str(theirs.pk)
    )


@pytest.mark.parametrize(
    "object_type",
    ["nonsense", "customers.nonsense", "no.such.thing", "users.user", "users.apitoken", "core.tag"],
)
def test_unknown_types_and_administrative_records_are_404_for_others(object_type: str, user: User) -> None:
    rep = member("rita", "sales_rep")
    response = bearer(rep).get(f"/audit/{object_type}/{user.pk}")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_administrators_read_any_history_even_of_deleted_records(
    api_client: Any, actor: Actor, user: User
) -> None:
    contact = contact_create(actor=actor, data={"family_name": "Gone"})
    contact_delete(actor=actor, instance=contact)
    client = Client()
    client.force_login(user)

    assert [
        item["action"] for item in api_client.get(f"/audit/customers.contact/{contact.pk}").json()["items"]
    ] == [
        "delete",
        "create",
    ]
    sign_ins = api_client.get(f"/audit/users.user/{user.pk}").json()["items"]
    assert [item["action"] for item in sign_ins] == ["login"]
    assert api_client.get("/audit/nonsense/1").status_code == 404


def test_changes_of_hidden_fields_are_masked(user: User) -> None:
    marketer = member("mia", "marketer")  # contact phones are hidden from marketers
    contact = contact_create(
        actor=Actor(user=user, via="api"),
        data={"family_name": "Lee", "owner_id": marketer.pk, "phones": [{"number": "+1 415 555 2671"}]},
    )
    contact_update(
        actor=Actor(user=user, via="api"),
        instance=contact,
        data={"given_name": "Kim", "phones": [{"number": "+1 415 555 2672"}]},
    )

    [update, _] = bearer(marketer).get(f"/audit/customers.contact/{contact.pk}").json()["items"]
    assert update["changes"] == {"given_name": ["", "Kim"], "phones": ["***", "***"]}
    # The stored form (+14155552671), not a bare "2671" a timestamp's microseconds can also hold.
    assert "5552671" not in str(bearer(marketer).get(f"/audit/customers.contact/{contact.pk}").content)
    stored = AuditEntry.objects.get(action="update", object_id=contact.pk).changes["phones"]
    assert stored == [["+14155552671"], ["+14155552672"]]  # masked in the answer only
    [admin_view, _] = bearer(user).get(f"/audit/customers.contact/{contact.pk}").json()["items"]
    assert admin_view["changes"]["phones"] == [["+14155552671"], ["+14155552672"]]


def test_history_pages_with_a_cursor(api_client: Any, actor: Actor) -> None:
    contact = contact_create(actor=actor, data={"family_name": "A"})
    for name in ["B", "C", "D"]:
        contact = contact_update(
            actor=actor, instance=Contact.objects.get(pk=contact.pk), data={"family_name": name}
        )
    first = api_client.get(f"/audit/customers.contact/{contact.pk}?limit=3").json()
    rest = api_client.get(
        f"/audit/customers.contact/{contact.pk}?limit=3&cursor={first['next_cursor']}"
    ).json()
    names = [item["changes"].get("family_name", ["", "A"])[1] for item in first["items"] + rest["items"]]
    assert (names, rest["next_cursor"]) == (["D", "C", "B", "A"], None)


# ------------------------------------------------------------------------------------------- admin site


def test_the_admin_site_shows_entries_read_only(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    some = entry(0, actor=user)
    client = Client()
    client.force_login(user)

    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{some.pk}/change/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{some.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{some.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=some.pk).action == "update"


def test_secrets_never_reach_the_trail(api_client: Any) -> None:
    created = api_client.post(
        "/users",
        {
            "username": "ann",
            "password": "a secret passphrase",
            "role_id": Role.objects.get(key="sales_rep").pk,
        },
    )
    ann = User.objects.get(pk=created.json()["id"])
    issued = token_create(actor=Actor(user=ann, via="api"), user=ann, name="x", scope="read")
    Client().post("/admin/login/", {"username": "ann", "password": "a secret passphrase"})
    Client().post("/admin/login/", {"username": "ann", "password": "wrong secret"})

    trail = str(list(AuditEntry.objects.values()))
    for secret in [
        "a secret passphrase",
        "wrong secret",
        ann.password,
        issued.secret,
        issued.token.secret_hash,
    ]:
        assert secret not in trail
