"""Rate limits per API token (per user for browser sessions), with the RateLimit header fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from accord.core import ratelimit
from accord.core.actors import Actor
from accord.users.models import User
from accord.users.services import token_create
from config.settings.base import rate_limit_from_environment

pytestmark = pytest.mark.django_db

# 1,000,000 s since the epoch is 40 s into a 60-second window (999,960 to 1,000,020).
START = 1_000_000.0


@pytest.fixture
def limits(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three reads and two writes a minute, counted in a file of this test's own, at a fixed time."""
    settings.ACCORD_RATE_LIMIT_READ = (3, 60)
    settings.ACCORD_RATE_LIMIT_WRITE = (2, 60)
    settings.ACCORD_RATE_LIMIT_SQLITE_FILE = tmp_path / "ratelimit.sqlite3"
    monkeypatch.setattr(ratelimit, "clock", lambda: START)


def _headers(response: Any) -> tuple[int, str | None, str | None]:
    return response.status_code, response.get("RateLimit-Policy"), response.get("RateLimit")


def _second_token(user: User, api_client: Any) -> Any:
    issued = token_create(actor=Actor(user=user, via="cli"), user=user, name="second", scope="write")
    return type(api_client)(issued.secret)


def test_every_response_reports_the_policy_and_the_remaining_quota(limits: None, api_client: Any) -> None:
    responses = [api_client.get("/ping") for _ in range(3)]
    assert [_headers(response) for response in responses] == [
        (200, '"read";q=3;w=60', '"read";r=2;t=20'),
        (200, '"read";q=3;w=60', '"read";r=1;t=20'),
        (200, '"read";q=3;w=60', '"read";r=0;t=20'),
    ]


def test_over_the_quota_answers_429_with_retry_after_until_the_window_ends(
    limits: None, api_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        api_client.get("/ping")

    refused = api_client.get("/companies")
    assert _headers(refused) == (429, '"read";q=3;w=60', '"read";r=0;t=20')
    assert refused["Retry-After"] == "20"
    assert refused.json()["error"]["code"] == "rate_limited"
    assert set(refused.json()["error"]) == {"code", "message", "fields"}

    monkeypatch.setattr(ratelimit, "clock", lambda: START + 20)
    assert _headers(api_client.get("/ping")) == (200, '"read";q=3;w=60', '"read";r=2;t=60')


def test_a_server_whose_clock_lags_counts_into_the_current_window(
    limits: None, api_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_client.get("/ping")
    monkeypatch.setattr(ratelimit, "clock", lambda: START - 60)  # another machine, a minute behind
    assert _headers(api_client.get("/ping")) == (200, '"read";q=3;w=60', '"read";r=1;t=60')


def test_writes_have_their_own_quota_and_invalid_requests_count(limits: None, api_client: Any) -> None:
    for _ in range(3):
        api_client.get("/ping")
    invalid = api_client.post("/companies", {"name": ""})
    created = api_client.post("/companies", {"name": "Acme"})
    refused = api_client.post("/companies", {"name": "Acme"})
    assert [_headers(response) for response in (invalid, created, refused)] == [
        (422, '"write";q=2;w=60', '"write";r=1;t=20'),
        (201, '"write";q=2;w=60', '"write";r=0;t=20'),
        (429, '"write";q=2;w=60', '"write";r=0;t=20'),
    ]


def test_each_token_has_its_own_buckets(limits: None, api_client: Any, user: User) -> None:
    for _ in range(4):
        api_client.get("/ping")
    assert _headers(_second_token(user, api_client).get("/ping")) == (
        200,
        '"read";q=3;w=60',
        '"read";r=2;t=20',
    )


def test_a_browser_session_counts_per_user(limits: None, api_client: Any, user: User) -> None:
    for _ in range(4):
        api_client.get("/ping")
    browser = Client()
    browser.force_login(user)
    assert [_headers(browser.get("/api/v1/ping"))[2] for _ in range(2)] == [
        '"read";r=2;t=20',
        '"read";r=1;t=20',
    ]


def test_anonymous_requests_are_not_counted(limits: None, client: Client) -> None:
    assert _headers(client.get("/api/v1/ping")) == (401, None, None)
    assert _headers(client.get("/api/v1/health")) == (200, None, None)


def test_limits_turned_off_never_refuse(limits: None, api_client: Any, settings: Any) -> None:
    settings.ACCORD_RATE_LIMIT_READ = None
    assert {_headers(api_client.get("/ping")) for _ in range(10)} == {(200, None, None)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the counter file exists in the embedded mode only")
def test_a_damaged_counter_file_admits_requests_unlimited(
    limits: None, api_client: Any, settings: Any
) -> None:
    settings.ACCORD_RATE_LIMIT_SQLITE_FILE.write_bytes(b"this is not a SQLite database" * 100)
    assert _headers(api_client.get("/ping")) == (200, None, None)


@pytest.mark.parametrize(
    ("value", "expected"), [("1200/60", (1200, 60)), (" 5/1 ", (5, 1)), ("0", None), ("OFF", None)]
)
def test_limits_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: tuple[int, int] | None
) -> None:
    monkeypatch.setenv("ACCORD_RATE_LIMIT_READ", value)
    assert rate_limit_from_environment("ACCORD_RATE_LIMIT_READ", "1/1") == expected


@pytest.mark.parametrize("value", ["1200", "1200/0", "0/60", "fast", "-5/60", ""])
def test_a_malformed_limit_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ACCORD_RATE_LIMIT_READ", value)
    with pytest.raises(ImproperlyConfigured, match="ACCORD_RATE_LIMIT_READ"):
        rate_limit_from_environment("ACCORD_RATE_LIMIT_READ", "1/1")
