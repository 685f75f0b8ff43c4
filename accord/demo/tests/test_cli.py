"""The ``accord`` command: each subcommand through ``main(argv)``, the server through a real process."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone

from accord import cli
from accord.cli import main
from accord.core.models import AuditEntry
from accord.customers.models import Contact
from accord.users.models import ApiToken, User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def shown_password(out: str) -> str:
    return out.split("Password (shown once, store it now): ")[1].split()[0]


def test_createadmin_prints_a_random_password_once_and_it_signs_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "createadmin", "admin", "--email", "Admin@Example.COM")

    password = shown_password(out)
    assert (code, err, out.count(password)) == (0, "", 1)
    user = User.objects.get(username="admin")
    assert (user.is_superuser, user.is_staff, user.email) == (True, True, "admin@example.com")
    assert authenticate(username="admin", password=password) == user
    entry = AuditEntry.objects.get(object_type="users.user", object_id=user.pk)
    assert (entry.action, entry.via, entry.actor_id) == ("create", "cli", None)


def test_createadmin_if_missing_leaves_an_existing_admin_alone(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "createadmin", "admin", "--password", "a long enough passphrase")

    code, out, err = run(capsys, "createadmin", "ADMIN", "--if-missing")

    assert (code, err) == (0, "")
    assert out == (
        "The admin 'admin' already exists; to set a new password run: accord createadmin admin --reset-password\n"
    )
    assert authenticate(username="admin", password="a long enough passphrase") is not None


def test_createadmin_refuses_an_existing_user_without_if_missing(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "createadmin", "admin", "--password", "a long enough passphrase")

    code, out, err = run(capsys, "createadmin", "admin")

    assert (code, out) == (1, "")
    assert err == (
        "accord createadmin: A user named 'admin' already exists; use --reset-password to set a new password.\n"
    )


def test_reset_password_prints_a_new_password_that_replaces_the_old_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "createadmin", "admin", "--password", "a long enough passphrase")

    code, out, err = run(capsys, "createadmin", "admin", "--reset-password")

    password = shown_password(out)
    assert (code, err) == (0, "")
    assert out.startswith("Set a new password for 'admin'.")
    assert authenticate(username="admin", password=password) is not None
    assert authenticate(username="admin", password="a long enough passphrase") is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["createadmin", "admin", "--password", "short"],
            "accord createadmin: password: This password is too short. It must contain at least 10 characters.\n",
        ),
        (["createadmin", "ghost", "--reset-password"], "accord createadmin: No user named 'ghost'.\n"),
        (["createadmin", "admin", "--email", "not-an-email"], "accord createadmin: email: "),
        (["token", "create", "ghost"], "accord token create: No user named 'ghost'.\n"),
        (["token", "list", "ghost"], "accord token list: No user named 'ghost'.\n"),
        (["token", "revoke", "rep", "999"], "accord token revoke: No such token.\n"),
    ],
)
def test_expected_errors_print_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], user: User, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)

    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_token_create_prints_a_secret_that_authenticates(
    capsys: pytest.CaptureFixture[str], user: User
) -> None:
    code, out, err = run(capsys, "token", "create", "rep", "--name", "ci", "--expires-days", "7")

    secret = out.splitlines()[-1]
    token = ApiToken.objects.get(user=user)
    assert (code, err, out.count(secret)) == (0, "", 1)
    assert out.startswith(f"Created token {token.pk} 'ci' (read, expires ")
    assert (token.name, token.scope) == ("ci", "read")
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/contacts")
    assert response.status_code == 200


def test_token_list_and_revoke(capsys: pytest.CaptureFixture[str], user: User) -> None:
    run(capsys, "token", "create", "rep", "--scope", "write", "--name", "zapier")
    token = ApiToken.objects.get(user=user)

    code, out, _ = run(capsys, "token", "list", "rep")
    header, row = out.splitlines()
    assert code == 0
    assert header.split() == ["ID", "NAME", "PREFIX", "SCOPE", "STATUS", "CREATED", "EXPIRES", "LAST", "USED"]
    assert row.split()[:5] == [str(token.pk), "zapier", f"{token.prefix}…", "write", "active"]

    assert run(capsys, "token", "revoke", "rep", str(token.pk)) == (
        0,
        f"Token {token.pk} 'zapier' of 'rep' is revoked.\n",
        "",
    )
    assert run(capsys, "token", "revoke", "rep", str(token.pk))[1] == (
        f"Token {token.pk} 'zapier' of 'rep' was already revoked.\n"
    )
    assert run(capsys, "token", "list", "rep")[1].splitlines()[1].split()[4] == "revoked"


def test_token_list_of_a_user_without_tokens(capsys: pytest.CaptureFixture[str], user: User) -> None:
    assert run(capsys, "token", "list", "rep") == (0, "'rep' has no API tokens.\n", "")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["token"],
        ["token", "create"],
        ["token", "create", "rep", "--scope", "admin"],
        ["token", "revoke", "rep", "abc"],
        ["demo", "--contacts", "0"],
        ["demo", "--contacts", "many"],
        ["serve", "--port", "70000"],
        ["createadmin", "admin", "--if-missing", "--reset-password"],
    ],
)
def test_bad_usage_prints_the_usage_and_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)

    assert (code, out) == (2, "")
    assert err.startswith("usage: accord")
    assert "error:" in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")

    assert code == 0
    for command in ("serve", "migrate", "check", "createadmin", "token", "demo"):
        assert command in out


def test_migrate_and_check_report_a_ready_database(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "migrate")
    assert (code, out.startswith("The database (")) == (0, True)
    assert out.endswith(") is up to date.\n")

    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "")
    assert out.startswith("OK: configuration and database (")


def test_demo_if_empty_skips_a_database_with_contacts(capsys: pytest.CaptureFixture[str]) -> None:
    Contact.objects.create(given_name="Ada", family_name="Lovelace")

    code, out, _ = run(capsys, "demo", "--if-empty", "--contacts", "20")

    assert (code, out) == (0, "Contacts already exist: the demo data was not loaded (--if-empty).\n")
    assert Contact.objects.count() == 1


def test_demo_loads_and_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--if-empty", "--contacts", "20", "--seed", "3")

    assert code == 0
    assert Contact.objects.count() == 20
    assert out.startswith("Loading demo data: 20 contacts, seed 3.\n")
    assert ["contacts", "20", "rows"] in [line.split()[:3] for line in out.splitlines()]
    assert out.splitlines()[-1].startswith("Loaded ")


def test_ctrl_c_is_reported_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "demo_command", interrupted)

    assert run(capsys, "demo") == (130, "", "accord demo: interrupted\n")


def test_the_console_script_is_main() -> None:
    (script,) = entry_points(group="console_scripts", name="accord")
    assert script.load() is main


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    url = f"postgres://accord@127.0.0.1:{free_port()}/accord"  # nothing listens there
    env = dict(os.environ, DATABASE_URL=url, ACCORD_DATA_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for argv, start in [
        (["check"], "problem: cannot connect to the database (PostgreSQL database 'accord' on 127.0.0.1:"),
        (["demo"], "accord demo: database error (PostgreSQL database 'accord' on 127.0.0.1:"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "accord.cli", *argv],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr.startswith(start), done.stderr
        assert done.stderr.count("\n") == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_fresh_installation_migrates_checks_and_serves(tmp_path: Path) -> None:
    """The commands of `make run` in real processes, on a new SQLite database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(ACCORD_DATA_DIR=str(tmp_path), PORT=str(free_port()))

    def accord(*argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "accord.cli", *argv]
        return subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )

    not_ready = accord("check")
    assert (not_ready.returncode, not_ready.stderr.count("run `accord migrate`")) == (1, 1)
    migrated = accord("migrate")
    assert (migrated.returncode, migrated.stdout.startswith("Applied ")) == (0, True), migrated.stderr
    assert accord("check").returncode == 0

    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--workers", "1", "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        health = wait_for(f"{base}/api/v1/health")
        assert health == (200, b'{"status":"ok","database":"sqlite"}')
        assert wait_for(f"{base}/static/admin/css/base.css")[0] == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"Accord is serving at {base}/ (1 workers × 2 threads)." in out


def wait_for(url: str, seconds: float = 30) -> tuple[int, bytes]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
