"""Nulls sent for role, team and custom-field settings: on create they mean the default; on update they
clear what can be cleared and refuse (422, naming the field) what cannot (``accord.core.patch``).

Found by tests/test_schemathesis.py: ``POST /roles`` with ``"hidden_fields": null`` was a 500; a null team
name or custom-field label was a 409 quoting the database's NOT NULL error.
"""

from __future__ import annotations

import pytest

from accord.access.tests.world import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return client_for(make_user("root", "administrator"))


def test_a_role_created_or_changed_with_nulls_keeps_its_defaults(admin) -> None:
    nulls = {"description": None, "is_external": None, "permissions": None, "hidden_fields": None}
    created = admin("POST", "/roles", {"key": "viewer", "name": "Viewer", **nulls})
    assert created.status_code == 201, created.content
    expected = {"description": "", "is_external": False, "permissions": {}, "hidden_fields": {}}
    assert {name: created.json()[name] for name in expected} == expected
    refused = admin("PATCH", f"/roles/{created.json()['id']}", {"name": None, **nulls})
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (422, ["name"])
    changed = admin("PATCH", f"/roles/{created.json()['id']}", nulls)
    assert changed.status_code == 200, changed.content
    assert {name: changed.json()[name] for name in expected} == expected


def test_a_team_keeps_its_name_and_loses_its_members_when_sent_nulls(admin) -> None:
    member = make_user("ann", "sales_rep")
    team = admin("POST", "/teams", {"name": "North", "member_ids": [member.pk]}).json()
    refused = admin("PATCH", f"/teams/{team['id']}", {"name": None})
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (422, ["name"])
    emptied = admin("PATCH", f"/teams/{team['id']}", {"member_ids": None})
    assert emptied.status_code == 200, emptied.content
    assert (emptied.json()["name"], emptied.json()["member_ids"]) == ("North", [])


def test_a_custom_field_keeps_its_label_when_sent_a_null(admin) -> None:
    definition = {
        "object_type": "deal",
        "key": "region",
        "label": "Region",
        "field_type": "text",
        "is_required": True,
    }
    field = admin("POST", "/custom-fields", definition).json()
    refused = admin("PATCH", f"/custom-fields/{field['id']}", {"label": None, "is_required": None})
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (422, ["label"])
    changed = admin("PATCH", f"/custom-fields/{field['id']}", {"is_required": None})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["label"], changed.json()["is_required"]) == ("Region", False)
