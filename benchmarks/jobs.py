#!/usr/bin/env python
"""Throughput of the job queue on SQLite and PostgreSQL: enqueueing, and running short jobs with real
``accord worker --burst`` processes.

    .venv/bin/python benchmarks/jobs.py --databases sqlite postgres --jobs 2000 --processes 1 2

Rows: enqueue (one job per transaction, as a service does) beside the baseline of inserting the same
row with the ORM's plain ``create``; then draining the queue of ``tests.record`` jobs (each writes one
audit entry and returns) with 1..N worker processes, in jobs per second: the queue's own cost per job
(claim, heartbeat thread, end) on top of a one-row job. Worker start-up is included (a fresh process
imports Django): it is small against the drain at the default size. Each database is fresh and migrated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    child_results,
    machine_description,
    print_result,
    print_table,
    sqlite_environment,
)

ROOT = Path(__file__).resolve().parent.parent


def enqueue_rates(count: int) -> list[dict[str, Any]]:
    from django.db import transaction

    from accord.core.actors import SYSTEM
    from accord.jobs.models import Job
    from accord.jobs.tests.jobs_for_tests import record

    def timed(insert: Any) -> float:
        start = time.perf_counter()
        for number in range(count):
            with transaction.atomic():
                insert(number)
        return count / (time.perf_counter() - start)

    plain = timed(lambda number: Job.objects.create(name="tests.record", module="x", arguments={"tag": "x"}))
    Job.objects.all().delete()
    enqueued = timed(lambda number: record.enqueue(SYSTEM, tag=str(number)))
    Job.objects.all().delete()
    return [
        {"operation": "insert a job row (ORM create, baseline)", "per_second": plain, "ratio": 1.0},
        {"operation": "enqueue", "per_second": enqueued, "ratio": enqueued / plain},
    ]


def drain_rate(count: int, processes: int) -> dict[str, Any]:
    from accord.core.actors import SYSTEM
    from accord.jobs.models import Job
    from accord.jobs.tests.jobs_for_tests import record

    for number in range(count):
        record.enqueue(SYSTEM, tag=str(number))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "accord.cli", "worker", "--burst", "--processes", str(processes)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - start
    succeeded = Job.objects.filter(status="succeeded").count()
    if succeeded != count:
        raise RuntimeError(f"{succeeded} of {count} jobs succeeded")
    Job.objects.all().delete()
    return {"operation": f"run one-row jobs, {processes} worker process(es)", "per_second": count / elapsed}


def run_child(database: str, count: int, processes: list[int]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connections

    rows = enqueue_rates(count)
    for number in processes:
        connections.close_all()  # the workers write while this process waits
        rows.append(drain_rate(count, number))
    for row in rows:
        print_result({"database": database, "jobs": count, **row})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.jobs, args.processes)
        return 0
    rows: list[dict[str, Any]] = []
    for database in args.databases:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            database,
            "--jobs",
            str(args.jobs),
        ]
        command += ["--processes", *map(str, args.processes)]
        with sqlite_environment() as env:
            if database == "postgres":
                env.pop("DATABASE_URL")
            found = child_results(database, command, env)
        if found is None:
            return 1
        rows += found
    print(f"Machine: {machine_description()}.")
    print_table(
        "Job queue throughput",
        ["database", "jobs", "operation", "per second", "ratio to baseline"],
        [
            [row["database"], row["jobs"], row["operation"], row["per_second"], row.get("ratio", "–")]
            for row in rows
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
