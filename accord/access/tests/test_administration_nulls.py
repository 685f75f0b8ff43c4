"""A null for a role, team or custom-field setting that cannot hold one is the same as leaving it out.

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
    changed = admin("PATCH", f"/roles/{created.json()['id']}", {"name": None, **nulls})
    assert changed.status_code == 200, changed.content
    assert changed.json() == created.json()


def test_a_team_keeps_its_name_when_sent_a_null(admin) -> None:
    team = admin("POST", "/teams", {"name": "North"}).json()
    changed = admin("PATCH", f"/teams/{team['id']}", {"name": None})
    assert (changed.status_code, changed.json()["name"]) == (200, "North")


def test_a_custom_field_keeps_its_label_when_sent_a_null(admin) -> None:
    definition = {"object_type": "deal", "key": "region", "label": "Region", "field_type": "text"}
    field = admin("POST", "/custom-fields", definition).json()
    changed = admin("PATCH", f"/custom-fields/{field['id']}", {"label": None, "is_required": None})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["label"], changed.json()["is_required"], changed.json()["version"]) == (
        "Region",
        False,
        1,
    )
