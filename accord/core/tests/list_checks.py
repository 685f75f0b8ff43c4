"""Checks every web list must pass, written once: each app's ``test_views.py`` imports them and gives the
``spec`` fixture its lists (``accord.core.listing``).

Records are built as in the permission matrix (``accord.access.tests.world``): alice (the role under
test) in team East with bob, carol in West; each type has alice's record, bob's, carol's, and two of
carol's shared with alice (to read, to edit). With the default visibility ``team`` alice sees all but
carol's unshared one.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accord.access.builtin_roles import BUILTIN_ROLES
from accord.access.models import Role
from accord.access.rules import rule_for
from accord.access.tests.world import World, _create, build_world
from accord.core.actors import SYSTEM
from accord.core.listing import PAGE_SIZE, ListSpec
from accord.core.models import AuditEntry
from accord.sales.models import Pipeline
from accord.sales.services import pipeline_create
from accord.users.models import User

ROLES = {role.key: role for role in BUILTIN_ROLES}
VISIBLE_TO_A_REP = {"own", "teammate", "shared", "shared_edit"}


def object_type(spec: ListSpec) -> str:
    kind = rule_for(spec.model).object_type
    assert kind is not None
    return kind


def world_for(spec: ListSpec, role: str = "sales_rep") -> World:
    return build_world(role, (object_type(spec),))


def make(kind: str, owner: User, label: str) -> Any:
    """A record of the type, owned by ``owner`` (deals need a default pipeline: made on first use)."""
    if kind == "deal" and not Pipeline.objects.filter(is_default=True).exists():
        pipeline_create(actor=SYSTEM, data={"name": "Sales", "is_default": True, "stages": [{"name": "New"}]})
    return _create(kind, owner, label)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_ids(response: Any) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-id="(\d+)"', response.content.decode())}


def page_queries(client: Client, url: str, *, htmx: bool = False) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"HX-Request": "true"} if htmx else None)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def export_text(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export_text(response))))


# ---------------------------------------------------------------- the checks


def test_a_rep_sees_what_scoping_allows(spec: ListSpec) -> None:
    world = world_for(spec)
    response = signed_in(world.alice).get(spec.url)
    assert response.status_code == 200
    assert shown_ids(response) == world.ids(object_type(spec), VISIBLE_TO_A_REP)
    assert 'aria-current="page"' in response.content.decode()


@pytest.mark.parametrize("role_key", sorted(ROLES))
def test_every_role_sees_its_records_and_none_of_its_hidden_fields(spec: ListSpec, role_key: str) -> None:
    kind = object_type(spec)
    role = ROLES[role_key]
    world = world_for(spec, role_key)
    client = signed_in(world.alice)
    every_column = "&".join(f"columns={column.key}" for column in spec.columns)
    response = client.get(f"{spec.url}?{every_column}")
    if not role.is_admin and "view" not in role.permissions.get(kind, []):
        assert response.status_code == 403
        assert client.get(f"{spec.url}export/").status_code == 403
        return
    assert response.status_code == 200
    expected = set(world.records[kind]) if role.is_admin else VISIBLE_TO_A_REP
    if role.is_external:
        expected = {"own", "shared", "shared_edit"}
    assert shown_ids(response) == world.ids(kind, expected)
    hidden = set() if role.is_admin else set(role.hidden_fields.get(kind, []))
    page = response.content.decode()
    # A contact's lifetime value is a forecast of order totals: hidden where they are
    hides_order_totals = not role.is_admin and "total" in role.hidden_fields.get("order", [])
    for column in spec.columns:
        sensitive = column.field is not None
        is_hidden = sensitive and (column.field in hidden or (kind == "contact" and "phones" in hidden))
        is_hidden |= kind == "contact" and column.key == "lifetime_value" and hides_order_totals
        assert (f'name="columns" value="{column.key}"' in page) is not is_hidden, column.key
    if kind == "contact" and "phones" in hidden:
        assert "+14155552671" not in page  # the contacts' phone number
    export = client.get(f"{spec.url}export/?{every_column}")
    if not role.is_admin and "export" not in role.permissions.get(kind, []):
        assert export.status_code == 403
        return
    assert export.status_code == 200
    text = export_text(export)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(row["ID"]) for row in rows} == world.ids(kind, expected)
    # Exactly the columns the page offers, in the order asked for, after the id.
    offered = [column for column in spec.columns if f'name="columns" value="{column.key}"' in page]
    expected_headers = ["ID"]
    for column in offered:
        expected_headers += (
            [column.label, f"{column.label} currency"] if column.kind == "money" else [column.label]
        )
    assert list(rows[0]) == expected_headers
    if kind == "contact" and "phones" in hidden:
        assert "+14155552671" not in text


def test_a_role_without_view_is_refused(spec: ListSpec) -> None:
    nobody = User.objects.create_user("nobody", role=Role.objects.create(key="nothing", name="Nothing"))
    client = signed_in(nobody)
    assert client.get(spec.url).status_code == 403
    assert client.get(f"{spec.url}export/").status_code == 403
    assert client.post(f"{spec.url}bulk/", {"action": "delete", "ids": ["1:1"]}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(spec: ListSpec, client: Client) -> None:
    response = client.get(spec.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("role_key", ["administrator", "sales_rep"])
def test_queries_do_not_grow_with_the_rows(spec: ListSpec, role_key: str) -> None:
    """A page of 30 rows costs the queries a page of 3 costs, for the whole page and for the results
    an htmx search swaps in; as a rep, whose scope is read part by part, as well as an administrator."""
    world = world_for(spec, role_key)
    kind = object_type(spec)
    client = signed_in(world.alice)
    every_column = "&".join(f"columns={column.key}" for column in spec.columns)
    urls = [spec.url, f"{spec.url}?{every_column}"]
    page_queries(client, spec.url)  # the first request of a session reads more (session, content types)
    few = [page_queries(client, url) for url in urls] + [page_queries(client, spec.url, htmx=True)]
    for number in range(27):
        make(kind, world.alice, f"more {number}")
    assert len(shown_ids(client.get(spec.url))) >= 30
    many = [page_queries(client, url) for url in urls] + [page_queries(client, spec.url, htmx=True)]
    assert many == few
    assert max(many) <= 20


def test_an_empty_list_says_what_to_do_next(spec: ListSpec, user: User) -> None:
    client = signed_in(user)
    empty = client.get(spec.url).content.decode()
    assert f"No {spec.noun} yet." in empty
    assert escape(spec.empty_hint) in empty
    searched = client.get(f"{spec.url}?q=zzzz-nothing").content.decode()
    assert f"No {spec.noun} match this search and these filters." in searched


def test_pages_follow_the_cursor_and_sorts_are_announced(spec: ListSpec, user: User) -> None:
    kind = object_type(spec)
    made = {make(kind, user, f"page {number}").pk for number in range(PAGE_SIZE + 5)}
    client = signed_in(user)
    first = client.get(spec.url)
    page = first.content.decode()
    assert len(shown_ids(first)) == PAGE_SIZE
    assert 'aria-sort="' in page
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', page)
    assert next_url is not None
    second = client.get(next_url.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert shown_ids(first) | shown_ids(second) == made
    assert not shown_ids(first) & shown_ids(second)
    assert client.get(f"{spec.url}?cursor=not-a-cursor").status_code == 400


def test_every_sortable_column_sorts_both_ways(spec: ListSpec, user: User) -> None:
    kind = object_type(spec)
    for number in range(3):
        make(kind, user, f"sort {number}")
    client = signed_in(user)
    for column in spec.columns:
        if column.sort is None:
            continue
        columns = f"columns={column.key}"
        up = client.get(f"{spec.url}?sort={column.sort}&{columns}")
        down = client.get(f"{spec.url}?sort=-{column.sort}&{columns}")
        assert 'aria-sort="ascending"' in up.content.decode(), column.key
        assert 'aria-sort="descending"' in down.content.decode(), column.key
        assert len(shown_ids(up)) == len(shown_ids(down)) == 3
    # An unknown sort or column falls back to the defaults rather than failing.
    assert client.get(f"{spec.url}?sort=password&columns=nope").status_code == 200


def test_the_results_region_alone_answers_htmx(spec: ListSpec, user: User) -> None:
    make(object_type(spec), user, "htmx")
    response = signed_in(user).get(f"{spec.url}?q=", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "<table" in page
    assert 'form="list-form"' in page
    assert "HX-Request" in response["Vary"]
    # Restoring a page missing from htmx's history cache needs the whole page.
    restored = signed_in(user).get(
        spec.url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.content.decode()


def test_bad_filters_are_shown_beside_their_inputs(spec: ListSpec, user: User) -> None:
    client = signed_in(user)
    date_filter = next(item for item in spec.filters if item.name.endswith(("_after", "_from")))
    response = client.get(f"{spec.url}?{date_filter.name}=soon")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page
    assert "Use ISO 8601" in page
    partial = client.get(f"{spec.url}?{date_filter.name}=soon", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in partial
    assert "Use ISO 8601" in partial
    assert client.get(f"{spec.url}export/?{date_filter.name}=soon").status_code == 400


def test_nul_characters_are_refused_not_a_server_error(spec: ListSpec, user: User) -> None:
    text_filter = next(item.name for item in spec.filters if item.options is None)
    client = signed_in(user)
    for query in ("q=a%00b", f"{text_filter}=a%00b"):
        assert client.get(f"{spec.url}?{query}").status_code == 400, query
    assert client.post(f"{spec.url}views/", {"name": "a\x00b", "query": "q=x"}).status_code == 400
    assert client.post(f"{spec.url}views/", {"name": "ok", "query": "q=a%00b"}).status_code == 400


def test_bulk_assign_reports_what_it_could_not_change(spec: ListSpec) -> None:
    """A manager assigns their own, a teammate's and a read-only shared record to dave: the first two are
    changed, audited and versioned; the read-only one is named in the report, unchanged."""
    kind = object_type(spec)
    world = world_for(spec, "sales_manager")  # sales managers may edit every type
    records = world.records[kind]
    client = signed_in(world.alice)
    dave = User.objects.create_user("dave", role=Role.objects.get(key="sales_rep"))
    chosen = [records[relation] for relation in ("own", "teammate", "shared")]
    response = client.post(
        f"{spec.url}bulk/",
        {"action": "assign", "owner": str(dave.pk), "ids": [f"{r.pk}:{r.version}" for r in chosen]},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"2 {spec.noun} assigned." in page
    assert "Not assigned:" in page
    owner = spec.bulk.owner_field
    fresh = {relation: type(r).objects.get(pk=r.pk) for relation, r in records.items()}
    assert getattr(fresh["own"], owner) == getattr(fresh["teammate"], owner) == dave.pk
    assert getattr(fresh["shared"], owner) == world.carol.pk
    assert fresh["own"].version == records["own"].version + 1
    audited = AuditEntry.objects.filter(object_type=spec.model._meta.label_lower, action="update", via="web")
    assert set(audited.values_list("object_id", flat=True)) == {records["own"].pk, records["teammate"].pk}


def test_bulk_changes_refuse_stale_rows_and_deletes_ask_first(spec: ListSpec, user: User) -> None:
    kind = object_type(spec)
    first, second = make(kind, user, "bulk one"), make(kind, user, "bulk two")
    client = signed_in(user)
    stale = client.post(
        f"{spec.url}bulk/",
        {"action": "assign", "owner": "", "ids": [f"{first.pk}:{first.version + 5}"]},
        follow=True,
    )
    assert "changed since you read it" in stale.content.decode()
    assert type(first).objects.filter(pk=first.pk, version=first.version).exists()
    ids = [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]
    confirm = client.post(f"{spec.url}bulk/", {"action": "delete", "ids": ids, "next": f"{spec.url}?q=x"})
    assert confirm.status_code == 200
    assert "Yes, delete 2" in confirm.content.decode()
    assert type(first).objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    done = client.post(
        f"{spec.url}bulk/", {"action": "delete", "confirm": "yes", "ids": ids, "next": f"{spec.url}?q=x"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"{spec.url}?q=x"
    assert not type(first).objects.filter(pk__in=[first.pk, second.pk]).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"action": "assign", "ids": ["x"]},
        {"action": "assign", "ids": ["1:z"]},
        {"action": "assign", "ids": ["99999999999999999999"]},
        {"action": "assign", "owner": "bob", "ids": ["1:1"]},
        {"action": "explode", "ids": ["1:1"]},
        {"action": "tag", "tag": "", "ids": ["1:1"]},
        {"action": "tag", "tag": "a\x00b", "ids": ["1:1"]},
    ],
)
def test_bad_bulk_requests_answer_400(spec: ListSpec, user: User, body: dict[str, Any]) -> None:
    assert signed_in(user).post(f"{spec.url}bulk/", body).status_code == 400


def test_a_bulk_action_on_records_out_of_sight_reports_them(spec: ListSpec) -> None:
    world = world_for(spec, "sales_manager")
    other = world.records[object_type(spec)]["other"]
    response = signed_in(world.alice).post(
        f"{spec.url}bulk/",
        {"action": "assign", "owner": "", "ids": [f"{other.pk}:1"], "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == spec.url
    assert type(other).objects.get(pk=other.pk).version == other.version


def test_export_follows_the_current_view(spec: ListSpec, user: User) -> None:
    kind = object_type(spec)
    records = [make(kind, user, f"export {number}") for number in range(3)]
    response = signed_in(user).get(f"{spec.url}export/?{spec.bulk.owner_field}={user.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert {int(row["ID"]) for row in csv_rows(response)} >= {record.pk for record in records}
    assert AuditEntry.objects.filter(
        action="export", object_type=spec.model._meta.label_lower, via="web"
    ).exists()
