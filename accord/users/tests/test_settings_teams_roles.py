"""Teams, roles and sharing defaults pages: lists in a fixed number of queries, every write audited as a
permission change, errors beside the field (or the grid row), built-in roles read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Role, SharingDefault, Team, TeamMembership
from accord.users.models import User
from accord.users.tests.settings_world import (
    audit_after,
    field_errors,
    last_audit_id,
    make_user,
    queries_of,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- teams


def test_the_teams_list_takes_the_same_queries_for_3_and_for_30_teams(
    admin_client: Client, django_assert_num_queries
) -> None:
    people = [make_user(f"member{number}") for number in range(4)]

    def add_teams(start: int, count: int) -> None:
        for number in range(start, start + count):
            team = Team.objects.create(name=f"Team {number:02}", manager=people[number % 4])
            for person in people[: number % 4 + 1]:
                TeamMembership.objects.create(team=team, user=person)

    add_teams(0, 3)
    small = queries_of(admin_client, "/settings/teams/")
    add_teams(3, 27)
    with django_assert_num_queries(small):
        response = admin_client.get("/settings/teams/")
    assert len(response.context["teams"]) == 30
    assert "member0, member1" in response.content.decode()


def test_the_empty_teams_list_says_what_teams_are_for(admin_client: Client) -> None:
    assert "No teams yet." in admin_client.get("/settings/teams/").content.decode()


def test_create_and_edit_a_team(admin_client: Client) -> None:
    sam, mia = make_user("sam"), make_user("mia")
    before = last_audit_id()
    response = admin_client.post(
        "/settings/teams/new/", {"name": "East", "manager": sam.pk, "members": [sam.pk, mia.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get(name="East")
    assert (team.manager, sorted(team.members.values_list("username", flat=True))) == (sam, ["mia", "sam"])
    assert [action for action, _, _ in audit_after(before)] == ["create"]

    before = last_audit_id()
    response = admin_client.post(
        f"/settings/teams/{team.pk}/",
        {"name": "East coast", "manager": "", "members": [mia.pk], "version": team.version},
    )
    assert response.status_code == 302
    assert audit_after(before) == [
        (
            "permission_change",
            "access.team",
            {
                "name": ["East", "East coast"],
                "manager_id": [sam.pk, None],
                "member_ids": [sorted([mia.pk, sam.pk]), [mia.pk]],
            },
        )
    ]


def test_team_errors_are_shown_beside_the_field(admin_client: Client) -> None:
    Team.objects.create(name="East")
    before = last_audit_id()
    duplicate = admin_client.post("/settings/teams/new/", {"name": "east"})
    assert field_errors(duplicate) == {"name": ["A team with this name already exists."]}
    blank = admin_client.post("/settings/teams/new/", {"name": "", "members": [987654]})
    assert set(field_errors(blank)) == {"name", "members"}
    assert audit_after(before) == []


def test_only_active_users_can_join_a_team(admin_client: Client) -> None:
    gone = make_user("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    response = admin_client.post("/settings/teams/new/", {"name": "East", "members": [gone.pk]})
    assert "members" in field_errors(response)


def test_delete_a_team(admin_client: Client) -> None:
    team = Team.objects.create(name="East")
    assert "Delete team “East”?" in admin_client.get(f"/settings/teams/{team.pk}/delete/").content.decode()
    before = last_audit_id()
    response = admin_client.post(f"/settings/teams/{team.pk}/delete/")
    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    assert [action for action, _, _ in audit_after(before)] == ["delete"]


# ---------------------------------------------------------------- roles


def grid(**rows: str) -> dict[str, str]:
    """Form data for the role grid: ``contact="view edit"`` ticks those boxes of the contact row."""
    return {
        f"perm__{object_type}__{action}": "on"
        for object_type, actions in rows.items()
        for action in actions.split()
    }


def test_the_roles_list_shows_builtin_and_custom_roles_in_a_fixed_number_of_queries(
    admin_client: Client, django_assert_num_queries
) -> None:
    Role.objects.create(key="helper", name="Helper")
    small = queries_of(admin_client, "/settings/roles/")
    for number in range(27):
        Role.objects.create(key=f"role-{number}", name=f"Role {number}")
    with django_assert_num_queries(small):
        response = admin_client.get("/settings/roles/")
    assert len(response.context["custom"]) == 28
    assert len(response.context["builtin"]) == 8


def test_create_a_custom_role_from_the_grid(admin_client: Client) -> None:
    before = last_audit_id()
    response = admin_client.post(
        "/settings/roles/new/",
        {
            "key": "support_lead",
            "name": "Support lead",
            "description": "Leads support",
            **grid(contact="view edit export", task="view create edit delete"),
            "hide__contact__phones": "on",
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(key="support_lead")
    assert role.permissions == {
        "contact": ["view", "edit", "export"],
        "task": ["view", "create", "edit", "delete"],
    }
    assert role.hidden_fields == {"contact": ["phones"]}
    assert (role.is_builtin, role.is_admin) == (False, False)
    assert [(action, object_type) for action, object_type, _ in audit_after(before)] == [
        ("create", "access.role")
    ]


def test_a_grid_row_without_view_is_refused_in_that_row(admin_client: Client) -> None:
    response = admin_client.post("/settings/roles/new/", {"key": "odd", "name": "Odd", **grid(deal="edit")})
    assert response.status_code == 200
    assert response.context["form"].row_errors == {"deal": ["Every other action needs 'view'."]}
    content = response.content.decode()
    row = content[content.index('<th scope="row">Deal') :][:400]
    assert "Every other action needs" in row
    assert not Role.objects.filter(key="odd").exists()


def test_role_fields_errors_beside_the_field(admin_client: Client) -> None:
    response = admin_client.post("/settings/roles/new/", {"key": "Not a key!", "name": ""})
    assert set(field_errors(response)) == {"key", "name"}
    duplicate = admin_client.post("/settings/roles/new/", {"key": "sales_rep", "name": "Again"})
    assert field_errors(duplicate) == {"key": ["A role with this key already exists."]}


def test_edit_a_custom_role(admin_client: Client) -> None:
    role = Role.objects.create(key="helper", name="Helper", permissions={"contact": ["view"]})
    page = admin_client.get(f"/settings/roles/{role.pk}/")
    assert page.context["form"].initial["perm__contact__view"] is True
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/roles/{role.pk}/",
        {"name": "Helper", "is_external": "on", "version": role.version, **grid(contact="view", lead="view")},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.is_external, role.permissions) == (True, {"contact": ["view"], "lead": ["view"]})
    assert audit_after(before) == [
        (
            "permission_change",
            "access.role",
            {
                "is_external": [False, True],
                "permissions": [{"contact": ["view"]}, {"contact": ["view"], "lead": ["view"]}],
            },
        )
    ]


def test_builtin_roles_are_shown_read_only(admin_client: Client) -> None:
    builtin = Role.objects.get(key="sales_rep")
    page = admin_client.get(f"/settings/roles/{builtin.pk}/")
    content = page.content.decode()
    assert "Built-in roles cannot be changed" in content
    assert page.context["form"]["perm__lead__delete"].value() is True
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert '<input type="checkbox" name="perm__lead__delete"' in content
    assert "Create role" not in content
    assert ">Save<" not in content
    before = last_audit_id()
    response = admin_client.post(f"/settings/roles/{builtin.pk}/", {"name": "Hacked", **grid(company="view")})
    assert "Built-in roles cannot be changed" in field_errors(response)["__all__"][0]
    assert Role.objects.get(pk=builtin.pk).name == "Sales representative"
    assert audit_after(before) == []


def test_a_role_in_use_cannot_be_deleted(admin_client: Client) -> None:
    role = Role.objects.create(key="helper", name="Helper")
    user = make_user("sam")
    User.objects.filter(pk=user.pk).update(role=role)
    response = admin_client.post(f"/settings/roles/{role.pk}/delete/")
    assert response.status_code == 200
    assert "Cannot delete: it is still used by users." in response.content.decode()
    User.objects.filter(pk=user.pk).update(role=Role.objects.get(key="sales_rep"))
    before = last_audit_id()
    assert admin_client.post(f"/settings/roles/{role.pk}/delete/").status_code == 302
    assert [action for action, _, _ in audit_after(before)] == ["delete"]


def test_a_builtin_role_cannot_be_deleted(admin_client: Client) -> None:
    builtin = Role.objects.get(key="analyst")
    response = admin_client.post(f"/settings/roles/{builtin.pk}/delete/")
    assert "Built-in roles cannot be deleted." in response.content.decode()
    assert Role.objects.filter(pk=builtin.pk).exists()


# ---------------------------------------------------------------- sharing defaults


def test_sharing_defaults_show_the_current_values(admin_client: Client) -> None:
    SharingDefault.objects.create(object_type="deal", visibility="private")
    form = admin_client.get("/settings/sharing/").context["form"]
    assert form.initial["deal"] == "private"
    assert form.initial["contact"] == "team"
    assert list(form.fields) == ["company", "contact", "lead", "deal", "order", "interaction", "task"]


def test_each_changed_default_is_audited(admin_client: Client) -> None:
    values = {name: "team" for name in ["company", "contact", "lead", "deal", "order", "interaction", "task"]}
    before = last_audit_id()
    response = admin_client.post("/settings/sharing/", {**values, "deal": "private", "task": "public_read"})
    assert response.status_code == 302
    assert dict(SharingDefault.objects.values_list("object_type", "visibility")) == {
        "deal": "private",
        "task": "public_read",
    }
    assert audit_after(before) == [
        ("permission_change", "access.sharingdefault", {"visibility": ["team", "private"]}),
        ("permission_change", "access.sharingdefault", {"visibility": ["team", "public_read"]}),
    ]


def test_an_unknown_visibility_is_refused_beside_its_type(admin_client: Client) -> None:
    before = last_audit_id()
    response = admin_client.post("/settings/sharing/", {"deal": "everyone"})
    errors = field_errors(response)
    assert "Select a valid choice." in errors["deal"][0]
    assert audit_after(before) == []


def test_the_team_page_takes_the_same_queries_for_3_and_for_30_members(
    admin_client: Client, django_assert_num_queries
) -> None:
    team = Team.objects.create(name="East")

    def add_members(start: int, count: int) -> None:
        for number in range(start, start + count):
            TeamMembership.objects.create(team=team, user=make_user(f"member{number:02}"))

    add_members(0, 3)
    url = f"/settings/teams/{team.pk}/"
    small = queries_of(admin_client, url)
    add_members(3, 27)
    with django_assert_num_queries(small):
        response = admin_client.get(url)
    assert len(response.context["form"].initial["members"]) == 30
    assert response.content.decode().count('name="members"') == 31  # every active user, the administrator too


@pytest.mark.parametrize("key", ["sales_rep", "custom"])
def test_a_role_page_takes_a_fixed_number_of_queries(
    admin_client: Client, key: str, django_assert_max_num_queries
) -> None:
    role = Role.objects.get_or_create(key=key, defaults={"name": "Custom"})[0]
    with django_assert_max_num_queries(8):
        assert admin_client.get(f"/settings/roles/{role.pk}/").status_code == 200
