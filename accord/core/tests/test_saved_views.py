"""Saved views of a list: private or shared with one of the owner's teams; only the owner deletes one."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from accord.access.tests.world import World, build_world
from accord.core.models import AuditEntry, SavedView
from accord.core.tests.list_checks import signed_in

pytestmark = pytest.mark.django_db

QUERY = "q=zq&lifecycle_stage=lead&sort=-created_at&columns=name&columns=email&cursor=abc"


@pytest.fixture
def world() -> World:
    return build_world("sales_rep", ("contact",))


def save(world: World, name: str, team: str = "", query: str = QUERY) -> Any:
    return signed_in(world.alice).post("/contacts/views/", {"name": name, "team": team, "query": query})


def test_a_saved_view_keeps_search_filters_sort_and_columns_but_not_the_page(world: World) -> None:
    response = save(world, "My leads")
    view = SavedView.objects.get(name="My leads")
    assert response.status_code == 302
    assert view.owner == world.alice
    assert view.team is None
    assert view.query == {
        "q": ["zq"], "lifecycle_stage": ["lead"], "sort": ["-created_at"], "columns": ["name", "email"]
    }  # fmt: skip
    applied = parse_qs(urlsplit(response["Location"]).query)
    assert applied["columns"] == ["name", "email"]
    assert applied["view"] == [str(view.pk)]
    page = signed_in(world.alice).get(response["Location"]).content.decode()
    assert "My leads" in page
    assert 'aria-current="true"' in page
    assert AuditEntry.objects.filter(object_type="core.savedview", action="create", via="web").exists()


def test_saving_again_under_the_same_name_replaces_the_view(world: World) -> None:
    save(world, "Mine")
    save(world, "Mine", query="q=other")
    view = SavedView.objects.get()
    assert (view.query, view.version) == ({"q": ["other"]}, 2)


def test_a_private_view_is_its_owners_alone(world: World) -> None:
    save(world, "Private one")
    assert "Private one" in signed_in(world.alice).get("/contacts/").content.decode()
    assert "Private one" not in signed_in(world.bob).get("/contacts/").content.decode()
    assert "Private one" not in signed_in(world.alice).get("/companies/").content.decode()  # another list
    view = SavedView.objects.get()
    assert signed_in(world.bob).post(f"/contacts/views/{view.pk}/delete/").status_code == 404


def test_a_team_view_is_applied_by_teammates_but_deleted_by_its_owner_only(world: World) -> None:
    save(world, "East pipeline", team=str(world.east.pk))
    view = SavedView.objects.get()
    assert view.team == world.east
    bob_page = signed_in(world.bob).get("/contacts/").content.decode()
    assert "East pipeline" in bob_page
    assert "by alice" in bob_page
    assert "East pipeline" not in signed_in(world.carol).get("/contacts/").content.decode()
    assert signed_in(world.bob).post(f"/contacts/views/{view.pk}/delete/").status_code == 403
    assert signed_in(world.carol).post(f"/contacts/views/{view.pk}/delete/").status_code == 404
    assert signed_in(world.alice).post(f"/contacts/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("name", "team", "field", "message"),
    [
        ("", "", "name", "Give the view a name."),
        ("x" * 101, "", "name", "At most 100 characters."),
        ("West", "west", "team", "Share a view only with a team you belong to."),
    ],
)
def test_a_view_that_cannot_be_saved_shows_why_beside_the_field(
    world: World, name: str, team: str, field: str, message: str
) -> None:
    team_id = str(world.west.pk) if team == "west" else team
    response = save(world, name, team=team_id)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="view-{field}-error">{message}</p>' in page
    assert not SavedView.objects.exists()


def test_bad_view_requests_answer_400_or_404(world: World) -> None:
    client = signed_in(world.alice)
    assert client.post("/contacts/views/", {"name": "x", "team": "abc"}).status_code == 400
    assert client.post("/contacts/views/999999/delete/").status_code == 404
    assert client.get("/contacts/views/").status_code == 405
