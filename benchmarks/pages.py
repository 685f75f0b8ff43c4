#!/usr/bin/env python
"""Server time of the main web pages at scale, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/pages.py --sizes 1000000 --databases sqlite postgres

After `accord demo --contacts N`, one contact gets 500 interactions over every channel and one pipeline
gets 2,000 open deals. Each page is requested `--repeat` times, in five interleaved turns, through Django's
whole stack in-process (middleware, session, scoping, templates), signed in as an administrator (who sees
every record, the heaviest case), beside a baseline of the same run: the bare authenticated JSON endpoint `/api/v1/ping`
through the same session. Goal (issue #4): p95 ≤ 100 ms for each page at 1,000,000 contacts.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

INTERACTIONS = 500
OPEN_DEALS = 2_000
GOAL_MS = 100.0


def _customer_with_history(owner: Any) -> int:
    """A contact with INTERACTIONS interactions on every channel, as a long-standing customer has."""
    from django.utils import timezone

    from accord.activities.models import Interaction, InteractionContact
    from accord.customers.models import Contact

    contact = Contact.objects.order_by("id").first()
    assert contact is not None, "the demo data has contacts"
    channels = [choice for choice, _ in Interaction.Channel.choices]
    kinds = [choice for choice, _ in Interaction.Kind.choices]
    now = timezone.now()
    interactions = Interaction.objects.bulk_create(
        [
            Interaction(
                kind=kinds[index % len(kinds)],
                channel=channels[index % len(channels)],
                subject=f"Conversation {index}",
                occurred_at=now - dt.timedelta(hours=7 * index),
                owner=owner,
            )
            for index in range(INTERACTIONS)
        ]
    )
    InteractionContact.objects.bulk_create(
        [
            InteractionContact(interaction=interaction, contact=contact, occurred_at=interaction.occurred_at)
            for interaction in interactions
        ]
    )
    return contact.pk


def _pipeline_with_open_deals(owner: Any) -> int:
    """A pipeline of five open stages and two closed ones holding OPEN_DEALS open deals."""
    from accord.customers.models import Company
    from accord.sales.models import Deal, Pipeline, Stage

    pipeline = Pipeline.objects.create(name="Benchmark pipeline", position=99)
    stages = Stage.objects.bulk_create(
        [
            Stage(pipeline=pipeline, name=name, position=position, probability=probability, kind=kind)
            for position, (name, probability, kind) in enumerate(
                [
                    ("Qualify", 10, "open"),
                    ("Meet", 25, "open"),
                    ("Propose", 50, "open"),
                    ("Negotiate", 75, "open"),
                    ("Commit", 90, "open"),
                    ("Won", 100, "won"),
                    ("Lost", 0, "lost"),
                ]
            )
        ]
    )
    companies = list(Company.objects.order_by("id").values_list("pk", flat=True)[:OPEN_DEALS])
    Deal.objects.bulk_create(
        [
            Deal(
                name=f"Benchmark deal {index}",
                amount=1_000 + 37 * index,
                pipeline=pipeline,
                stage=stages[index % 5],
                owner=owner,
                company_id=companies[index % len(companies)] if companies else None,
                expected_close_date=dt.date(2027, 1, 1) + dt.timedelta(days=index % 365),
            )
            for index in range(OPEN_DEALS)
        ]
    )
    return pipeline.pk


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    load_demo(env, size, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["ACCORD_RATE_LIMIT_READ"] = os.environ["ACCORD_RATE_LIMIT_WRITE"] = UNREACHABLE_RATE_LIMIT
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accord.access.models import Role
    from accord.users.models import User

    admin = User.objects.create(username="pages-admin", role=Role.objects.get(key="administrator"))
    contact_id = _customer_with_history(admin)
    pipeline_id = _pipeline_with_open_deals(admin)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    pages = {
        "bare JSON endpoint (baseline)": "/api/v1/ping",
        "contacts list": "/contacts/",
        f"contact 360 page ({INTERACTIONS} interactions)": f"/contacts/{contact_id}/",
        f"deal board ({OPEN_DEALS:,} open deals)": f"/deals/board/{pipeline_id}/",
    }
    calls: dict[str, Callable[[int], object]] = {}
    for page, path in pages.items():

        def call(index: int, path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        calls[page] = call
    for page, timing in interleaved_timings(calls, repeat=args.repeat).items():
        print_result(
            {"database": database, "size": size, "page": page, "p50": timing.median_ms, "p95": timing.p95_ms}
        )


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    baseline = {
        (row["database"], row["size"]): row for row in rows if row["page"].startswith("bare JSON endpoint")
    }
    table = []
    for row in rows:
        base = baseline[(row["database"], row["size"])]
        goal = "" if row is base else ("met" if row["p95"] <= GOAL_MS else "MISSED")
        table.append(
            [
                row["database"],
                f"{row['size']:,}",
                row["page"],
                f"{row['p50']:.1f}",
                f"{row['p95']:.1f}",
                f"{row['p95'] / base['p95']:.1f}×",
                goal,
            ]
        )
    print()
    print(
        f"Machine: {machine_description()}; {args.repeat} requests per page in five interleaved turns, in-process."
    )
    print_table(
        "Web pages, server time",
        [
            "database",
            "contacts",
            "page",
            "p50 ms",
            "p95 ms",
            "p95 vs bare endpoint",
            f"p95 ≤ {GOAL_MS:.0f} ms",
        ],
        table,
    )


def main() -> int:
    return in_process_benchmark_main(
        __doc__ or "", Path(__file__).resolve(), run_child=run_child, report=report, repeat=200
    )


if __name__ == "__main__":
    sys.exit(main())
