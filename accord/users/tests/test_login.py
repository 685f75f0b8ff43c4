"""Password sign-in: throttling, no user enumeration, Argon2id, and the audit entries of sign-ins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from accord.core.models import AuditEntry
from accord.users.models import LoginAttempt, User
from accord.users.tests.conftest import PASSWORD, MakeUser, sign_in, signed_in
from accord.users.throttle import client_address

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=15)
SECOND = dt.timedelta(seconds=1)


def fail_times(client: Client, username: str, count: int, *, address: str | None = None) -> None:
    """``count`` wrong passwords, each from its own address unless one is given."""
    for attempt in range(count):
        response = sign_in(client, username, "wrong password", address=address or f"192.0.2.{attempt + 1}")
        assert not signed_in(response)


# ------------------------------------------------------------------------------------------ throttling


def test_an_account_is_refused_after_five_failures_until_the_window_has_passed(
    client: Client, make_user: MakeUser
) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, "ann", 5)

        assert not signed_in(sign_in(client, "ann", address="198.51.100.1"))
        traveller.shift(WINDOW - SECOND)
        assert not signed_in(sign_in(client, "ANN ", address="198.51.100.2"))  # the same account, normalised
        traveller.shift(2 * SECOND)
        assert signed_in(sign_in(client, "ann", address="198.51.100.3"))


def test_refused_attempts_do_not_extend_the_window(client: Client, make_user: MakeUser) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, "ann", 5)
        traveller.shift(WINDOW / 2)
        fail_times(client, "ann", 10)  # all refused while the first five are in the window

        traveller.shift(WINDOW / 2 + SECOND)
        assert signed_in(sign_in(client, "ann"))


def test_a_successful_sign_in_clears_the_account_counter(client: Client, make_user: MakeUser) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False):
        fail_times(client, "ann", 4)
        assert signed_in(sign_in(client, "ann"))
        fail_times(client, "ann", 4)
        assert signed_in(
            sign_in(Client(), "ann")
        )  # 8 failures in the window, but never 5 since the last success


def test_unknown_account_names_are_throttled_too(client: Client) -> None:
    with time_machine.travel(START, tick=False):
        fail_times(client, "ghost", 6)
    assert (
        LoginAttempt.objects.count() == 5 + 5
    )  # five failures per account and per address; the sixth refused


def test_an_address_is_refused_after_twenty_failures_whatever_the_account(
    client: Client, make_user: MakeUser
) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False) as traveller:
        for number in range(20):
            assert not signed_in(sign_in(client, f"guess{number}", "wrong password", address="203.0.113.9"))

        assert not signed_in(sign_in(client, "ann", address="203.0.113.9"))
        assert signed_in(sign_in(Client(), "ann", address="203.0.113.10"))
        traveller.shift(WINDOW + SECOND)
        assert signed_in(sign_in(Client(), "ann", address="203.0.113.9"))


def test_an_ipv6_network_counts_as_one_address(client: Client, make_user: MakeUser) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False):
        for number in range(20):
            sign_in(client, f"guess{number}", "wrong password", address=f"2001:db8:0:1::{number + 1:x}")

        assert not signed_in(sign_in(client, "ann", address="2001:db8:0:1:ffff::1"))
        assert signed_in(sign_in(Client(), "ann", address="2001:db8:0:2::1"))


def test_the_limits_are_settings(client: Client, make_user: MakeUser, settings: Settings) -> None:
    settings.ACCORD_LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    settings.ACCORD_LOGIN_FAILURE_WINDOW_SECONDS = 60
    make_user("ann")
    with time_machine.travel(START, tick=False) as traveller:
        fail_times(client, "ann", 2)
        assert not signed_in(sign_in(client, "ann"))
        traveller.shift(dt.timedelta(seconds=61))
        assert signed_in(sign_in(client, "ann"))


def test_forwarded_addresses_count_only_behind_a_configured_proxy(settings: Settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4, 10.0.0.1"
    )
    assert client_address(request) == "10.0.0.2"  # any client can send the header

    settings.ACCORD_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_address(request) == "10.0.0.1"
    settings.ACCORD_TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "198.51.100.4"  # never the spoofable left-most entry
    settings.ACCORD_TRUSTED_PROXY_COUNT = 4
    assert client_address(request) == "10.0.0.2"  # fewer hops than proxies: the header is not trusted

    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    settings.ACCORD_TRUSTED_PROXY_COUNT = 1
    assert client_address(garbage) is None


# ------------------------------------------------------------------------------------- enumeration


def normalised_page(response: object, username: str) -> str:
    page = response.content.decode()  # type: ignore[attr-defined]
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.replace(f'value="{username}"', 'value="USERNAME"')


def test_unknown_wrong_disabled_and_throttled_sign_ins_answer_alike(
    client: Client, make_user: MakeUser
) -> None:
    make_user("ann")
    make_user("gone", is_active=False)
    make_user("busy")
    with time_machine.travel(START, tick=False):
        fail_times(client, "busy", 5)
        attempts = {
            "unknown": sign_in(client, "ghost", PASSWORD),
            "wrong password": sign_in(client, "ann", "wrong password"),
            "disabled": sign_in(client, "gone", PASSWORD),
            "throttled": sign_in(client, "busy", PASSWORD),
        }

    pages = {
        case: normalised_page(response, response.wsgi_request.POST["username"])
        for case, response in attempts.items()
    }
    assert {response.status_code for response in attempts.values()} == {200}
    assert len(set(pages.values())) == 1, "a refusal must not tell why"
    assert "Please enter the correct username and password" in pages["unknown"]


def test_every_refusal_costs_one_password_hash(make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("ann")
    make_user("gone", is_active=False)
    make_user("busy")
    hashes: list[str] = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self: MD5PasswordHasher, password: str, salt: str) -> str:
        hashes.append(password)
        return encode(self, password, salt)

    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.200")
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            authenticate(request, username="busy", password="wrong password")
        monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
        costs = {}
        for case, username, password in [
            ("unknown", "ghost", PASSWORD),
            ("wrong password", "ann", "wrong password"),
            ("disabled", "gone", PASSWORD),
            ("throttled", "busy", PASSWORD),
        ]:
            hashes.clear()
            assert authenticate(request, username=username, password=password) is None
            costs[case] = len(hashes)
    assert costs == {"unknown": 1, "wrong password": 1, "disabled": 1, "throttled": 1}


# ------------------------------------------------------------------------------------------ hashing


def test_new_passwords_are_hashed_with_argon2id(make_user: MakeUser, settings: Settings) -> None:
    from config.settings.base import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
    assert make_password(PASSWORD).startswith("argon2$argon2id$")


def test_a_pbkdf2_hash_is_accepted_and_upgraded_to_argon2id(make_user: MakeUser, settings: Settings) -> None:
    from config.settings.base import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
    ann = make_user("ann")
    User.objects.filter(pk=ann.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    assert authenticate(RequestFactory().post("/"), username="ann", password=PASSWORD) == ann
    assert User.objects.get(pk=ann.pk).password.startswith("argon2$argon2id$")


def test_password_validators_are_on(settings: Settings) -> None:
    names = {validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


# ---------------------------------------------------------------------------------------- audit trail


def entry_summary(entry: AuditEntry) -> tuple[object, ...]:
    return (entry.action, entry.actor_id, entry.via, entry.object_type, entry.object_id, entry.changes)


def test_sign_in_failure_and_sign_out_are_audited(client: Client, make_user: MakeUser) -> None:
    ann = make_user("ann")

    sign_in(client, "ann", "wrong password", address="192.0.2.1")
    sign_in(client, "nobody", "wrong password", address="192.0.2.2")
    sign_in(client, "ann", address="192.0.2.3")
    client.post("/admin/logout/", REMOTE_ADDR="192.0.2.3")

    entries = [entry_summary(entry) for entry in AuditEntry.objects.order_by("id")]
    assert entries == [
        (
            "login_failed",
            None,
            "web",
            "users.user",
            ann.pk,
            {"address": [None, "192.0.2.1"], "username": [None, "ann"]},
        ),
        (
            "login_failed",
            None,
            "web",
            "users.user",
            None,
            {"address": [None, "192.0.2.2"], "username": [None, "nobody"]},
        ),
        ("login", ann.pk, "web", "users.user", ann.pk, {"address": [None, "192.0.2.3"]}),
        ("logout", ann.pk, "web", "users.user", ann.pk, {"address": [None, "192.0.2.3"]}),
    ]
    assert AuditEntry.objects.get(object_id=None).object_repr == "nobody"


def test_a_throttled_attempt_is_audited_as_throttled(client: Client, make_user: MakeUser) -> None:
    make_user("ann")
    with time_machine.travel(START, tick=False):
        fail_times(client, "ann", 5)
        sign_in(client, "ann", address="192.0.2.99")

    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.changes["throttled"], last.changes["address"]) == (
        "login_failed",
        [None, True],
        [None, "192.0.2.99"],
    )
    assert AuditEntry.objects.filter(action="login_failed").count() == 6
