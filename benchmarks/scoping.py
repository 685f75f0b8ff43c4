#!/usr/bin/env python
"""The cost of record-level scoping: the same list and search requests as an administrator (unscoped)
and as users who see part of the data, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/scoping.py --sizes 1000000 --databases sqlite postgres

After `accord demo --contacts N`, contacts are spread over 100 sales reps (1% each) with the contact
default set to `private`: a **rep** sees their 1% (plus 20 contacts shared with them), a **manager** of a
team of 30 reps sees 30%. Each request is timed in-process through Django's full stack (middleware,
authentication, scoping, serialisation), `--repeat` times in five interleaved turns, beside the same request
by an administrator, which is the unscoped baseline of the same run. Goal (issue #3): scoped list p95 ≤ 1.5 × unscoped.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    UNREACHABLE_RATE_LIMIT,
    in_process_benchmark_main,
    interleaved_timings,
    load_demo,
    machine_description,
    print_result,
    print_table,
)

REPS = 100
TEAM_SIZE = 30
SHARED_WITH_REP = 20


def _organisation() -> dict[str, Any]:
    """100 reps owning 1% of the contacts each, a manager of 30 of them, an administrator; their tokens."""
    from django.db import connection

    from accord.access.models import RecordShare, Role, SharingDefault, Team, TeamMembership
    from accord.core.actors import SYSTEM
    from accord.customers.models import Contact
    from accord.users.models import User
    from accord.users.services import token_create

    roles = {role.key: role for role in Role.objects.all()}
    reps = User.objects.bulk_create(
        [User(username=f"scoping-rep-{index:03}", role=roles["sales_rep"]) for index in range(REPS)]
    )
    manager = User.objects.create(username="scoping-manager", role=roles["sales_manager"])
    admin = User.objects.create(username="scoping-admin", role=roles["administrator"])
    team = Team.objects.create(name="Scoping team", manager=manager)
    TeamMembership.objects.bulk_create([TeamMembership(team=team, user=rep) for rep in reps[:TEAM_SIZE]])
    SharingDefault.objects.update_or_create(object_type="contact", defaults={"visibility": "private"})
    first_rep = reps[0].pk
    with connection.cursor() as cursor:
        # Reps were inserted with consecutive ids, so contact i belongs to rep (i mod 100).
        cursor.execute(f"UPDATE customers_contact SET owner_id = {first_rep} + (id % {REPS})")
        cursor.execute(
            f"UPDATE core_searchentry SET owner_id = {first_rep} + (object_id % {REPS}) WHERE kind = 'contact'"
        )
    # The updates above leave a million dead rows on PostgreSQL: vacuum them now rather than let
    # autovacuum do it in the middle of the measures.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rep = reps[1]
    others = Contact.objects.exclude(owner=rep).order_by("id").values_list("pk", flat=True)[:SHARED_WITH_REP]
    RecordShare.objects.bulk_create(
        [RecordShare(object_type="contact", object_id=pk, user=rep, access="read") for pk in others]
    )

    def token(user: Any) -> str:
        return token_create(actor=SYSTEM, user=user, name="scoping", scope="read").secret

    return {
        "administrator (unscoped)": token(admin),
        "sales rep (1%)": token(rep),
        "manager (30%)": token(manager),
    }


def _requests(client: Any) -> dict[str, list[str]]:
    """For one user: the first page, pages deep in their own list, and name searches."""
    first = "/api/v1/contacts?limit=50&sort=family_name"
    cursors, cursor, pages = [], None, 0
    # Walk a few pages to find cursors deep in this user's list without OFFSET.
    while pages < 6:
        page = client.get(first + (f"&cursor={cursor}" if cursor else "")).json()
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
        pages += 1
    return {
        "list first page": [first],
        "list next pages": [f"{first}&cursor={cursor}" for cursor in cursors] or [first],
        "count": ["/api/v1/contacts/count"],
        "search": [
            f"/api/v1/search?q={term}&kinds=contact&limit=20" for term in ("smi", "mar", "lee", "ann")
        ],
    }


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    load_demo(env, size, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Counted like in production, but never refused: the measure sends thousands of requests a minute.
    os.environ["ACCORD_RATE_LIMIT_READ"] = os.environ["ACCORD_RATE_LIMIT_WRITE"] = UNREACHABLE_RATE_LIMIT
    import django

    django.setup()
    from django.test import Client

    tokens = _organisation()
    calls: dict[tuple[str, str], Callable[[int], object]] = {}
    for user, secret in tokens.items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
        for operation, paths in _requests(client).items():

            def call(index: int, paths: list[str] = paths, client: Client = client) -> None:
                response = client.get(paths[index % len(paths)])
                assert response.status_code == 200, response.content

            calls[(user, operation)] = call
    for (user, operation), timing in interleaved_timings(calls, repeat=args.repeat).items():
        row = {"database": database, "size": size, "user": user, "operation": operation}
        print_result({**row, "p50": timing.median_ms, "p95": timing.p95_ms})


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    baseline = {
        (row["database"], row["size"], row["operation"]): row
        for row in rows
        if row["user"] == "administrator (unscoped)"
    }
    table = []
    for row in rows:
        base = baseline[(row["database"], row["size"], row["operation"])]
        table.append(
            [
                row["database"],
                f"{row['size']:,}",
                row["operation"],
                row["user"],
                f"{row['p50']:.2f}",
                f"{row['p95']:.2f}",
                f"{row['p95'] / base['p95']:.2f}×",
            ]
        )
    print()
    print(
        f"Machine: {machine_description()}; {args.repeat} requests per measure in five interleaved turns, in-process."
    )
    print_table(
        "Record-level scoping",
        ["database", "contacts", "operation", "user", "p50 ms", "p95 ms", "p95 vs unscoped"],
        table,
    )


def main() -> int:
    return in_process_benchmark_main(
        __doc__ or "", Path(__file__).resolve(), run_child=run_child, report=report, repeat=400
    )


if __name__ == "__main__":
    sys.exit(main())
