"""The rules beyond the default: managers, every organisation-wide default, records that follow their
parent, and the administration of roles, teams, defaults and shares (audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accord.access.models import SharingDefault, Team, TeamMembership
from accord.access.tests.world import build_world, client_for, make_user
from accord.activities.services import interaction_create
from accord.core.actors import SYSTEM
from accord.core.models import AuditEntry
from accord.sales.models import Deal

pytestmark = pytest.mark.django_db


def _listed(call: Any, path: str) -> set[int]:
    response = call("GET", path)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_a_manager_sees_and_changes_what_their_team_owns_but_not_other_teams() -> None:
    world = build_world("sales_rep", ("deal",))
    manager = make_user("maria", "sales_manager")
    Team.objects.filter(pk=world.east.pk).update(manager=manager)
    call = client_for(manager)
    deals = world.records["deal"]
    assert _listed(call, "/deals") == {deals["own"].pk, deals["teammate"].pk}
    assert call("PATCH", f"/deals/{deals['teammate'].pk}", {"name": "Checked"}).status_code == 200
    assert call("DELETE", f"/deals/{deals['own'].pk}").status_code == 204
    assert call("GET", f"/deals/{deals['other'].pk}").status_code == 404


@pytest.mark.parametrize(
    ("visibility", "seen", "changed"),
    [
        ("private", {"own", "shared", "shared_edit"}, {"own", "shared_edit"}),
        ("team", {"own", "teammate", "shared", "shared_edit"}, {"own", "teammate", "shared_edit"}),
        (
            "public_read",
            {"own", "teammate", "other", "shared", "shared_edit"},
            {"own", "teammate", "shared_edit"},
        ),
        (
            "public_read_write",
            {"own", "teammate", "other", "shared", "shared_edit"},
            {"own", "teammate", "other", "shared", "shared_edit"},
        ),
    ],
)
def test_each_organisation_wide_default(visibility: str, seen: set[str], changed: set[str]) -> None:
    world = build_world("sales_rep", ("company",))
    SharingDefault.objects.create(object_type="company", visibility=visibility)
    call = client_for(world.alice)
    assert _listed(call, "/companies") == world.ids("company", seen)
    for relation, company in world.records["company"].items():
        status = call("PATCH", f"/companies/{company.pk}", {"industry": "Checked"}).status_code
        assert status == (200 if relation in changed else 403 if relation in seen else 404), relation


def test_an_external_partner_sees_only_its_own_and_shared_records_even_when_public() -> None:
    world = build_world("external_partner", ("lead",))
    SharingDefault.objects.create(object_type="lead", visibility="public_read_write")
    assert _listed(client_for(world.alice), "/leads") == world.ids("lead", {"own", "shared", "shared_edit"})


def test_a_share_with_a_team_reaches_its_members() -> None:
    world = build_world("sales_rep", ("contact",))
    other = world.records["contact"]["other"]
    admin = client_for(make_user("root", "administrator"))
    assert (
        admin(
            "POST", "/shares", {"object_type": "contact", "object_id": other.pk, "team_id": world.east.pk}
        ).status_code
        == 201
    )
    assert client_for(world.bob)("GET", f"/contacts/{other.pk}").status_code == 200


def test_interactions_follow_their_deal_and_otherwise_their_owner() -> None:
    world = build_world("sales_rep", ("deal",))
    carols_deal: Deal = world.records["deal"]["other"]
    alices_deal: Deal = world.records["deal"]["own"]
    now = timezone.now()
    logged = {"kind": "note", "channel": "internal", "occurred_at": now}
    # Alice logged a note on Carol's deal: it follows the deal, which Alice cannot see.
    on_carols = interaction_create(
        actor=SYSTEM, data={**logged, "deal_id": carols_deal.pk, "owner_id": world.alice.pk}
    )
    # Carol logged a note on Alice's deal: Alice sees it because she sees the deal.
    on_alices = interaction_create(
        actor=SYSTEM, data={**logged, "deal_id": alices_deal.pk, "owner_id": world.carol.pk}
    )
    own_loose = interaction_create(actor=SYSTEM, data={**logged, "owner_id": world.alice.pk})
    call = client_for(world.alice)
    assert _listed(call, "/interactions") == {on_alices.pk, own_loose.pk}
    assert call("GET", f"/interactions/{on_carols.pk}").status_code == 404
    assert call("PATCH", f"/interactions/{on_alices.pk}", {"subject": "Follow-up"}).status_code == 200
    history = call("GET", f"/deals/{carols_deal.pk}/stage-history")
    assert history.status_code == 404


def test_administration_is_for_administrators_and_every_change_is_audited() -> None:
    rep = client_for(make_user("rep", "sales_rep"))
    admin_user = make_user("root", "administrator")
    admin = client_for(admin_user)
    assert rep("GET", "/roles").status_code == 403
    assert rep("POST", "/teams", {"name": "North"}).status_code == 403
    assert rep("PUT", "/sharing-defaults/deal", {"visibility": "private"}).status_code == 403

    role = admin("POST", "/roles", {"key": "viewer", "name": "Viewer", "permissions": {"deal": ["view"]}})
    assert role.status_code == 201, role.content
    bad = admin(
        "POST",
        "/roles",
        {"key": "bad", "name": "Bad", "permissions": {"deal": ["edit"]}, "hidden_fields": {"deal": ["name"]}},
    )
    assert (bad.status_code, sorted(bad.json()["error"]["fields"])) == (
        422,
        ["hidden_fields.deal", "permissions.deal"],
    )
    builtin = admin("GET", "/roles").json()[0]
    assert admin("PATCH", f"/roles/{builtin['id']}", {"name": "Renamed"}).status_code == 409

    team = admin(
        "POST", "/teams", {"name": "North", "manager_id": admin_user.pk, "member_ids": [admin_user.pk]}
    )
    assert team.status_code == 201
    assert team.json()["member_ids"] == [admin_user.pk]
    changed = admin("PUT", "/sharing-defaults/deal", {"visibility": "private"})
    assert changed.json() == {"object_type": "deal", "visibility": "private"}
    defaults = {row["object_type"]: row["visibility"] for row in admin("GET", "/sharing-defaults").json()}
    assert (defaults["deal"], defaults["contact"]) == ("private", "team")

    actions = list(AuditEntry.objects.filter(actor=admin_user).values_list("action", "object_type"))
    assert actions == [  # newest first; the refused and invalid requests wrote nothing
        ("permission_change", "access.sharingdefault"),
        ("create", "access.team"),
        ("create", "access.role"),
    ]


def test_sharing_is_for_the_owner_their_manager_and_admins() -> None:
    world = build_world("sales_rep", ("deal",))
    deals = world.records["deal"]
    alice = client_for(world.alice)
    share = {"object_type": "deal", "user_id": world.carol.pk, "access": "read"}
    assert alice("POST", "/shares", {**share, "object_id": deals["own"].pk}).status_code == 201
    assert alice("POST", "/shares", {**share, "object_id": deals["teammate"].pk}).status_code == 403
    assert alice("POST", "/shares", {**share, "object_id": deals["other"].pk}).status_code == 404
    entry = AuditEntry.objects.get(action="share")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "sales.deal",
        deals["own"].pk,
        world.alice.pk,
    )
    shares = alice("GET", f"/shares?object_type=deal&object_id={deals['own'].pk}").json()
    assert [(item["user_id"], item["access"]) for item in shares] == [(world.carol.pk, "read")]
    assert client_for(world.carol)("GET", f"/deals/{deals['own'].pk}").status_code == 200
    assert alice("DELETE", f"/shares/{shares[0]['id']}").status_code == 204
    assert client_for(world.carol)("GET", f"/deals/{deals['own'].pk}").status_code == 404
    assert AuditEntry.objects.filter(action="unshare", object_id=deals["own"].pk).count() == 1


def test_leaving_a_team_takes_its_records_out_of_sight() -> None:
    world = build_world("sales_rep", ("task",))
    call = client_for(world.alice)
    teammate_task = world.records["task"]["teammate"]
    assert call("GET", f"/tasks/{teammate_task.pk}").status_code == 200
    TeamMembership.objects.filter(user=world.alice).delete()
    assert client_for(world.alice)("GET", f"/tasks/{teammate_task.pk}").status_code == 404


def test_a_list_part_must_be_one_of_the_actors_scope_parts() -> None:
    from django.db.models import Q

    from accord.core.actors import Actor
    from accord.customers.selectors import contact_list

    world = build_world("sales_rep", ("contact",))
    with pytest.raises(ValueError, match="scope_parts"):
        contact_list(actor=Actor(user=world.alice, via="api"), part=Q(pk__gt=0))
