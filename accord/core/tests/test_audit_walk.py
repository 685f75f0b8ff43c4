"""Every write path leaves its audit entries, and a failed write leaves nothing.

The API walk covers every POST, PUT, PATCH and DELETE operation of the OpenAPI schema (a test fails
when an operation has no scenario here), asserting the exact entries each writes: who (user and token),
through what, which action on which record, and the changed fields. The service walk makes the audit
write fail inside each create service and checks that the record was not written either: the entry and
the change share one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError

from accord.access.rules import TYPE_MODELS
from accord.access.tests.world import PATCHES, PLURALS, new_record
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.jobs.tests.jobs_for_tests import record as record_job
from accord.users.models import ApiToken, User

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "openapi.json").read_text())
WRITE_OPERATIONS = {
    operation["operationId"]
    for methods in SCHEMA["paths"].values()
    for method, operation in methods.items()
    if method in ("post", "put", "patch", "delete")
}
LABELS = TYPE_MODELS  # object type -> the model label audit entries name


@dataclass
class Walk:
    call: Callable[..., Any]
    user: User
    token_id: int
    covered: set[str]

    def entries_of(
        self, operation_id: str, method: str, path: str, body: Any = None
    ) -> list[tuple[str, str, int | None]]:
        """Run one write and return the entries it added, oldest first; check who and through what."""
        self.covered.add(operation_id)
        before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = self.call(method, path, body)
        assert response.status_code < 300, (operation_id, response.content)
        added = list(AuditEntry.objects.filter(id__gt=before).order_by("id"))
        for entry in added:
            assert (entry.actor_id, entry.token_id, entry.via) == (self.user.pk, self.token_id, "api"), (
                operation_id
            )
        self.last = response
        return [(entry.action, entry.object_type, entry.object_id) for entry in added]


@pytest.fixture
def walk(api_client: Any, user: User) -> Walk:
    def call(method: str, path: str, body: Any = None) -> Any:
        return (
            getattr(api_client, method.lower())(path, body)
            if body is not None
            else getattr(api_client, method.lower())(path)
        )

    return Walk(call=call, user=user, token_id=ApiToken.objects.get(user=user).pk, covered=set())


def _crud(walk: Walk, object_type: str, contact_id: int = 0) -> int:
    plural, label = PLURALS[object_type], LABELS[object_type]
    created = walk.entries_of(
        f"create_{object_type}", "POST", f"/{plural}", new_record(object_type, contact_id)
    )
    pk = walk.last.json()["id"]
    if object_type == "pipeline":  # its stages are records of their own
        assert created[0] == ("create", label, pk)
        assert [action for action, kind, _ in created[1:]] == ["create"]
    else:
        assert created == [("create", label, pk)]
    assert walk.entries_of(f"update_{object_type}", "PATCH", f"/{plural}/{pk}", PATCHES[object_type]) == [
        ("update", label, pk)
    ]
    entry = AuditEntry.objects.filter(object_type=label, object_id=pk, action="update").get()
    assert set(entry.changes) == set(PATCHES[object_type])
    return pk


def test_every_write_operation_leaves_its_audit_entries(walk: Walk) -> None:
    contact = _crud(walk, "contact")
    for object_type in ("company", "lead", "pipeline", "deal", "order", "interaction", "task", "product"):
        _crud(walk, object_type, contact)
    deal_id = walk.call("POST", "/deals", {"name": "Walk"}).json()["id"]
    pipeline = walk.call("GET", "/pipelines").json()["items"][0]
    stage_id = walk.call("POST", "/stages", {"pipeline_id": pipeline["id"], "name": "Later"}).json()["id"]
    walk.covered.add("create_stage")
    assert walk.entries_of("move_deal", "POST", f"/deals/{deal_id}/move", {"stage_id": stage_id}) == [
        ("stage_move", "sales.deal", deal_id)
    ]
    assert walk.entries_of("update_stage", "PATCH", f"/stages/{stage_id}", {"name": "Latest"}) == [
        ("update", "sales.stage", stage_id)
    ]
    lead_id = walk.call("POST", "/leads", {"given_name": "Ada", "company_name": "Analytical"}).json()["id"]
    converted = walk.entries_of(
        "convert_lead", "POST", f"/leads/{lead_id}/convert", {"create_deal": {"name": "New"}}
    )
    assert sorted((action, kind) for action, kind, _ in converted) == [
        ("convert", "sales.lead"),
        ("create", "customers.company"),
        ("create", "customers.contact"),
        ("create", "sales.deal"),
    ]
    field = walk.entries_of(
        "create_custom_field",
        "POST",
        "/custom-fields",
        {"object_type": "contact", "key": "tier", "label": "Tier", "field_type": "text"},
    )
    field_id = walk.last.json()["id"]
    assert field == [("create", "core.customfield", field_id)]
    assert walk.entries_of(
        "update_custom_field", "PATCH", f"/custom-fields/{field_id}", {"label": "Level"}
    ) == [("update", "core.customfield", field_id)]
    assert walk.entries_of("delete_custom_field", "DELETE", f"/custom-fields/{field_id}") == [
        ("delete", "core.customfield", field_id)
    ]
    role = walk.entries_of(
        "create_role",
        "POST",
        "/roles",
        {"key": "walker", "name": "Walker", "permissions": {"deal": ["view"]}},
    )
    role_id = walk.last.json()["id"]
    assert role == [("create", "access.role", role_id)]
    assert walk.entries_of("update_role", "PATCH", f"/roles/{role_id}", {"name": "Runner"}) == [
        ("permission_change", "access.role", role_id)
    ]
    assert walk.entries_of("delete_role", "DELETE", f"/roles/{role_id}") == [
        ("delete", "access.role", role_id)
    ]
    team = walk.entries_of("create_team", "POST", "/teams", {"name": "Walkers"})
    team_id = walk.last.json()["id"]
    assert team == [("create", "access.team", team_id)]
    assert walk.entries_of("update_team", "PATCH", f"/teams/{team_id}", {"member_ids": [walk.user.pk]}) == [
        ("permission_change", "access.team", team_id)
    ]
    assert walk.entries_of("delete_team", "DELETE", f"/teams/{team_id}") == [
        ("delete", "access.team", team_id)
    ]
    assert [
        entry[:2]
        for entry in walk.entries_of(
            "set_sharing_default", "PUT", "/sharing-defaults/deal", {"visibility": "private"}
        )
    ] == [("permission_change", "access.sharingdefault")]
    other = User.objects.create_user(username="other")
    shared = walk.entries_of(
        "create_share", "POST", "/shares", {"object_type": "deal", "object_id": deal_id, "user_id": other.pk}
    )
    share_id = walk.last.json()["id"]
    assert shared == [("share", "sales.deal", deal_id)]
    assert walk.entries_of("delete_share", "DELETE", f"/shares/{share_id}") == [
        ("unshare", "sales.deal", deal_id)
    ]
    token = walk.entries_of("create_token", "POST", "/tokens", {"name": "second", "scope": "read"})
    token_id = walk.last.json()["id"]
    assert token == [("token_create", "users.apitoken", token_id)]
    assert walk.entries_of("revoke_token", "DELETE", f"/tokens/{token_id}") == [
        ("token_revoke", "users.apitoken", token_id)
    ]
    reader = walk.call("GET", "/roles").json()
    read_only = next(role["id"] for role in reader if role["key"] == "read_only")
    analyst = next(role["id"] for role in reader if role["key"] == "analyst")
    added = walk.entries_of("create_user", "POST", "/users", {"username": "walker", "role_id": read_only})
    user_id = walk.last.json()["id"]
    assert added == [("create", "users.user", user_id)]
    assert walk.entries_of("update_user", "PATCH", f"/users/{user_id}", {"role_id": analyst}) == [
        ("role_change", "users.user", user_id)
    ]
    assert walk.entries_of("disable_user", "POST", f"/users/{user_id}/disable") == [
        ("disable", "users.user", user_id)
    ]
    assert walk.entries_of("enable_user", "POST", f"/users/{user_id}/enable") == [
        ("enable", "users.user", user_id)
    ]
    # Duplicates: the checks write nothing; a merge writes one entry per merged record and one on the
    # survivor, its undo one on the survivor and one per restored record.
    from accord.dedupe.scan import duplicate_scan

    twin = {"given_name": "Dup", "family_name": "Licate", "emails": [{"email": "dup@example.org"}]}
    assert walk.entries_of("find_contact_duplicates", "POST", "/contacts/duplicates", twin) == []
    assert walk.entries_of("find_company_duplicates", "POST", "/companies/duplicates", {"name": "Dup"}) == []
    first, second = (walk.call("POST", "/contacts", twin).json()["id"] for _ in range(2))
    merge = {"survivor_id": first, "other_ids": [second]}
    assert walk.entries_of("merge_contacts", "POST", "/contacts/merge", merge) == [
        ("merged", "customers.contact", second),
        ("merge", "customers.contact", first),
    ]
    merge_id = walk.last.json()["id"]
    assert walk.entries_of("undo_merge", "POST", f"/merges/{merge_id}/undo") == [
        ("merge_undo", "customers.contact", first),
        ("restore", "customers.contact", second),
    ]
    duplicate_scan(object_type="contact")
    pair = walk.call("GET", "/duplicates?object_type=contact").json()["items"][0]
    assert walk.entries_of("dismiss_duplicate", "POST", f"/duplicates/{pair['id']}/dismiss") == [
        ("duplicate_dismiss", "customers.contact", pair["first_id"])
    ]
    firms = [walk.call("POST", "/companies", {"name": "Dup Firm"}).json()["id"] for _ in range(2)]
    merge = {"survivor_id": firms[0], "other_ids": [firms[1]]}
    assert walk.entries_of("merge_companies", "POST", "/companies/merge", merge) == [
        ("merged", "customers.company", firms[1]),
        ("merge", "customers.company", firms[0]),
    ]

    # Deletes last, children before what they need.
    for object_type in ("order", "interaction", "task", "deal", "lead", "contact", "company", "product"):
        plural, label = PLURALS[object_type], LABELS[object_type]
        pk = walk.call("GET", f"/{plural}?limit=1&sort=-created_at").json()["items"][0]["id"]
        if object_type == "contact":
            for order in walk.call("GET", f"/orders?contact_id={pk}").json()["items"]:
                walk.call("DELETE", f"/orders/{order['id']}")
        assert walk.entries_of(f"delete_{object_type}", "DELETE", f"/{plural}/{pk}") == [
            ("delete", label, pk)
        ]
    spare = walk.call("POST", "/stages", {"pipeline_id": pipeline["id"], "name": "Spare"}).json()["id"]
    assert walk.entries_of("delete_stage", "DELETE", f"/stages/{spare}") == [("delete", "sales.stage", spare)]
    loose = walk.call("POST", "/pipelines", {"name": "Empty"}).json()["id"]
    assert walk.entries_of("delete_pipeline", "DELETE", f"/pipelines/{loose}") == [
        ("delete", "sales.pipeline", loose)
    ]
    job_id = record_job.enqueue(Actor(user=walk.user, via="web"), tag="walk").pk
    assert walk.entries_of("cancel_job", "POST", f"/jobs/{job_id}/cancel") == [("cancel", "jobs.job", job_id)]
    assert walk.entries_of("refresh_analytics", "POST", "/analytics/refresh", {}) == [
        ("analytics_refresh_queued", "analytics.analyticsrun", None)
    ]
    missing = WRITE_OPERATIONS - walk.covered
    assert not missing, f"write operations without an audit scenario: {sorted(missing)}"


@pytest.mark.parametrize(
    "object_type", ["company", "contact", "lead", "deal", "interaction", "task", "product", "pipeline"]
)
def test_a_failed_audit_write_leaves_no_record(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, object_type: str
) -> None:
    from django.apps import apps

    from accord.access.rules import TYPE_MODELS

    model = apps.get_model(TYPE_MODELS[object_type])
    if object_type == "deal":  # a deal needs a pipeline
        api_client.post("/pipelines", new_record("pipeline", 0))
    before = model.objects.count()

    def failing_create(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("the audit table is unavailable")

    monkeypatch.setattr(AuditEntry.objects, "create", failing_create)
    with pytest.raises(DatabaseError):
        api_client.post(f"/{PLURALS[object_type]}", new_record(object_type, 0))
    assert model.objects.count() == before


def test_every_command_line_write_leaves_its_audit_entries(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line acts as Accord itself (no signed-in user), through the same services, so every
    write it makes is audited with the channel ``cli``."""
    from accord.cli import main

    def entries_of(*argv: str) -> list[tuple[str, str, str]]:
        before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        assert main(list(argv)) == 0, capsys.readouterr()
        added = AuditEntry.objects.filter(id__gt=before).order_by("id")
        return [(entry.action, entry.object_type, entry.via) for entry in added]

    assert entries_of("createadmin", "root", "--password", "a long enough passphrase") == [
        ("create", "users.user", "cli")
    ]
    assert entries_of("createadmin", "root", "--reset-password") == [("password_change", "users.user", "cli")]
    assert entries_of("token", "create", "root", "--name", "ops") == [
        ("token_create", "users.apitoken", "cli")
    ]
    token_id = str(ApiToken.objects.get(name="ops").pk)
    assert entries_of("token", "revoke", "root", token_id) == [("token_revoke", "users.apitoken", "cli")]
    User.objects.create_user(username="rep")
    assert entries_of("user", "set-role", "rep", "analyst") == [("role_change", "users.user", "cli")]
    assert entries_of("user", "disable", "rep") == [("disable", "users.user", "cli")]
    assert entries_of("user", "enable", "rep") == [("enable", "users.user", "cli")]
    assert entries_of("token", "list", "root") == []  # reads write nothing
