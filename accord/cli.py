"""The ``accord`` command line: run the server, set up the database, manage admins, users and API
tokens, and load demo data.

    accord migrate && accord createadmin admin --if-missing && accord demo --if-empty && accord serve

Expected failures (a validation error, an unknown user, an unreachable database) print one line on
stderr and exit with status 1; bad usage prints the usage and exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from accord.analytics.command import add_analytics_arguments
from accord.analytics.refresh_command import add_refresh_arguments, refresh_command
from accord.demo import MAX_CONTACTS
from accord.imports.command import add_import_arguments, import_command
from accord.jobs.command import add_worker_arguments, worker_beside_server, worker_command

if TYPE_CHECKING:
    from accord.core.errors import AccordError
    from accord.users.models import User

DEFAULT_SETTINGS = "config.settings.dev"
MAX_DEFAULT_WORKERS = 8
DEFAULT_THREADS = 4

Handler = Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------------------------------- parsing


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low:,} and {high:,}")
        return value

    return parse


def default_workers() -> int:
    """Gunicorn's rule of thumb (2 × cores + 1), capped: more processes than that only add memory."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord",
        description="Accord, the open-source CRM. Settings come from the environment "
        "(DATABASE_URL, ACCORD_DATA_DIR, SECRET_KEY, …); see docs/cli.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the production web server (gunicorn, threaded workers)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=_bounded_int(1, 65535),
        default=None,
        help="port to listen on (default: $PORT, else 8000)",
    )
    serve.add_argument(
        "--workers",
        type=_bounded_int(1, 256),
        default=None,
        help=f"worker processes (default 2 × cores + 1, at most {MAX_DEFAULT_WORKERS}: {default_workers()} here)",
    )
    serve.add_argument(
        "--threads", type=_bounded_int(1, 256), default=DEFAULT_THREADS, help="threads per worker (default 4)"
    )
    serve.add_argument("--no-worker", action="store_true", help="do not start a job worker beside the server")
    serve.set_defaults(handler=serve_command)

    worker = commands.add_parser("worker", help="run background jobs (imports, exports, scheduled jobs)")
    add_worker_arguments(worker)
    worker.set_defaults(handler=worker_cli_command)

    import_ = commands.add_parser(
        "import", help="import companies, contacts, leads, deals, orders or interactions from CSV or XLSX"
    )
    add_import_arguments(import_)
    import_.set_defaults(handler=import_command)

    analytics = commands.add_parser(
        "analytics", help="customer value analysis: the CRM's scores, or a transaction log's lifetime value"
    )
    analytics_commands = add_analytics_arguments(analytics)
    refresh = analytics_commands.add_parser(
        "refresh", help="score every contact who bought (RFM, lifetime value, churn risk, value tier) now"
    )
    add_refresh_arguments(refresh)
    refresh.set_defaults(handler=refresh_command)

    migrate = commands.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(handler=migrate_command)

    check = commands.add_parser("check", help="check the configuration and the database connection")
    check.add_argument("--deploy", action="store_true", help="also run Django's deployment checks")
    check.set_defaults(handler=check_command)

    admin = commands.add_parser("createadmin", help="create an administrator, or reset an account's password")
    admin.add_argument("username")
    admin.add_argument("--password", help="the password (default: a random one, printed once)")
    admin.add_argument("--email", default="", help="the admin's email address")
    action = admin.add_mutually_exclusive_group()
    action.add_argument("--if-missing", action="store_true", help="do nothing when the user already exists")
    action.add_argument(
        "--reset-password", action="store_true", help="set a new password for an existing user (printed once)"
    )
    admin.set_defaults(handler=createadmin_command)

    token = commands.add_parser("token", help="create, list and revoke API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token; its secret is printed once")
    create.add_argument("username")
    create.add_argument("--scope", choices=["read", "write"], default="read", help="default: read")
    create.add_argument("--name", default="", help="what the token is for, e.g. 'zapier'")
    create.add_argument(
        "--expires-days",
        type=_bounded_int(1, 3650),
        default=None,
        help="days until it expires (default: never)",
    )
    create.set_defaults(handler=token_create_command)
    listing = token_commands.add_parser("list", help="list a user's tokens (never their secrets)")
    listing.add_argument("username")
    listing.set_defaults(handler=token_list_command)
    revoke = token_commands.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("username")
    revoke.add_argument("token_id", type=_bounded_int(1, 2**63 - 1), metavar="TOKEN_ID")
    revoke.set_defaults(handler=token_revoke_command)

    user = commands.add_parser("user", help="list users, disable or enable them, change their role")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    user_commands.add_parser("list", help="every user with their role and status").set_defaults(
        handler=user_list_command
    )
    disable = user_commands.add_parser(
        "disable", help="disable a user: their sessions and tokens end at once"
    )
    disable.add_argument("username")
    disable.set_defaults(handler=user_active_command, active=False)
    enable = user_commands.add_parser("enable", help="let a disabled user sign in again")
    enable.add_argument("username")
    enable.set_defaults(handler=user_active_command, active=True)
    set_role = user_commands.add_parser("set-role", help="give a user another role")
    set_role.add_argument("username")
    set_role.add_argument(
        "role_key", metavar="ROLE_KEY", help="e.g. sales_rep; `accord user list` shows roles"
    )
    set_role.set_defaults(handler=user_set_role_command)

    demo = commands.add_parser("demo", help="load realistic demo data (deterministic for a seed)")
    demo.add_argument(
        "--contacts",
        type=_bounded_int(1, MAX_CONTACTS),
        default=5000,
        help="number of contacts (default 5000)",
    )
    demo.add_argument("--seed", type=_bounded_int(0, 2**63 - 1), default=42, help="random seed (default 42)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when any contact exists")
    demo.set_defaults(handler=demo_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or bad usage (2); argparse already printed why
        return exit_.code if isinstance(exit_.code, int) else 2
    handler: Handler = args.handler
    if not getattr(args, "uses_database", True):  # reads and writes files only: no Django, no database
        return handler(args)
    setup_django()
    from django.db import OperationalError

    from accord.core.errors import AccordError

    action = (
        getattr(args, "token_command", None)
        or getattr(args, "user_command", None)
        or getattr(args, "analytics_command", None)
    )
    command = " ".join(name for name in (args.command, action) if name)
    try:
        return handler(args)
    except AccordError as error:
        print(f"accord {command}: {describe(error)}", file=sys.stderr)
    except OperationalError as error:  # unreachable, locked or missing database
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"accord {command}: database error ({database_label()}): {message}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"accord {command}: interrupted", file=sys.stderr)
        return 130
    return 1


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def describe(error: AccordError) -> str:
    """One line for an expected error: the message of each field, else the error's message."""
    from accord.core.errors import ValidationFailed

    fields = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.fields.items())
    if isinstance(error, ValidationFailed) and fields:
        return fields
    return " ".join(part for part in (error.message, fields) if part)


def database_label() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite at {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{connection.display_name} database '{settings['NAME']}' on {host}{port}"


def pending_migrations() -> list[tuple[Any, bool]]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def require_migrated() -> None:
    from accord.core.errors import AccordError

    if pending_migrations():
        raise AccordError(f"The database ({database_label()}) is not set up: run `accord migrate` first.")


def cli_actor() -> Any:
    from accord.core.actors import Actor

    return Actor(user=None, via="cli")


def find_user(username: str) -> User:
    from accord.core.errors import NotFound
    from accord.users.models import User

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise NotFound(f"No user named '{username}'.")
    return user


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest value; the first row is the heading."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def when(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def port_from_environment() -> int:
    from accord.core.errors import ValidationFailed

    try:
        return _bounded_int(1, 65535)(os.environ.get("PORT") or "8000")
    except argparse.ArgumentTypeError as error:
        raise ValidationFailed({"PORT": [f"{error}."]}) from None


# ------------------------------------------------------------------------------------------ commands


def serve_command(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    port = args.port or port_from_environment()
    workers = args.workers or default_workers()
    call_command("collectstatic", interactive=False, verbosity=0)
    # Workers are forked from this process: none of them may inherit its database connection.
    connections.close_all()
    host = f"[{args.host}]" if ":" in args.host else args.host

    class AccordServer(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": args.threads,
                "timeout": 60,
                "graceful_timeout": 30,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "accord",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from config.wsgi import application

            return application

    print(f"Static files collected in {settings.STATIC_ROOT}.")
    print(
        f"Accord is serving at http://{host}:{port}/ ({workers} workers × {args.threads} threads). Ctrl+C stops it.\n"
        f"Sign in at http://{host}:{port}/admin/ with the admin user (its password was printed when it was "
        f"created; `accord createadmin admin --reset-password` sets a new one).\n"
        f"API documentation: http://{host}:{port}/api/v1/docs; API tokens: `accord token create admin --scope write`."
    )
    sys.stdout.flush()
    with worker_beside_server(enabled=not args.no_worker):
        AccordServer().run()
    return 0


def worker_cli_command(args: argparse.Namespace) -> int:
    require_migrated()
    return worker_command(args)


def migrate_command(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    plan = pending_migrations()
    if not plan:
        print(f"The database ({database_label()}) is up to date.")
        return 0
    call_command("migrate", interactive=False, verbosity=0)
    apps = sorted({migration.app_label for migration, _ in plan})
    print(f"Applied {len(plan)} migrations ({', '.join(apps)}) to {database_label()}.")
    return 0


def check_command(args: argparse.Namespace) -> int:
    from django.core import checks
    from django.db import DatabaseError, connection

    problems: list[str] = []
    databases: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        problems.append(
            f"cannot connect to the database ({database_label()}): {' '.join(str(error).split())}"
        )
    else:
        databases = ["default"]
        pending = len(pending_migrations())
        if pending:
            problems.append(f"{pending} migrations are not applied: run `accord migrate`.")
    messages = checks.run_checks(include_deployment_checks=args.deploy, databases=databases)
    for message in messages:
        line = f"{message.id}: {message.msg}" + (f" ({message.hint})" if message.hint else "")
        if message.is_serious():
            problems.append(line)
        else:
            print(f"warning: {line}")
    if problems:
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
        return 1
    print(f"OK: configuration and database ({database_label()}) are ready.")
    return 0


def createadmin_command(args: argparse.Namespace) -> int:
    from accord.core.errors import Conflict
    from accord.core.normalize import normalize_email
    from accord.users.models import User
    from accord.users.services import generate_password, user_create, user_set_password

    require_migrated()
    password = args.password or generate_password()
    shown = "" if args.password else f" Password (shown once, store it now): {password}"
    if args.reset_password:
        user = find_user(args.username)
        user_set_password(actor=cli_actor(), user=user, password=password)
        print(f"Set a new password for '{user.username}'.{shown}")
        return 0
    existing = User.objects.filter(username__iexact=args.username).first()
    if existing is not None:
        if args.if_missing:
            print(
                f"The admin '{existing.username}' already exists; to set a new password run: "
                f"accord createadmin {existing.username} --reset-password"
            )
            return 0
        raise Conflict(
            f"A user named '{existing.username}' already exists; use --reset-password to set a new password."
        )
    email = normalize_email(args.email) if args.email else ""
    user = user_create(
        actor=cli_actor(), username=args.username, password=password, email=email, is_admin=True
    )
    print(f"Created the admin '{user.username}'.{shown}")
    return 0


def token_create_command(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from accord.users.services import token_create

    require_migrated()
    user = find_user(args.username)
    expires_at = timezone.now() + dt.timedelta(days=args.expires_days) if args.expires_days else None
    issued = token_create(
        actor=cli_actor(), user=user, name=args.name or "CLI token", scope=args.scope, expires_at=expires_at
    )
    until = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    print(
        f"Created token {issued.token.pk} '{issued.token.name}' ({issued.token.scope}{until}) for '{user.username}'."
    )
    print("Secret (shown once, store it now; send it as 'Authorization: Bearer <secret>'):")
    print(issued.secret)
    return 0


def token_list_command(args: argparse.Namespace) -> int:
    from django.utils import timezone

    require_migrated()
    user = find_user(args.username)
    tokens = list(user.api_tokens.all())
    if not tokens:
        print(f"'{user.username}' has no API tokens.")
        return 0
    now = timezone.now()
    rows = [("ID", "NAME", "PREFIX", "SCOPE", "STATUS", "CREATED", "EXPIRES", "LAST USED")]
    for token in tokens:
        status = (
            "revoked"
            if token.revoked_at
            else "expired"
            if token.expires_at and token.expires_at <= now
            else "active"
        )
        rows.append(
            (
                str(token.pk),
                token.name,
                f"{token.prefix}…",
                token.scope,
                status,
                when(token.created_at),
                when(token.expires_at),
                when(token.last_used_at),
            )
        )
    print_table(rows)
    return 0


def token_revoke_command(args: argparse.Namespace) -> int:
    from accord.users.services import token_revoke

    require_migrated()
    user = find_user(args.username)
    already = user.api_tokens.filter(pk=args.token_id, revoked_at__isnull=False).exists()
    token = token_revoke(actor=cli_actor(), user=user, token_id=args.token_id)
    state = "was already revoked" if already else "is revoked"
    print(f"Token {token.pk} '{token.name}' of '{user.username}' {state}.")
    return 0


def user_list_command(args: argparse.Namespace) -> int:
    from accord.users.models import User

    require_migrated()
    rows = [("ID", "USERNAME", "NAME", "EMAIL", "ROLE", "STATUS", "LAST SIGN-IN")]
    for user in User.objects.select_related("role").order_by("username"):
        role = user.role.key if user.role else ("superuser" if user.is_superuser else "-")
        status = "active" if user.is_active else "disabled"
        name = user.get_full_name() or "-"
        rows.append(
            (str(user.pk), user.username, name, user.email or "-", role, status, when(user.last_login))
        )
    print_table(rows)
    return 0


def user_active_command(args: argparse.Namespace) -> int:
    """``accord user disable`` and ``accord user enable``: the same steps, opposite ways."""
    from accord.users.services import user_disable, user_enable

    require_migrated()
    user = find_user(args.username)
    if user.is_active == args.active:
        print(f"'{user.username}' was already {'active' if args.active else 'disabled'}.")
        return 0
    if args.active:
        user_enable(actor=cli_actor(), user=user)
        print(f"'{user.username}' may sign in again.")
    else:
        user_disable(actor=cli_actor(), user=user)
        print(f"'{user.username}' is disabled: their sessions and API tokens ended.")
    return 0


def user_set_role_command(args: argparse.Namespace) -> int:
    from accord.access.models import Role
    from accord.core.errors import NotFound
    from accord.users.services import user_update

    require_migrated()
    user = find_user(args.username)
    role = Role.objects.filter(key=args.role_key).first()
    if role is None:
        keys = ", ".join(Role.objects.order_by("key").values_list("key", flat=True))
        raise NotFound(f"No role '{args.role_key}'; the roles are: {keys}.")
    state = "already has" if user.role_id == role.pk else "now has"
    user_update(actor=cli_actor(), user=user, data={"role_id": role.pk})
    print(f"'{user.username}' {state} the role {role.name} ({role.key}).")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    from accord.customers.models import Contact
    from accord.demo.generate import load_demo

    require_migrated()
    if args.if_empty and Contact.objects.exists():
        print("Contacts already exist: the demo data was not loaded (--if-empty).")
        return 0
    load_demo(contacts=args.contacts, seed=args.seed, out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
