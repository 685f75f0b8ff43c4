"""Custom fields (administrators) and API tokens (everyone's own): lists in a fixed number of queries,
audited writes, errors beside the field, and a token secret that appears exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accord.core.actors import SYSTEM
from accord.core.custom_fields import custom_field_create
from accord.core.models import CustomField
from accord.users.models import ApiToken, User
from accord.users.services import hash_secret, token_create
from accord.users.tests.settings_world import audit_after, field_errors, last_audit_id, queries_of

pytestmark = pytest.mark.django_db


def define(object_type: str, key: str, field_type: str = "text", **extra: object) -> CustomField:
    data = {"object_type": object_type, "key": key, "label": key.title(), "field_type": field_type, **extra}
    return custom_field_create(actor=SYSTEM, data=data)


# ---------------------------------------------------------------- custom fields


def test_the_list_takes_the_same_queries_for_3_and_for_30_fields(
    admin_client: Client, django_assert_num_queries
) -> None:
    for number in range(3):
        define("contact", f"field_{number}")
    small = queries_of(admin_client, "/settings/custom-fields/")
    for number in range(3, 30):
        define(["company", "contact", "lead", "deal"][number % 4], f"field_{number}")
    with django_assert_num_queries(small):
        response = admin_client.get("/settings/custom-fields/")
    assert len(response.context["fields"]) == 30


def test_the_list_filters_by_record_type(admin_client: Client) -> None:
    define("contact", "tier")
    define("deal", "source", "choice", choices=["web", "event"])
    response = admin_client.get("/settings/custom-fields/?object_type=deal")
    assert [field.key for field in response.context["fields"]] == ["source"]
    assert "web, event" in response.content.decode()
    empty = admin_client.get("/settings/custom-fields/?object_type=lead").content.decode()
    assert "No custom fields on leads yet." in empty


def test_create_a_choice_field(admin_client: Client) -> None:
    before = last_audit_id()
    response = admin_client.post(
        "/settings/custom-fields/new/",
        {
            "object_type": "deal",
            "key": "source",
            "label": "Source",
            "field_type": "choice",
            "choices": "Web\n\n Event \nPartner",
            "is_required": "on",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get(key="source")
    assert (field.object_type, field.choices, field.is_required) == (
        "deal",
        ["Web", "Event", "Partner"],
        True,
    )
    assert [(action, object_type) for action, object_type, _ in audit_after(before)] == [
        ("create", "core.customfield")
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"key": "Bad Key"}, {"key"}),
        ({"field_type": "choice", "choices": ""}, {"choices"}),
        ({"field_type": "text", "choices": "a\nb"}, {"choices"}),
        ({"field_type": "choice", "choices": "a\na"}, {"choices"}),
        ({"key": "tier"}, {"key"}),
        ({"object_type": "spaceship", "label": ""}, {"object_type", "label"}),
    ],
)
def test_bad_definitions_are_refused_beside_the_field(
    admin_client: Client, data: dict[str, str], errors: set[str]
) -> None:
    define("contact", "tier")
    before = last_audit_id()
    response = admin_client.post(
        "/settings/custom-fields/new/",
        {"object_type": "contact", "key": "new_key", "label": "New", "field_type": "text", **data},
    )
    assert response.status_code == 200
    assert set(field_errors(response)) == errors
    assert audit_after(before) == []


def test_a_duplicate_key_names_the_field(admin_client: Client) -> None:
    define("contact", "tier")
    response = admin_client.post(
        "/settings/custom-fields/new/",
        {"object_type": "contact", "key": "tier", "label": "Tier", "field_type": "text"},
    )
    assert field_errors(response) == {"key": ["A contact field with this key already exists."]}


def test_edit_a_field(admin_client: Client) -> None:
    field = define("deal", "source", "choice", choices=["web"])
    page = admin_client.get(f"/settings/custom-fields/{field.pk}/")
    assert "The record type, key and type cannot change" in page.content.decode()
    assert set(page.context["form"].fields) == {"label", "choices", "is_required", "version"}
    before = last_audit_id()
    response = admin_client.post(
        f"/settings/custom-fields/{field.pk}/",
        {"label": "Lead source", "choices": "web\nevent", "version": field.version},
    )
    assert response.status_code == 302
    assert audit_after(before) == [
        (
            "update",
            "core.customfield",
            {"label": ["Source", "Lead source"], "choices": [["web"], ["web", "event"]]},
        )
    ]
    stale = admin_client.post(
        f"/settings/custom-fields/{field.pk}/",
        {"label": "Origin", "choices": "web", "version": field.version},
    )
    errors = field_errors(stale)
    assert errors["label"] == ["Saved meanwhile: Lead source"]
    assert errors["choices"] == ["Saved meanwhile: web, event"]


def test_a_text_field_has_no_choices_to_edit(admin_client: Client) -> None:
    field = define("contact", "tier")
    assert "choices" not in admin_client.get(f"/settings/custom-fields/{field.pk}/").context["form"].fields


def test_delete_a_field(admin_client: Client) -> None:
    field = define("contact", "tier")
    before = last_audit_id()
    assert admin_client.post(f"/settings/custom-fields/{field.pk}/delete/").status_code == 302
    assert not CustomField.objects.filter(pk=field.pk).exists()
    assert [action for action, _, _ in audit_after(before)] == ["delete"]


# ---------------------------------------------------------------- API tokens


def test_the_token_list_shows_only_my_tokens_in_a_fixed_number_of_queries(
    rep_client: Client, rep: User, admin: User, django_assert_num_queries
) -> None:
    for number in range(3):
        token_create(actor=SYSTEM, user=rep, name=f"mine {number}")
    token_create(actor=SYSTEM, user=admin, name="not mine")
    small = queries_of(rep_client, "/settings/tokens/")
    for number in range(3, 30):
        token_create(actor=SYSTEM, user=rep, name=f"mine {number}")
    with django_assert_num_queries(small):
        response = rep_client.get("/settings/tokens/")
    content = response.content.decode()
    assert len(response.context["tokens"]) == 30
    assert "not mine" not in content


def test_the_list_shows_scope_expiry_last_use_and_status(rep_client: Client, rep: User) -> None:
    token_create(
        actor=SYSTEM, user=rep, name="sync", scope="write", expires_at=timezone.now() + dt.timedelta(days=3)
    )
    old = token_create(actor=SYSTEM, user=rep, name="old").token
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now(), last_used_at=timezone.now())
    content = rep_client.get("/settings/tokens/").content.decode()
    assert "Read and write" in content
    assert "Read only" in content
    assert "Revoked" in content
    assert "never" in content


def test_empty_token_list_says_what_tokens_are_for(rep_client: Client) -> None:
    assert "You have no API tokens." in rep_client.get("/settings/tokens/").content.decode()


def test_create_a_token_shows_its_secret_exactly_once(rep_client: Client, rep: User) -> None:
    before = last_audit_id()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = rep_client.post(
        "/settings/tokens/", {"name": "Invoicing sync", "scope": "write", "expires_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert response.content.decode().count(secret) == 1
    token = ApiToken.objects.get(user=rep)
    assert token.secret_hash == hash_secret(secret)
    assert (token.name, token.scope) == ("Invoicing sync", "write")
    assert timezone.localtime(token.expires_at).date() == tomorrow + dt.timedelta(days=1)
    assert audit_after(before) == [("token_create", "users.apitoken", {"scope": [None, "write"]})]
    listing = rep_client.get("/settings/tokens/").content.decode()
    assert secret not in listing
    assert token.prefix in listing
    # The secret works on the API.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "scope": "admin"}, "scope"),
        ({"name": "ok", "expires_on": "2001-01-01"}, "expires_on"),
        ({"name": "ok", "expires_on": "9999-12-31"}, "expires_on"),
        ({"name": "ok", "expires_on": "tomorrow"}, "expires_on"),
    ],
)
def test_bad_token_input_is_shown_beside_the_field(
    rep_client: Client, data: dict[str, str], field: str
) -> None:
    response = rep_client.post("/settings/tokens/", {"scope": "read", **data})
    assert response.status_code == 200
    assert set(field_errors(response)) == {field}
    assert "secret" not in response.context
    assert not ApiToken.objects.exists()


def test_revoke_my_token(rep_client: Client, rep: User) -> None:
    token = token_create(actor=SYSTEM, user=rep, name="sync").token
    before = last_audit_id()
    response = rep_client.post(f"/settings/tokens/{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert audit_after(before) == [("token_revoke", "users.apitoken", {})]


def test_someone_elses_token_answers_404(rep_client: Client, admin: User) -> None:
    token = token_create(actor=SYSTEM, user=admin, name="admin's").token
    assert rep_client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert rep_client.post("/settings/tokens/1180591620717411303424/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
