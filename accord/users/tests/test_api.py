import pytest
from django.test import Client

from accord.access.models import Role
from accord.core.models import AuditEntry
from accord.users.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_me(api_client, user: User) -> None:
    body = api_client.get("/me").json()
    assert (body["id"], body["username"], body["is_admin"]) == (user.pk, "rep", True)


def test_token_lifecycle(api_client, client: Client) -> None:
    created = api_client.post("/tokens", {"name": "zapier", "scope": "read"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("acc_")
    listed = api_client.get("/tokens").json()
    assert [token["name"] for token in listed] == ["zapier", "tests"]
    assert all("secret" not in token for token in listed)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    assert api_client.delete(f"/tokens/{created.json()['id']}").status_code == 204
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoke").count() == 1


def test_tokens_of_other_users_cannot_be_revoked(api_client) -> None:
    other = User.objects.create_user(username="other", password="x" * 12)
    token = ApiToken.objects.create(user=other, name="theirs", prefix="acc_xx", secret_hash="0" * 64)
    assert api_client.delete(f"/tokens/{token.pk}").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_token_input_is_validated(api_client) -> None:
    assert api_client.post("/tokens", {"name": "x", "scope": "admin"}).status_code == 422
    past = api_client.post("/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"})
    assert (past.status_code, list(past.json()["error"]["fields"])) == (422, ["expires_at"])


def test_custom_fields_are_administered_by_admins_only(api_client, user: User) -> None:
    definition = {
        "object_type": "contact",
        "key": "tier",
        "label": "Tier",
        "field_type": "choice",
        "choices": ["a"],
    }
    User.objects.filter(pk=user.pk).update(role=Role.objects.get(key="sales_manager"))
    assert api_client.post("/custom-fields", definition).status_code == 403
    User.objects.filter(pk=user.pk).update(role=Role.objects.get(key="administrator"))
    created = api_client.post("/custom-fields", definition)
    assert created.status_code == 201
    assert api_client.post("/custom-fields", definition).status_code == 409
    bad = api_client.post("/custom-fields", {**definition, "key": "Bad Key"})
    assert list(bad.json()["error"]["fields"]) == ["key"]
    no_choices = api_client.post("/custom-fields", {**definition, "key": "t2", "choices": []})
    assert list(no_choices.json()["error"]["fields"]) == ["choices"]
    patched = api_client.patch(f"/custom-fields/{created.json()['id']}", {"choices": ["a", "b"]})
    assert patched.json()["choices"] == ["a", "b"]
    assert (
        api_client.patch(f"/custom-fields/{created.json()['id']}", {"field_type": "text"}).status_code == 422
    )
    assert [f["key"] for f in api_client.get("/custom-fields?object_type=contact").json()["items"]] == [
        "tier"
    ]
    contact = api_client.post("/contacts", {"family_name": "X", "custom_fields": {"tier": "b"}})
    assert contact.json()["custom_fields"] == {"tier": "b"}


def test_tags_list(api_client) -> None:
    api_client.post("/companies", {"name": "A", "tags": ["beta", "alpha"]})
    assert [tag["name"] for tag in api_client.get("/tags").json()] == ["alpha", "beta"]
