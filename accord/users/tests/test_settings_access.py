"""Who may open which settings page: administrators every page, other users only their API tokens (403
elsewhere, with a page that says why), nobody signed out; unknown ids answer 404, wrong methods 405."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Role, Team
from accord.core.actors import SYSTEM
from accord.core.custom_fields import custom_field_create
from accord.core.models import AuditEntry
from accord.sales.services import pipeline_create
from accord.users.models import User
from accord.users.tests.settings_world import HUGE, make_user
from accord.web.tests.builders import browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin: User) -> dict[str, int]:
    """One record of each kind the pages show, with its id."""
    team = Team.objects.create(name="East")
    role = Role.objects.create(key="custom", name="Custom", permissions={"contact": ["view"]})
    field = custom_field_create(
        actor=SYSTEM, data={"object_type": "contact", "key": "tier", "label": "Tier", "field_type": "text"}
    )
    pipeline = pipeline_create(actor=SYSTEM, data={"name": "New business", "stages": [{"name": "Qualify"}]})
    return {
        "user": make_user("sam").pk,
        "team": team.pk,
        "role": role.pk,
        "builtin_role": Role.objects.get(key="sales_rep").pk,
        "field": field.pk,
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.get().pk,
    }


ADMIN_PAGES = [
    "/settings/",
    "/settings/users/",
    "/settings/users/new/",
    "/settings/users/{user}/",
    "/settings/users/{user}/password/",
    "/settings/teams/",
    "/settings/teams/new/",
    "/settings/teams/{team}/",
    "/settings/teams/{team}/delete/",
    "/settings/roles/",
    "/settings/roles/new/",
    "/settings/roles/{role}/",
    "/settings/roles/{builtin_role}/",
    "/settings/roles/{role}/delete/",
    "/settings/sharing/",
    "/settings/custom-fields/",
    "/settings/custom-fields/?object_type=deal",
    "/settings/custom-fields/new/",
    "/settings/custom-fields/{field}/",
    "/settings/custom-fields/{field}/delete/",
    "/settings/pipelines/",
    "/settings/pipelines/new/",
    "/settings/pipelines/{pipeline}/",
    "/settings/pipelines/{pipeline}/delete/",
    "/settings/pipelines/{pipeline}/stages/{stage}/",
    "/settings/pipelines/{pipeline}/stages/{stage}/delete/",
]
ADMIN_POSTS = [
    "/settings/users/new/",
    "/settings/users/{user}/",
    "/settings/users/{user}/disable/",
    "/settings/users/{user}/enable/",
    "/settings/users/{user}/password/",
    "/settings/teams/new/",
    "/settings/teams/{team}/",
    "/settings/teams/{team}/delete/",
    "/settings/roles/new/",
    "/settings/roles/{role}/",
    "/settings/roles/{role}/delete/",
    "/settings/sharing/",
    "/settings/custom-fields/new/",
    "/settings/custom-fields/{field}/",
    "/settings/custom-fields/{field}/delete/",
    "/settings/pipelines/new/",
    "/settings/pipelines/{pipeline}/",
    "/settings/pipelines/{pipeline}/delete/",
    "/settings/pipelines/{pipeline}/stages/",
    "/settings/pipelines/{pipeline}/stages/order/",
    "/settings/pipelines/{pipeline}/stages/{stage}/",
    "/settings/pipelines/{pipeline}/stages/{stage}/delete/",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_administrators_open_every_page(admin_client: Client, world: dict[str, int], page: str) -> None:
    response = admin_client.get(page.format(**world))
    assert response.status_code == 200
    assert b'aria-label="Settings"' in response.content


@pytest.mark.parametrize("role", ["sales_manager", "sales_rep", "analyst", "read_only", "external_partner"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_other_roles_are_refused_every_administration_page(
    world: dict[str, int], role: str, page: str
) -> None:
    response = browser(make_user("someone", role=role)).get(page.format(**world))
    assert response.status_code == 403
    assert b"Only administrators can do this." in response.content
    assert b'href="/settings/tokens/"' in response.content


@pytest.mark.parametrize("page", ADMIN_POSTS)
def test_other_roles_change_nothing(rep_client: Client, world: dict[str, int], page: str) -> None:
    before = AuditEntry.objects.count()
    response = rep_client.post(page.format(**world), {"name": "Changed", "stage_ids": [world["stage"]]})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before


def test_a_disabled_administrator_is_refused(world: dict[str, int], admin: User) -> None:
    client = browser(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert client.get("/settings/users/").status_code == 302  # signed out: back to the sign-in page


def test_every_user_opens_their_api_tokens(rep_client: Client, admin_client: Client) -> None:
    for client in (rep_client, admin_client):
        response = client.get("/settings/tokens/")
        assert response.status_code == 200
        assert b"API tokens" in response.content


def test_non_administrators_see_only_their_tokens_in_the_settings_menu(rep_client: Client) -> None:
    content = rep_client.get("/settings/tokens/").content.decode()
    assert 'href="/settings/tokens/"' in content
    assert 'href="/settings/users/"' not in content


@pytest.mark.parametrize("page", ["/settings/", "/settings/tokens/", "/settings/pipelines/"])
def test_signed_out_visitors_are_sent_to_sign_in(client: Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "page",
    [
        "/settings/users/{missing}/",
        "/settings/users/{missing}/password/",
        "/settings/teams/{missing}/",
        "/settings/roles/{missing}/",
        "/settings/custom-fields/{missing}/",
        "/settings/pipelines/{missing}/",
        "/settings/pipelines/{pipeline}/stages/{missing}/",
        "/settings/pipelines/{missing}/stages/{stage}/",
    ],
)
@pytest.mark.parametrize("missing", [987654, HUGE])
def test_unknown_ids_answer_404(admin_client: Client, world: dict[str, int], page: str, missing: int) -> None:
    assert admin_client.get(page.format(missing=missing, **world)).status_code == 404


def test_a_stage_is_found_only_under_its_own_pipeline(admin_client: Client, world: dict[str, int]) -> None:
    other = pipeline_create(actor=SYSTEM, data={"name": "Renewals", "stages": [{"name": "Renew"}]})
    url = f"/settings/pipelines/{other.pk}/stages/{world['stage']}/"
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(f"{url}delete/").status_code == 404


@pytest.mark.parametrize(
    ("method", "page"),
    [
        ("post", "/settings/"),
        ("post", "/settings/users/"),
        ("get", "/settings/users/{user}/disable/"),
        ("get", "/settings/pipelines/{pipeline}/stages/order/"),
        ("delete", "/settings/tokens/"),
    ],
)
def test_other_methods_answer_405(
    admin_client: Client, world: dict[str, int], method: str, page: str
) -> None:
    assert getattr(admin_client, method)(page.format(**world)).status_code == 405


@pytest.mark.parametrize(
    "query", ["?cursor=not-a-cursor", "?status=sleeping", "?role=abc", f"?role={HUGE}", "?q=" + "x" * 300]
)
def test_a_query_string_the_users_list_cannot_read_answers_400(admin_client: Client, query: str) -> None:
    response = admin_client.get(f"/settings/users/{query}")
    assert response.status_code == 400
    assert b"Start again without the options" in response.content


def test_an_unknown_record_type_on_custom_fields_answers_400(admin_client: Client) -> None:
    assert admin_client.get("/settings/custom-fields/?object_type=spaceship").status_code == 400
