"""Authentication and the single error shape, across the whole API."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accord.core.actors import Actor
from accord.users.models import ApiToken, User
from accord.users.services import token_create, token_revoke

pytestmark = pytest.mark.django_db


def _token(user: User, **kwargs: object) -> str:
    return token_create(actor=Actor(user=user, via="cli"), user=user, name="t", **kwargs).secret  # type: ignore[arg-type]


def _assert_error_shape(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code


def test_anonymous_requests_get_401(client: Client) -> None:
    response = client.get("/api/v1/contacts")
    assert response.status_code == 401
    _assert_error_shape(response.json(), "not_authenticated")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer acc_unknown", "Basic abc"])
def test_unknown_tokens_get_401(client: Client, user: User, header: str) -> None:
    assert client.get("/api/v1/contacts", HTTP_AUTHORIZATION=header).status_code == 401


def test_revoked_and_expired_tokens_stop_working(client: Client, user: User) -> None:
    secret = _token(user, scope="write")
    assert client.get("/api/v1/contacts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token_revoke(actor=Actor(user=user), user=user, token_id=ApiToken.objects.get().pk)
    assert client.get("/api/v1/contacts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    expired = _token(user, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/contacts", HTTP_AUTHORIZATION=f"Bearer {expired}").status_code == 401


def test_tokens_of_disabled_users_stop_working(client: Client, user: User) -> None:
    secret = _token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/contacts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_read_tokens_cannot_write(client: Client, user: User) -> None:
    secret = _token(user, scope="read")
    response = client.post(
        "/api/v1/companies",
        {"name": "X"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403
    _assert_error_shape(response.json(), "permission_denied")


def test_only_a_hash_of_the_secret_is_stored(user: User) -> None:
    secret = _token(user)
    stored = ApiToken.objects.get()
    assert secret not in {stored.secret_hash, stored.prefix}
    assert len(stored.secret_hash) == 64


def test_session_auth_needs_csrf_for_writes(user: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/contacts").status_code == 200
    assert (
        browser.post("/api/v1/companies", {"name": "X"}, content_type="application/json").status_code == 403
    )


def test_malformed_json_is_400(api_client) -> None:
    response = api_client.post("/companies", "{not json")
    assert response.status_code == 400
    _assert_error_shape(response.json(), "malformed_json")


def test_oversized_bodies_are_refused(api_client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post("/companies", {"name": "x" * 5000})
    assert response.status_code == 413
    _assert_error_shape(response.json(), "request_too_large")


def test_unknown_route_is_404(api_client) -> None:
    assert api_client.get("/nothing-here").status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/deals/abc", "/api/v1/deals/-1", "/api/v1/deals/1/", "/api/v1/deals/%0A", "/api/v1/nothing"],
)
def test_paths_no_operation_matches_answer_404_in_the_error_shape(path: str, method: str) -> None:
    # Ids are matched by an integer converter, so a malformed id reaches no operation at all; a write
    # there is a 404 too, not a CSRF failure.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    _assert_error_shape(response.json(), "not_found")
