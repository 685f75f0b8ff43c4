#!/usr/bin/env python
"""Export of the contacts list as CSV and XLSX at scale, on SQLite and PostgreSQL: speed and memory.

    .venv/bin/python benchmarks/export.py --sizes 10000 1000000 --databases sqlite postgres

After `accord demo --contacts N`, an administrator (who sees every contact) exports the contacts list
(`/contacts/export/?format=csv|xlsx`, its default columns and sort) through Django's whole stack in
process; the streamed response is iterated to /dev/null. Baseline, measured in the same run: the same
rows in the same order read with a raw database cursor (`fetchmany`), with no formatting at all.

Memory: each export runs twice. The timed run reports the growth of the process's resident set
(peak RSS during the export, after resetting the kernel's peak counter, less RSS before); a second run
under tracemalloc reports the peak of Python allocations. Constant memory means both stay flat from
the small size to the large one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    in_process_benchmark_main,
    load_demo,
    machine_description,
    print_result,
    print_table,
)

BASELINE = "raw cursor read (baseline)"


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)
    except OSError:
        pass


def _measure(run: Callable[[], int]) -> dict[str, float]:
    """Rows/s and RSS growth of one run, then the tracemalloc peak of a second run."""
    _reset_peak_rss()
    before = _status_kib("VmRSS")
    start = time.perf_counter()
    rows = run()
    seconds = time.perf_counter() - start
    rss_growth = max(0, _status_kib("VmHWM") - before) / 1024
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": seconds,
        "per_second": rows / seconds,
        "rss_mib": rss_growth,
        "traced_mib": peak / 2**20,
    }


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    load_demo(env, size, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accord.access.models import Role
    from accord.users.models import User

    admin = User.objects.create(username="export-admin", role=Role.objects.get(key="administrator"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)

    def raw_read() -> int:
        rows = 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, version, created_at, updated_at, given_name, family_name, job_title, "
                "lifecycle_stage, acquisition_source, owner_id FROM customers_contact ORDER BY family_name, id"
            )
            while batch := cursor.fetchmany(2000):
                rows += len(batch)
        return rows

    def export(file_format: str) -> Callable[[], int]:
        def run() -> int:
            response: Any = client.get(f"/contacts/export/?format={file_format}")
            assert response.status_code == 200, response.status_code
            written = 0
            with open(os.devnull, "wb") as sink:
                for chunk in response.streaming_content:
                    sink.write(chunk)
                    written += len(chunk)
            assert written > 0
            return size

        return run

    runs: dict[str, Callable[[], int]] = {
        BASELINE: raw_read,
        "CSV export": export("csv"),
        "XLSX export": export("xlsx"),
    }
    for file_format in ("csv", "xlsx"):  # first requests import, compile and cache: not what is measured
        warm_up: Any = client.get(f"/contacts/export/?format={file_format}&q=a")
        b"".join(warm_up.streaming_content)
    for operation, run in runs.items():
        print(f"… {database} {size:,} {operation}", file=sys.stderr, flush=True)
        print_result({"database": database, "size": size, "operation": operation, **_measure(run)})


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    baseline = {(row["database"], row["size"]): row for row in rows if row["operation"] == BASELINE}
    table: list[list[object]] = []
    for row in rows:
        base = baseline[(row["database"], row["size"])]
        table.append(
            [
                row["database"],
                f"{row['size']:,}",
                row["operation"],
                f"{row['seconds']:.1f}",
                f"{row['per_second']:,.0f}",
                f"{row['per_second'] / base['per_second']:.0%}",
                f"{row['traced_mib']:.1f}",
                f"{row['rss_mib']:.1f}",
            ]
        )
    print()
    print(f"Machine: {machine_description()}; in-process, the response iterated to /dev/null.")
    print_table(
        "Contacts export (administrator, every contact, default columns)",
        [
            "database",
            "contacts",
            "operation",
            "seconds",
            "rows/s",
            "vs raw read",
            "tracemalloc peak MiB",
            "RSS growth MiB",
        ],
        table,
    )


def main() -> int:
    return in_process_benchmark_main(
        __doc__ or "", Path(__file__).resolve(), run_child=run_child, report=report, repeat=1
    )


if __name__ == "__main__":
    sys.exit(main())
