#!/usr/bin/env python
"""REST API latency and throughput against `accord serve`, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/api.py --sizes 100000 1000000 --databases sqlite postgres

For each database and size: load `accord demo --contacts N`, start `accord serve`, and drive it with wrk:
one connection for latency (median, p95) and several for throughput (requests/s). Beside each API
operation, in the same run: the raw SQL query it stands on (timed in-process) and a bare authenticated
JSON endpoint of the same server (`/api/v1/ping`). Goals (issue #2): search p95 ≤ 20 ms and list p95 ≤ 30 ms
at 1,000,000 contacts; list throughput ≥ 50% of the bare endpoint's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    Timing,
    accord_server,
    load_demo,
    machine_description,
    print_result,
    print_table,
    run_children,
    time_calls,
    wrk,
)


def _samples(seed: int) -> dict[str, Any]:
    """Ids, search terms and deep cursors drawn from the loaded data (Django is set up by now)."""
    from django.db import connection

    from accord.core.pagination import encode_cursor
    from accord.customers.models import Contact, ContactEmail, ContactPhone

    rng = random.Random(seed)
    total = Contact.objects.count()
    max_id = Contact.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, max_id) for _ in range(400)]
    ids = list(Contact.objects.filter(pk__in=ids).values_list("pk", flat=True))[:200]
    names = list(Contact.objects.filter(pk__in=ids).values_list("family_name", flat=True))
    emails = list(ContactEmail.objects.filter(contact_id__in=ids).values_list("email", flat=True))
    phones = list(ContactPhone.objects.filter(contact_id__in=ids).values_list("number", flat=True))
    terms = [name[: rng.randint(3, max(3, len(name)))] for name in names[:30]]
    terms += [email.split("@")[0][1:6] for email in emails[:20]]
    terms += [phone[-7:] for phone in phones[:10]]
    cursors = []
    for fraction in (0.5, 0.75, 0.9, 0.99):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT family_name, id FROM customers_contact ORDER BY family_name, id LIMIT 1 OFFSET %s",
                [int(total * fraction)],
            )
            family_name, pk = cursor.fetchone()
        cursors.append((family_name, pk, encode_cursor(family_name, pk)))
    return {"total": total, "ids": ids, "terms": [t for t in terms if len(t) >= 3], "cursors": cursors}


def _raw_sql(samples: dict[str, Any]) -> dict[str, Timing]:
    """The database work under each operation, timed in-process with no HTTP or serialisation."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accord.core.actors import SYSTEM
    from accord.core.search import search

    def query(sql: str, params: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    cursors, ids, terms = samples["cursors"], samples["ids"], samples["terms"]
    list_sql = "SELECT * FROM customers_contact ORDER BY family_name, id LIMIT 51"
    deep_sql = (
        "SELECT * FROM customers_contact WHERE family_name >= %s AND (family_name > %s OR id > %s) "
        "ORDER BY family_name, id LIMIT 51"
    )

    def insert(index: int) -> None:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_contact (given_name, family_name, job_title, lifecycle_stage, "
                "acquisition_source, acquisition_channel, custom_fields, created_at, updated_at, version) "
                "VALUES ('Raw', %s, '', 'lead', '', '', '{}', %s, %s, 1)",
                [f"Baseline {index}", now, now],
            )

    return {
        "list first page": time_calls(lambda i: query(list_sql, []), repeat=200),
        "list deep page": time_calls(
            lambda i: query(deep_sql, [cursors[i % 4][0], cursors[i % 4][0], cursors[i % 4][1]]), repeat=200
        ),
        "detail": time_calls(
            lambda i: query("SELECT * FROM customers_contact WHERE id = %s", [ids[i % len(ids)]]), repeat=200
        ),
        "search": time_calls(lambda i: search(terms[i % len(terms)], actor=SYSTEM, limit=20), repeat=200),
        "create": time_calls(insert, repeat=100),
    }


def _create_token() -> str:
    from accord.core.actors import Actor
    from accord.users.models import User
    from accord.users.services import token_create

    user, _ = User.objects.get_or_create(
        username="benchmark", defaults={"is_staff": True, "is_superuser": True}
    )
    return token_create(actor=Actor(user=user, via="cli"), user=user, name="benchmark", scope="write").secret


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    """One database at one size; prints RESULT lines for the parent to tabulate."""
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    load_seconds = load_demo(env, size, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.db import connection

    samples = _samples(args.seed)
    raw = _raw_sql(samples)
    secret = _create_token()
    connection.close()

    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    first = "/api/v1/contacts?limit=50&sort=family_name"
    operations: dict[str, dict[str, Any]] = {
        "bare JSON (ping)": {"method": "GET", "paths": ["/api/v1/ping"]},
        "list first page": {"method": "GET", "paths": [first]},
        "list deep page": {"method": "GET", "paths": [f"{first}&cursor={c[2]}" for c in samples["cursors"]]},
        "detail": {"method": "GET", "paths": [f"/api/v1/contacts/{pk}" for pk in samples["ids"]]},
        "search": {
            "method": "GET",
            "paths": [f"/api/v1/search?q={quote(term)}&limit=20" for term in samples["terms"]],
        },
        "create": {
            "method": "POST",
            "paths": ["/api/v1/contacts"],
            "bodies": [
                json.dumps(
                    {
                        "given_name": "Bench",
                        "family_name": f"Mark {index}",
                        "emails": [{"email": f"bench.mark.{index}@example.org"}],
                    }
                )
                for index in range(200)
            ],
        },
    }
    with accord_server(env, workers=args.workers, threads=args.threads) as base:
        for spec in operations.values():
            wrk(base, headers=headers, connections=1, seconds=1, **spec)  # warm up caches and connections
        # Operations take turns in short slices, so that a burst of noise on this shared machine falls on
        # every operation and its baseline alike instead of on whichever ran at that moment.
        latency: dict[str, list[Timing]] = {name: [] for name in operations}
        load: dict[str, list[Timing]] = {name: [] for name in operations}
        slice_seconds = max(1.0, args.seconds / args.rounds)
        for _ in range(args.rounds):
            for name, spec in operations.items():
                latency[name].append(wrk(base, headers=headers, connections=1, seconds=slice_seconds, **spec))
                load[name].append(
                    wrk(base, headers=headers, connections=args.connections, seconds=slice_seconds, **spec)
                )
        for name in operations:
            row = {
                "database": database,
                "size": samples["total"],
                "operation": name,
                "load_seconds": load_seconds,
                "p50_ms": statistics.median(run.median_ms for run in latency[name]),
                "p95_ms": statistics.median(run.p95_ms for run in latency[name]),
                "rps": statistics.fmean(run.per_second or 0.0 for run in load[name]),
                "p95_loaded_ms": statistics.median(run.p95_ms for run in load[name]),
                "failures": sum(run.failures for run in latency[name] + load[name]),
                "raw_p50_ms": raw[name].median_ms if name in raw else None,
                "raw_p95_ms": raw[name].p95_ms if name in raw else None,
            }
            print_result(row)


def _forwarded(args: argparse.Namespace) -> list[str]:
    return [
        "--seconds",
        str(args.seconds),
        "--rounds",
        str(args.rounds),
        "--connections",
        str(args.connections),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--seed",
        str(args.seed),
    ]


def run_parent(args: argparse.Namespace) -> int:
    rows = run_children(Path(__file__).resolve(), args.databases, args.sizes, _forwarded(args))
    if rows is None:
        return 1
    _report(rows, args)
    return 1 if any(row["failures"] for row in rows) else 0


def _report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    ping = {(r["database"], r["size"]): r for r in rows if r["operation"] == "bare JSON (ping)"}
    table = []
    for row in rows:
        baseline = ping[(row["database"], row["size"])]
        raw = row["raw_p50_ms"]
        table.append(
            [
                row["database"],
                f"{row['size']:,}",
                row["operation"],
                row["p50_ms"],
                row["p95_ms"],
                row["rps"],
                row["p95_loaded_ms"],
                "–" if raw is None else f"{raw:.2f} / {row['raw_p95_ms']:.2f}",
                f"{row['rps'] / baseline['rps']:.0%}",
                row["failures"],
            ]
        )
    print()
    print(
        f"Machine: {machine_description()}; server: accord serve --workers {args.workers} --threads {args.threads}; "
        f"wrk {args.seconds}s per measure in {args.rounds} interleaved slices (medians of the slices' p50 and p95, "
        f"mean req/s), 1 connection for latency, {args.connections} for throughput."
    )
    loads = {(r["database"], r["size"]): r["load_seconds"] for r in rows}
    print(
        "Demo load: " + ", ".join(f"{db} {size:,}: {seconds:.0f} s" for (db, size), seconds in loads.items())
    )
    print_table(
        "REST API",
        [
            "database",
            "contacts",
            "operation",
            "p50 ms",
            "p95 ms",
            f"req/s ({args.connections} conn)",
            "p95 ms loaded",
            "raw SQL p50 / p95 ms",
            "req/s vs bare JSON",
            "failures",
        ],
        table,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--seconds", type=float, default=10, help="per measure, split over the rounds")
    parser.add_argument("--rounds", type=int, default=5, help="turns the operations take, interleaved")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.size, args)
        return 0
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
