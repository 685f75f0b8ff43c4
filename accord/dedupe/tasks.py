"""The duplicate scan as a background job, run every night for contacts and companies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.dedupe.scan import duplicate_scan
from accord.jobs.context import JobContext
from accord.jobs.registry import job, schedule


@job("dedupe.scan", label="Scan for duplicates", max_attempts=3)
def scan(context: JobContext, *, object_type: str) -> dict[str, Any]:
    """Rescan one type whole. A retry simply scans again: a scan replaces the open pairs it finds."""

    def progress(done: int, total: int) -> None:
        context.progress(done, total, message=f"Step {done} of {total}: read, group, score, store")

    result = duplicate_scan(object_type=object_type, progress=progress)
    return {"object_type": object_type, "records": result.records, "pairs_found": result.pairs_found}


for scanned_type in ("contact", "company"):
    schedule(
        "dedupe.scan",
        every=dt.timedelta(days=1),
        at=dt.time(2, 30),
        arguments={"object_type": scanned_type},
        name=f"dedupe.scan.{scanned_type}",
    )
