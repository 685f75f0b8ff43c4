"""The users pages: list (search, filters, pages, a fixed number of queries), create with role and
teams, edit, disable and enable, password reset. Every write is audited; bad input is shown beside the
field; a generated password is shown once and never cached."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Role, Team, TeamMembership
from accord.core.actors import SYSTEM
from accord.users.models import ApiToken, User, UserSession
from accord.users.services import token_create
from accord.users.tests.settings_world import (
    PASSWORD,
    audit_after,
    field_errors,
    last_audit_id,
    make_user,
    queries_of,
)
from accord.web.tests.builders import browser

pytestmark = pytest.mark.django_db


def role(key: str) -> Role:
    return Role.objects.get(key=key)


@pytest.fixture
def teams() -> dict[str, Team]:
    return {name: Team.objects.create(name=name) for name in ("East", "West", "North")}


# ---------------------------------------------------------------- list


def test_the_list_shows_users_with_role_and_teams(admin_client: Client, teams: dict[str, Team]) -> None:
    sam = make_user("sam", first_name="Sam", last_name="Stone", email="sam@example.com")
    TeamMembership.objects.create(team=teams["East"], user=sam)
    content = admin_client.get("/settings/users/").content.decode()
    assert "sam@example.com" in content
    assert "Sam Stone" in content
    assert "Sales representative" in content
    assert "East" in content


def test_the_list_takes_the_same_queries_for_3_and_for_30_users(
    admin_client: Client, teams: dict[str, Team], django_assert_num_queries
) -> None:
    def add_users(start: int, count: int) -> None:
        for number in range(start, start + count):
            user = make_user(f"user{number:02}", role="sales_rep" if number % 2 else "marketer")
            TeamMembership.objects.create(team=list(teams.values())[number % 3], user=user)

    add_users(0, 2)  # with the administrator: 3 users
    small = queries_of(admin_client, "/settings/users/")
    add_users(2, 27)
    with django_assert_num_queries(small):
        response = admin_client.get("/settings/users/")
    assert len(response.context["users"]) == 30


def test_search_and_filters(admin_client: Client) -> None:
    make_user("sam", email="sam@example.com")
    make_user("mia", role="marketer")
    gone = make_user("old")
    gone.is_active = False
    gone.save()

    def names(query: str) -> list[str]:
        return [user.username for user in admin_client.get(f"/settings/users/{query}").context["users"]]

    assert names("") == ["ada", "mia", "sam"]
    assert names("?q=example.com") == ["sam"]
    assert names(f"?role={role('marketer').pk}") == ["mia"]
    assert names("?status=disabled") == ["old"]
    assert names("?status=all") == ["ada", "mia", "old", "sam"]


def test_the_search_box_gets_only_the_results_with_htmx(admin_client: Client) -> None:
    make_user("sam")
    response = admin_client.get("/settings/users/?q=sam", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "/settings/users/" in content
    assert "sam" in content


def test_pages_follow_the_cursor(admin_client: Client) -> None:
    for number in range(55):
        make_user(f"user{number:02}")
    first = admin_client.get("/settings/users/")
    assert len(first.context["users"]) == 50
    second = admin_client.get(f"/settings/users/{first.context['next_url']}")
    assert len(second.context["users"]) == 6
    assert second.context["next_url"] is None


def test_an_empty_result_says_what_to_do(admin_client: Client) -> None:
    content = admin_client.get("/settings/users/?q=nobody").content.decode()
    assert "No user matches these filters." in content


# ---------------------------------------------------------------- create


def test_create_with_role_teams_and_password(admin_client: Client, teams: dict[str, Team]) -> None:
    before = last_audit_id()
    response = admin_client.post(
        "/settings/users/new/",
        {
            "username": "nina",
            "first_name": "Nina",
            "email": "Nina@Example.com",
            "role": role("sales_rep").pk,
            "teams": [teams["East"].pk, teams["West"].pk],
            "password": PASSWORD,
        },
    )
    nina = User.objects.get(username="nina")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/users/{nina.pk}/"
    assert (nina.email, nina.role, nina.check_password(PASSWORD)) == (
        "nina@example.com",
        role("sales_rep"),
        True,
    )
    assert sorted(team.name for team in nina.teams.all()) == ["East", "West"]
    assert audit_after(before) == [
        ("create", "users.user", {"role": [None, "sales_rep"]}),
        ("permission_change", "access.team", {"member_ids": [[], [nina.pk]]}),
        ("permission_change", "access.team", {"member_ids": [[], [nina.pk]]}),
    ]


def test_create_without_a_password_shows_the_generated_one_once(admin_client: Client) -> None:
    response = admin_client.post("/settings/users/new/", {"username": "nina", "role": role("marketer").pk})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    nina = User.objects.get(username="nina")
    assert nina.check_password(secret)
    assert response.content.decode().count(secret) == 1
    assert secret not in admin_client.get(f"/settings/users/{nina.pk}/").content.decode()


def test_bad_input_is_shown_beside_each_field(admin_client: Client) -> None:
    make_user("taken")
    before = last_audit_id()
    response = admin_client.post(
        "/settings/users/new/",
        {"username": "bad name!", "email": "not-an-email", "role": "", "password": "short"},
    )
    assert response.status_code == 200
    assert set(field_errors(response)) == {"role"}  # the form's own check comes first
    response = admin_client.post(
        "/settings/users/new/",
        {"username": "bad name!", "email": "not-an-email", "role": role("sales_rep").pk, "password": "short"},
    )
    errors = field_errors(response)
    assert set(errors) == {"username", "email", "password"}
    content = response.content.decode()
    assert 'class="field-error" id="id_password_error"' in content
    assert 'aria-describedby="id_password_error' in content
    taken = admin_client.post("/settings/users/new/", {"username": "TAKEN", "role": role("sales_rep").pk})
    assert field_errors(taken) == {"username": ["A user named 'TAKEN' already exists."]}
    assert audit_after(before) == []


def test_unknown_teams_and_roles_are_form_errors(admin_client: Client) -> None:
    response = admin_client.post(
        "/settings/users/new/", {"username": "nina", "role": 987654, "teams": [987654, "x"]}
    )
    assert set(field_errors(response)) == {"role", "teams"}
    assert not User.objects.filter(username="nina").exists()


# ---------------------------------------------------------------- edit


def test_edit_role_and_teams(admin_client: Client, teams: dict[str, Team]) -> None:
    sam = make_user("sam")
    TeamMembership.objects.create(team=teams["East"], user=sam)
    page = admin_client.get(f"/settings/users/{sam.pk}/")
    assert page.context["form"].initial["teams"] == [teams["East"].pk]
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/users/{sam.pk}/",
        {
            "first_name": "Sam",
            "last_name": "",
            "email": "",
            "role": role("sales_manager").pk,
            "teams": [teams["West"].pk],
            "version": sam.version,
        },
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert (sam.first_name, sam.role) == ("Sam", role("sales_manager"))
    assert [team.name for team in sam.teams.all()] == ["West"]
    assert audit_after(before) == [
        ("role_change", "users.user", {"first_name": ["", "Sam"], "role": ["sales_rep", "sales_manager"]}),
        ("permission_change", "access.team", {"member_ids": [[sam.pk], []]}),
        ("permission_change", "access.team", {"member_ids": [[], [sam.pk]]}),
    ]


def test_a_stale_edit_shows_the_saved_values_and_keeps_what_was_typed(admin_client: Client) -> None:
    sam = make_user("sam")
    stale_version = sam.version
    admin_client.post(
        f"/settings/users/{sam.pk}/",
        {"first_name": "Samuel", "role": role("sales_rep").pk, "version": stale_version},
    )
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/users/{sam.pk}/",
        {"first_name": "Sammy", "role": role("sales_rep").pk, "version": stale_version},
    )
    assert response.status_code == 200
    errors = field_errors(response)
    assert "Someone else saved this" in errors["__all__"][0]
    assert errors["first_name"] == ["Saved meanwhile: Samuel"]
    assert response.context["form"]["first_name"].value() == "Sammy"
    assert response.context["form"]["version"].value() == str(stale_version + 1)
    assert audit_after(before) == []
    again = admin_client.post(
        f"/settings/users/{sam.pk}/",
        {"first_name": "Sammy", "role": role("sales_rep").pk, "version": stale_version + 1},
    )
    assert again.status_code == 302
    assert User.objects.get(pk=sam.pk).first_name == "Sammy"


def test_the_last_administrator_keeps_their_role(admin_client: Client, admin: User) -> None:
    response = admin_client.post(
        f"/settings/users/{admin.pk}/", {"role": role("sales_rep").pk, "version": admin.version}
    )
    assert "last active administrator" in field_errors(response)["__all__"][0]
    assert User.objects.get(pk=admin.pk).role == role("administrator")


# ---------------------------------------------------------------- disable, enable, password


def test_disable_ends_sessions_and_tokens_at_once(admin_client: Client) -> None:
    sam = make_user("sam")
    sam_client = browser(sam)
    assert sam_client.get("/settings/tokens/").status_code == 200
    token = token_create(actor=SYSTEM, user=sam, name="sync").token
    before = last_audit_id()

    response = admin_client.post(f"/settings/users/{sam.pk}/disable/", follow=True)

    assert "disabled" in response.content.decode()
    assert not User.objects.get(pk=sam.pk).is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert not UserSession.objects.filter(user_id=sam.pk).exists()
    assert sam_client.get("/settings/tokens/").status_code == 302
    [(action, object_type, changes)] = audit_after(before)
    assert (action, object_type) == ("disable", "users.user")
    assert changes["revoked_tokens"] == [[], [token.pk]]
    assert changes["ended_sessions"] == [0, 1]

    before = last_audit_id()
    admin_client.post(f"/settings/users/{sam.pk}/enable/")
    assert User.objects.get(pk=sam.pk).is_active
    assert audit_after(before) == [("enable", "users.user", {"is_active": [False, True]})]


def test_an_administrator_cannot_disable_themselves(admin_client: Client, admin: User) -> None:
    response = admin_client.post(f"/settings/users/{admin.pk}/disable/", follow=True)
    assert "You cannot disable your own account" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_reset_password(admin_client: Client) -> None:
    sam = make_user("sam")
    sam_client = browser(sam)
    before = last_audit_id()
    mismatch = admin_client.post(
        f"/settings/users/{sam.pk}/password/", {"password": "a new passphrase", "confirm": "other"}
    )
    assert field_errors(mismatch) == {"confirm": ["The two passwords differ."]}
    weak = admin_client.post(f"/settings/users/{sam.pk}/password/", {"password": "sam", "confirm": "sam"})
    assert "password" in field_errors(weak)
    assert audit_after(before) == []

    done = admin_client.post(
        f"/settings/users/{sam.pk}/password/", {"password": "a new passphrase", "confirm": "a new passphrase"}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=sam.pk).check_password("a new passphrase")
    assert audit_after(before) == [("password_change", "users.user", {})]
    assert sam_client.get("/settings/tokens/").status_code == 302  # their session ended


def test_reset_to_a_generated_password_shows_it_once(admin_client: Client) -> None:
    sam = make_user("sam")
    response = admin_client.post(f"/settings/users/{sam.pk}/password/", {"password": "", "confirm": ""})
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert User.objects.get(pk=sam.pk).check_password(secret)
    assert response.content.decode().count(secret) == 1


def test_resetting_your_own_password_keeps_you_signed_in(admin_client: Client, admin: User) -> None:
    admin_client.post(
        f"/settings/users/{admin.pk}/password/",
        {"password": "another long passphrase", "confirm": "another long passphrase"},
    )
    assert admin_client.get("/settings/users/").status_code == 200


def test_the_edit_page_takes_the_same_queries_for_3_and_for_30_teams(
    admin_client: Client, django_assert_num_queries
) -> None:
    sam = make_user("sam")

    def add_teams(start: int, count: int) -> None:
        for number in range(start, start + count):
            team = Team.objects.create(name=f"Team {number:02}")
            TeamMembership.objects.create(team=team, user=sam)

    add_teams(0, 3)
    url = f"/settings/users/{sam.pk}/"
    small = queries_of(admin_client, url)
    add_teams(3, 27)
    with django_assert_num_queries(small):
        response = admin_client.get(url)
    assert len(response.context["form"].initial["teams"]) == 30
