#!/usr/bin/env python
"""What the API's request guards add to a request, timed in-process on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/guards.py --databases sqlite postgres --repeat 2000

Rows: the rate-limit counter alone (``accord.core.ratelimit.admit``, one upsert); then through Django's
whole stack, an authenticated GET /api/v1/ping with limits off (the baseline) and on; and a company created
by POST without (the baseline) and with an Idempotency-Key (a claim committed before the operation and
the response stored after it). Each database is a fresh, migrated one with the production settings'
pragmas (SQLite: WAL, synchronous=FULL; the counters in their own file with synchronous=OFF).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    child_results,
    machine_description,
    percentile,
    print_result,
    print_table,
    sqlite_environment,
)

LIMITS_ON = {"ACCORD_RATE_LIMIT_READ": (10**9, 60), "ACCORD_RATE_LIMIT_WRITE": (10**9, 60)}  # never reached
LIMITS_OFF = {"ACCORD_RATE_LIMIT_READ": None, "ACCORD_RATE_LIMIT_WRITE": None}
WARMUP = 5


def time_in_turn(
    variants: dict[str, tuple[Callable[[], object], dict[str, Any]]], *, repeat: int
) -> dict[str, list[float]]:
    """Milliseconds per call of each variant (a call and the settings it runs under), the variants called
    in turn so that a shared machine's drift falls on all alike; settings change outside the timing."""
    from django.test import override_settings

    samples: dict[str, list[float]] = {name: [] for name in variants}
    for round_number in range(WARMUP + repeat):
        for name, (function, overrides) in variants.items():
            with override_settings(**overrides):
                start = time.perf_counter()
                function()
                elapsed = (time.perf_counter() - start) * 1000
            if round_number >= WARMUP:
                samples[name].append(elapsed)
    return samples


def _row(operation: str, samples: list[float], baseline: list[float] | None = None) -> dict[str, Any]:
    """Median and p95, and what the operation adds to its baseline: the median of paired differences."""
    added = (
        None if baseline is None else statistics.median(a - b for a, b in zip(samples, baseline, strict=True))
    )
    return {
        "operation": operation,
        "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "added_ms": added,
    }


def measure(repeat: int) -> list[dict[str, Any]]:
    from django.test import Client, RequestFactory

    from accord.access.models import Role
    from accord.core import ratelimit
    from accord.core.actors import Actor
    from accord.users.models import User
    from accord.users.services import token_create

    user = User.objects.create_user(username="benchmark", role=Role.objects.get(key="administrator"))
    issued = token_create(actor=Actor(user=user, via="cli"), user=user, name="benchmark", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}", HTTP_HOST="localhost")
    actor = Actor(user=user, via="api", token_id=issued.token.pk)
    ping_request = RequestFactory().get("/api/v1/ping")
    serial = itertools.count()  # names and keys must never repeat

    def call(method: Callable[..., Any], path: str, status: int, **kwargs: Any) -> None:
        response = method(path, **kwargs)
        if response.status_code != status:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")

    def ping() -> None:
        call(client.get, "/api/v1/ping", 200)

    def create_company(with_key: bool) -> None:
        number = next(serial)
        key = {"HTTP_IDEMPOTENCY_KEY": f"benchmark-{number}"} if with_key else {}
        body = {"name": f"Company {number}"}
        call(client.post, "/api/v1/companies", 201, data=body, content_type="application/json", **key)

    counter = time_in_turn(
        {"counter": (lambda: ratelimit.admit(ping_request, actor), LIMITS_ON)}, repeat=repeat
    )
    pings = time_in_turn({"off": (ping, LIMITS_OFF), "on": (ping, LIMITS_ON)}, repeat=repeat)
    creates = time_in_turn(
        {
            "plain": (lambda: create_company(False), LIMITS_OFF),
            "keyed": (lambda: create_company(True), LIMITS_OFF),
        },
        repeat=repeat,
    )
    return [
        _row("rate-limit counter alone", counter["counter"]),
        _row("GET /ping, limits off", pings["off"]),
        _row("GET /ping, limits on", pings["on"], pings["off"]),
        _row("POST /companies", creates["plain"]),
        _row("POST /companies with Idempotency-Key", creates["keyed"], creates["plain"]),
    ]


def run_child(database: str, repeat: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    for row in measure(repeat):
        print_result({"database": database, **row})


def run_parent(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for database in args.databases:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            database,
            "--repeat",
            str(args.repeat),
        ]
        # A fresh data folder either way: the SQLite database and the counter file live there.
        with sqlite_environment() as env:
            if database == "postgres":
                env.pop("DATABASE_URL")
            found = child_results(database, command, env)
        if found is None:
            return 1
        rows += found
    print(f"Machine: {machine_description()}; {args.repeat} calls per row, in-process, variants in turn.")
    print_table(
        "Request guards: cost per request",
        ["database", "operation", "median µs", "p95 µs", "added to the row above, median µs"],
        [
            [
                row["database"],
                row["operation"],
                row["median_ms"] * 1000,
                row["p95_ms"] * 1000,
                "–" if row["added_ms"] is None else row["added_ms"] * 1000,
            ]
            for row in rows
        ],
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.repeat)
        return 0
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
