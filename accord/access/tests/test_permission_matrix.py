"""Every built-in role × every object type × own / teammate's / other team's / shared record, through
every endpoint: the exact status, the exact set of records and the exact fields returned.

The expectations restate the rules of docs/security.md in the simplest terms (sets of relations) rather
than calling the implementation: with the default visibility ``team`` a user sees their own records,
their teammates' and those shared with them; an external partner only their own and shared ones; an
administrator everything. Roles grant the actions of ``accord.access.builtin_roles``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.apps import apps

from accord.access.builtin_roles import BUILTIN_ROLES, BuiltinRole
from accord.access.rules import SENSITIVE_FIELDS, TYPE_MODELS
from accord.access.tests.world import (
    CATALOG_TYPES,
    OWNED_TYPES,
    PATCHES,
    PLURALS,
    RELATIONS,
    SEARCHABLE_TYPES,
    World,
    build_world,
    client_for,
    new_record,
)

pytestmark = pytest.mark.django_db

# The output keys a hidden field removes (a contact list shows the primary phone of its phones).
DERIVED_KEYS = {("contact", "phones"): {"phones", "primary_phone"}}


def _can(role: BuiltinRole, action: str, object_type: str) -> bool:
    return role.is_admin or action in role.permissions.get(object_type, [])


def _visible_relations(role: BuiltinRole, object_type: str) -> set[str]:
    if not _can(role, "view", object_type):
        return set()
    if role.is_admin:
        return set(RELATIONS)
    return (
        {"own", "shared", "shared_edit"} if role.is_external else {"own", "teammate", "shared", "shared_edit"}
    )


def _editable_relations(role: BuiltinRole, object_type: str) -> set[str]:
    if not _can(role, "edit", object_type):
        return set()
    if role.is_admin:
        return set(RELATIONS)
    return _visible_relations(role, object_type) - {"shared"}


def _deletable_relations(role: BuiltinRole, object_type: str) -> set[str]:
    if not _can(role, "delete", object_type):
        return set()
    return set(RELATIONS) if role.is_admin else {"own"}


def _hidden_keys(role: BuiltinRole, object_type: str) -> set[str]:
    if role.is_admin:
        return set()
    keys: set[str] = set()
    for name in role.hidden_fields.get(object_type, []):
        keys |= DERIVED_KEYS.get((object_type, name), {name})
    return keys


def _shown_sensitive_keys(role: BuiltinRole, object_type: str) -> set[str]:
    return set(SENSITIVE_FIELDS.get(object_type, ())) - _hidden_keys(role, object_type)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _export_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _expected_ids(world: World, role: BuiltinRole, object_type: str) -> set[int]:
    if object_type in CATALOG_TYPES:
        if not _can(role, "view", object_type):
            return set()
        model = apps.get_model(TYPE_MODELS[object_type])
        return set(model.objects.values_list("pk", flat=True))
    return world.ids(object_type, _visible_relations(role, object_type))


ROLES = {role.key: role for role in BUILTIN_ROLES}


@pytest.mark.parametrize("object_type", OWNED_TYPES + CATALOG_TYPES)
@pytest.mark.parametrize("role_key", list(ROLES))
def test_every_role_on_every_endpoint(role_key: str, object_type: str) -> None:
    role = ROLES[role_key]
    world = build_world(role_key, (object_type, "contact") if object_type == "order" else (object_type,))
    call = client_for(world.alice)
    plural = PLURALS[object_type]
    can_view = _can(role, "view", object_type)

    # Lists, counts and exports: exactly the visible records; 403 for a type the role may not view.
    listed = call("GET", f"/{plural}?limit=200")
    counted = call("GET", f"/{plural}/count")
    exported = call("GET", f"/{plural}/export")
    if not can_view:
        assert (listed.status_code, counted.status_code, exported.status_code) == (403, 403, 403)
    else:
        expected = _expected_ids(world, role, object_type)
        assert _ids(listed) == expected
        assert counted.json() == {"count": len(expected)}
        if _can(role, "export", object_type):
            rows = _export_rows(exported)
            assert {int(row["id"]) for row in rows} == expected
            assert not _hidden_keys(role, object_type) & set(rows[0] if rows else {})
        else:
            assert exported.status_code == 403
        for item in listed.json()["items"]:
            assert not _hidden_keys(role, object_type) & item.keys()

    # Global search: the same records as the list.
    if object_type in SEARCHABLE_TYPES:
        hits = call("GET", f"/search?q=zq&kinds={object_type}&limit=50").json()["items"]
        expected_hits = world.ids(object_type, _visible_relations(role, object_type))
        assert {hit["id"] for hit in hits} == expected_hits

    # Details: 200 with exactly the fields the role may see, 404 otherwise (never 403).
    relations = world.records[object_type]
    for relation, record in relations.items():
        detail = call("GET", f"/{plural}/{record.pk}")
        visible = (relation == "catalog" and can_view) or relation in _visible_relations(role, object_type)
        assert detail.status_code == (200 if visible else 404), (relation, detail.content)
        if visible:
            body = detail.json()
            assert not _hidden_keys(role, object_type) & body.keys(), relation
            assert _shown_sensitive_keys(role, object_type) <= body.keys(), relation

    # Updates: 200 when editable, 403 when only visible, 404 when invisible.
    for relation, record in relations.items():
        response = call("PATCH", f"/{plural}/{record.pk}", PATCHES[object_type])
        if relation == "catalog":
            expected_status = (200 if _can(role, "edit", object_type) else 403) if can_view else 404
        elif relation in _editable_relations(role, object_type):
            expected_status = 200
        else:
            expected_status = 403 if relation in _visible_relations(role, object_type) else 404
        assert response.status_code == expected_status, (relation, response.content)
        if expected_status == 200:
            assert not _hidden_keys(role, object_type) & response.json().keys()

    # Writing a hidden field is refused even where the record is editable.
    for name in role.hidden_fields.get(object_type, []) if not role.is_admin else []:
        own = relations["own"]
        response = call("PATCH", f"/{plural}/{own.pk}", {name: [] if name in ("phones", "lines") else "1"})
        if "own" in _editable_relations(role, object_type):
            assert response.status_code == 403, (name, response.content)

    # Creates: 201 when the role may create the type, 403 otherwise.
    contact_id = world.records["contact"]["own"].pk if "contact" in world.records else 0
    created = call("POST", f"/{plural}", new_record(object_type, contact_id))
    assert created.status_code == (201 if _can(role, "create", object_type) else 403), created.content

    # Deletes: 204 for what the role may delete (own records unless admin), 403 / 404 otherwise.
    for relation, record in relations.items():
        response = call("DELETE", f"/{plural}/{record.pk}")
        if relation == "catalog":
            expected_status = (204 if _can(role, "delete", object_type) else 403) if can_view else 404
        elif relation in _deletable_relations(role, object_type) & _visible_relations(role, object_type):
            expected_status = 204
        else:
            expected_status = 403 if relation in _visible_relations(role, object_type) else 404
        assert response.status_code == expected_status, (relation, response.content)
