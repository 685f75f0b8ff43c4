"""``accord user``: list, disable, enable, set-role, through the same services as the API."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Role
from accord.cli import main
from accord.core.models import AuditEntry
from accord.users.models import ApiToken, User
from accord.users.tests.conftest import MakeUser

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_user_list(capsys: pytest.CaptureFixture[str], make_user: MakeUser) -> None:
    make_user("ann", first_name="Ann", last_name="Lee", email="ann@example.com")
    make_user("bob", role="marketer", is_active=False)
    User.objects.create_superuser(username="root", password="a long enough passphrase")

    code, out, err = run(capsys, "user", "list")

    lines = [line.split() for line in out.splitlines()]
    assert (code, err) == (0, "")
    assert lines[0] == ["ID", "USERNAME", "NAME", "EMAIL", "ROLE", "STATUS", "LAST", "SIGN-IN"]
    assert [line[1:] for line in lines[1:]] == [
        ["ann", "Ann", "Lee", "ann@example.com", "sales_rep", "active", "-"],
        ["bob", "-", "-", "marketer", "disabled", "-"],
        ["root", "-", "-", "superuser", "active", "-"],
    ]


def test_user_disable_and_enable(capsys: pytest.CaptureFixture[str], make_user: MakeUser) -> None:
    ann = make_user("ann")
    make_user("boss", role="administrator")
    ApiToken.objects.create(user=ann, name="t", prefix="acc_xx", secret_hash="0" * 64)
    browser = Client()
    browser.force_login(ann)

    assert run(capsys, "user", "disable", "ANN") == (
        0,
        "'ann' is disabled: their sessions and API tokens ended.\n",
        "",
    )
    assert browser.get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get(user=ann).revoked_at is not None
    assert run(capsys, "user", "disable", "ann")[1] == "'ann' was already disabled.\n"
    assert run(capsys, "user", "enable", "ann")[1] == "'ann' may sign in again.\n"
    assert run(capsys, "user", "enable", "ann")[1] == "'ann' was already active.\n"
    entries = AuditEntry.objects.filter(via="cli").order_by("id")
    assert [(entry.action, entry.actor_id) for entry in entries] == [("disable", None), ("enable", None)]


def test_user_set_role(capsys: pytest.CaptureFixture[str], make_user: MakeUser) -> None:
    ann = make_user("ann")

    assert run(capsys, "user", "set-role", "ann", "analyst") == (
        0,
        "'ann' now has the role Analyst (analyst).\n",
        "",
    )
    assert User.objects.get(pk=ann.pk).role == Role.objects.get(key="analyst")
    assert (
        run(capsys, "user", "set-role", "ann", "analyst")[1]
        == "'ann' already has the role Analyst (analyst).\n"
    )
    entry = AuditEntry.objects.get(action="role_change")
    assert (entry.via, entry.changes) == ("cli", {"role": ["sales_rep", "analyst"]})


def test_expected_failures_say_why_in_one_line(
    capsys: pytest.CaptureFixture[str], make_user: MakeUser
) -> None:
    make_user("boss", role="administrator")

    code, out, err = run(capsys, "user", "set-role", "boss", "king")
    assert (code, out) == (1, "")
    assert err.startswith("accord user set-role: No role 'king'; the roles are: administrator, analyst,")
    assert err.count("\n") == 1
    assert run(capsys, "user", "disable", "ghost") == (1, "", "accord user disable: No user named 'ghost'.\n")
    assert run(capsys, "user", "disable", "boss") == (
        1,
        "",
        "accord user disable: 'boss' is the last active administrator; make another user one first.\n",
    )
    assert run(capsys, "user", "set-role", "boss", "sales_rep")[0] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["user"],
        ["user", "frobnicate"],
        ["user", "disable"],
        ["user", "set-role", "ann"],
        ["user", "list", "x"],
    ],
)
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: accord")
