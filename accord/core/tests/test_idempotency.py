"""Idempotency-Key on POST: a retry returns the first response and creates nothing new."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from accord.access.models import Role
from accord.core import idempotency
from accord.core.actors import Actor
from accord.core.errors import AccordError
from accord.core.models import IdempotencyKey
from accord.customers.models import Company
from accord.sales.models import Deal, DealStageChange, Pipeline
from accord.sales.services import deal_create, pipeline_create
from accord.users.models import ApiToken, User
from accord.users.services import token_create
from config.api import api

pytestmark = pytest.mark.django_db

KEY = "3f1c9a52-7d4e-4c1b-9a57-0d8e6f2b1c44"


def _post(api_client: Any, path: str, body: object, key: str = KEY) -> Any:
    return api_client.post(path, body, HTTP_IDEMPOTENCY_KEY=key)


def _error(response: Any) -> tuple[int, str, dict[str, int]]:
    """Status, error code, and how many messages each field got."""
    error = response.json()["error"]
    return (
        response.status_code,
        error["code"],
        {name: len(messages) for name, messages in error["fields"].items()},
    )


def _client_of(api_client: Any, username: str) -> Any:
    """Another user's client, of the same kind as the ``api_client`` fixture."""
    other = User.objects.create_user(username=username, role=Role.objects.get(key="administrator"))
    issued = token_create(actor=Actor(user=other, via="cli"), user=other, name="t", scope="write")
    return type(api_client)(issued.secret)


def _travel(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    later = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(idempotency, "now", lambda: later)


def test_a_retry_returns_the_identical_response_and_creates_one_record(api_client: Any) -> None:
    first = _post(api_client, "/companies", {"name": "Acme"})
    retry = _post(api_client, "/companies", {"name": "Acme"})

    assert first.status_code == 201
    assert (retry.status_code, retry.content, retry["Content-Type"], retry["ETag"]) == (
        201,
        first.content,
        first["Content-Type"],
        '"1"',
    )
    assert (first.has_header("Idempotent-Replayed"), retry["Idempotent-Replayed"]) == (False, "true")
    assert Company.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_a_structured_field_string_and_a_bare_key_are_the_same_key(api_client: Any) -> None:
    _post(api_client, "/companies", {"name": "Acme"}, key="order-42")
    retry = _post(api_client, "/companies", {"name": "Acme"}, key='"order-42"')
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (201, "true")
    assert idempotency.parse_key(r'"a\"b\\c"') == 'a"b\\c'


def test_posts_without_a_key_are_not_deduplicated(api_client: Any) -> None:
    assert api_client.post("/companies", {"name": "Acme"}).status_code == 201
    assert api_client.post("/companies", {"name": "Acme"}).status_code == 201
    assert (Company.objects.count(), IdempotencyKey.objects.count()) == (2, 0)


@pytest.mark.parametrize(
    ("path", "body"),
    [("/companies", {"name": "Other"}), ("/contacts", {"family_name": "Acme"})],
    ids=["another body", "another path"],
)
def test_the_same_key_with_another_request_is_a_422(api_client: Any, path: str, body: object) -> None:
    _post(api_client, "/companies", {"name": "Acme"})
    response = _post(api_client, path, body)
    assert _error(response) == (422, "idempotency_key_reused", {"Idempotency-Key": 1})
    assert Company.objects.count() == 1


def test_keys_belong_to_their_user(api_client: Any) -> None:
    mine = _post(api_client, "/companies", {"name": "Acme"})
    theirs = _post(_client_of(api_client, "other"), "/companies", {"name": "Acme"})
    assert (mine.status_code, theirs.status_code, theirs.has_header("Idempotent-Replayed")) == (
        201,
        201,
        False,
    )
    assert mine.json()["id"] != theirs.json()["id"]
    assert (Company.objects.count(), IdempotencyKey.objects.count()) == (2, 2)


def _claim_in_progress(user: User, body: bytes) -> None:
    """The claim a first request holds while it runs (committed, with no response yet)."""
    request = RequestFactory().post("/api/v1/companies", data=body, content_type="application/json")
    IdempotencyKey.objects.create(
        user=user, key=KEY, request_fingerprint=idempotency.fingerprint(request), claimed_at=timezone.now()
    )


def test_a_retry_while_the_first_request_runs_is_a_409_until_the_claim_is_abandoned(
    api_client: Any, user: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    _claim_in_progress(user, b'{"name": "Acme"}')

    assert _error(_post(api_client, "/companies", {"name": "Acme"})) == (
        409,
        "idempotency_key_in_use",
        {"Idempotency-Key": 1},
    )
    assert Company.objects.count() == 0

    _travel(monkeypatch, settings.ACCORD_IDEMPOTENCY_ABANDONED_AFTER + 1)
    taken_over = _post(api_client, "/companies", {"name": "Acme"})
    assert (taken_over.status_code, Company.objects.count(), IdempotencyKey.objects.count()) == (201, 1, 1)
    assert _post(api_client, "/companies", {"name": "Acme"})["Idempotent-Replayed"] == "true"


class Unavailable(AccordError):
    status = 503
    code = "unavailable"


@pytest.mark.parametrize("failure", [RuntimeError("boom"), Unavailable("down")], ids=["exception", "503"])
def test_a_server_error_releases_the_claim_so_a_retry_runs(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    def failing(**kwargs: object) -> None:
        raise failure

    with monkeypatch.context() as patched:
        patched.setattr("accord.users.services.token_create", failing)
        if isinstance(failure, AccordError):
            assert _post(api_client, "/tokens", {"name": "zapier", "scope": "write"}).status_code == 503
        else:
            with pytest.raises(RuntimeError):
                _post(api_client, "/tokens", {"name": "zapier", "scope": "write"})
    assert IdempotencyKey.objects.count() == 0

    retry = _post(api_client, "/tokens", {"name": "zapier", "scope": "write"})
    assert (retry.status_code, retry.has_header("Idempotent-Replayed")) == (201, False)
    assert ApiToken.objects.filter(name="zapier").count() == 1


def test_a_client_error_is_stored_and_replayed_too(api_client: Any) -> None:
    first = _post(api_client, "/deals", {"name": "Pilot", "stage_id": 999})
    retry = _post(api_client, "/deals", {"name": "Pilot", "stage_id": 999})
    assert (first.status_code, retry.status_code, retry.content) == (422, 422, first.content)
    assert retry["Idempotent-Replayed"] == "true"


def test_keys_expire_and_expired_keys_are_deleted(
    api_client: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    _post(api_client, "/companies", {"name": "Acme"}, key="old")
    _travel(monkeypatch, settings.ACCORD_IDEMPOTENCY_KEY_TTL + 1)

    reused = _post(api_client, "/companies", {"name": "Another"}, key="old")
    other = _post(api_client, "/companies", {"name": "Third"}, key="new")

    assert (reused.status_code, other.status_code, Company.objects.count()) == (201, 201, 3)
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["new", "old"]
    assert IdempotencyKey.objects.get(key="old").claimed_at > timezone.now()


def test_a_custom_post_is_idempotent_too(api_client: Any, actor: Actor) -> None:
    pipeline: Pipeline = pipeline_create(
        actor=actor,
        data={
            "name": "Sales",
            "is_default": True,
            "stages": [{"name": "Qualify"}, {"name": "Won", "kind": "won"}],
        },
    )
    won = pipeline.stages.get(name="Won")
    deal = deal_create(actor=actor, data={"name": "Pilot"})

    first = _post(api_client, f"/deals/{deal.pk}/move", {"stage_id": won.pk})
    retry = _post(api_client, f"/deals/{deal.pk}/move", {"stage_id": won.pk})

    assert (first.status_code, retry.content, retry["ETag"], retry["Idempotent-Replayed"]) == (
        200,
        first.content,
        '"2"',
        "true",
    )
    assert (Deal.objects.get().version, DealStageChange.objects.filter(deal=deal).count()) == (2, 2)


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there", '"unterminated'])
def test_a_malformed_key_is_a_400_naming_the_header(api_client: Any, key: str) -> None:
    response = _post(api_client, "/companies", {"name": "Acme"}, key=key)
    assert _error(response) == (400, "bad_request", {"Idempotency-Key": 1})
    assert Company.objects.count() == 0


def test_an_anonymous_request_with_a_key_stays_401(client: Client) -> None:
    response = client.post(
        "/api/v1/companies", {"name": "Acme"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert response.status_code == 401
    assert IdempotencyKey.objects.count() == 0


def test_the_schema_documents_the_header_on_every_post_and_nowhere_else() -> None:
    documented = {
        (method, path): any(parameter["name"] == "Idempotency-Key" for parameter in operation["parameters"])
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, operation in item.items()
    }
    assert {key for key, has_header in documented.items() if has_header} == {
        key for key in documented if key[0] == "post"
    }
    assert ("post", "/api/v1/deals/{record_id}/move") in documented


def test_a_response_holding_a_secret_is_never_stored(api_client, user) -> None:
    from accord.core.models import IdempotencyKey
    from accord.users.models import ApiToken

    headers = {"HTTP_IDEMPOTENCY_KEY": "token-once"}
    first = api_client.post("/tokens", {"name": "ci"}, **headers)
    assert (first.status_code, first["Cache-Control"]) == (201, "no-store")
    secret = first.json()["secret"]
    stored = IdempotencyKey.objects.get(key="token-once")
    assert secret.encode() not in bytes(stored.response_body)
    retry = api_client.post("/tokens", {"name": "ci"}, **headers)
    assert (retry.status_code, retry.json()["error"]["code"]) == (409, "idempotent_secret_not_kept")
    assert ApiToken.objects.filter(name="ci").count() == 1
