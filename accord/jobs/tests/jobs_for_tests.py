"""Jobs the tests run, in process and in real worker processes (which import this module by the name
stored on each job row, and declare its schedule through ACCORD_JOBS_MODULES).

Each execution leaves an audit entry (action ``tests.*``), so a test counts executions in the database.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.db import OperationalError, transaction

from accord.core.audit import audit_event
from accord.jobs.context import JobContext
from accord.jobs.registry import TransientError, job, schedule

# How often a blocked job looks for the file that releases it.
GATE_POLL_SECONDS = 0.05


def executed(context: JobContext, action: str, note: str, object_id: int | None = None) -> None:
    audit_event(
        actor=context.actor, action=action, object_type="jobs.job", object_id=object_id, object_repr=note
    )


@job("tests.record")
def record(context: JobContext, tag: str) -> dict[str, Any]:
    executed(context, "tests.executed", tag, context.job_id)
    return {"tag": tag, "attempt": context.attempt, "actor": context.actor.user_id, "via": context.actor.via}


@job("tests.steps", max_attempts=3)
def steps(context: JobContext, total: int, folder: str, block_before: int | None = None) -> int:
    """``total`` steps, each committed with its checkpoint; before step ``block_before`` it writes
    ``reached`` in ``folder`` and waits for a ``release`` file there (the test controls it)."""
    start = context.checkpoint or 0
    for step in range(start, total):
        if step == block_before:
            gate = Path(folder)
            (gate / "reached").write_text(str(context.attempt))
            while not (gate / "release").exists():
                time.sleep(GATE_POLL_SECONDS)
        with transaction.atomic():
            executed(context, "tests.step", f"attempt {context.attempt}", step)
            context.save_checkpoint(step + 1)
        context.progress(step + 1, total, f"Step {step + 1} of {total}")
    return total - start


@job("tests.flaky", max_attempts=3)
def flaky(context: JobContext, failures: int, database: bool = False) -> int:
    """Fails for a transient reason on its first ``failures`` attempts."""
    executed(context, "tests.attempt", str(context.attempt), context.job_id)
    if context.attempt <= failures:
        if database:
            raise OperationalError("server closed the connection unexpectedly")
        raise TransientError("the remote service is down")
    return context.attempt


@job("tests.broken", max_attempts=5)
def broken(context: JobContext) -> None:
    executed(context, "tests.attempt", str(context.attempt), context.job_id)
    raise ValueError("a bug in the job")


@job("tests.cancellable")
def cancellable(context: JobContext, folder: str) -> str:
    """Reports progress until it is cancelled; ``reached`` in ``folder`` once it runs."""
    (Path(folder) / "reached").write_text("running")
    done = 0
    while True:
        context.progress(done, None, "Working")
        context.stop_if_requested()
        done += 1
        time.sleep(GATE_POLL_SECONDS)


@job("tests.unserialisable")
def unserialisable(context: JobContext) -> object:
    return object()


schedule("tests.record", name="tests.hourly", every=dt.timedelta(hours=1), arguments={"tag": "hourly"})
