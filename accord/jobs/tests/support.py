"""Starting real worker processes on the test database, and waiting for what they do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection, transaction

from accord.core.actors import Actor
from accord.jobs.tests import jobs_for_tests

ROOT = Path(__file__).resolve().parents[3]
# Short leases and polls, so a test waits a second or two for a dead worker's job, not a minute.
LEASE_SECONDS = "2"
# A safety net against a hung test, never a measure: every wait below normally ends in well under a second.
GIVE_UP_SECONDS = 120


def worker_environment(**extra: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "accord.jobs.tests.worker_settings",
        "ACCORD_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "ACCORD_JOBS_MODULES": "accord.jobs.tests.jobs_for_tests",
        "ACCORD_JOBS_LEASE_SECONDS": LEASE_SECONDS,
        "ACCORD_JOBS_POLL_SECONDS": "0.1",
        "ACCORD_JOBS_BACKOFF_BASE_SECONDS": "0.2",
    }
    environment.update(extra)
    return environment


def start_worker(*arguments: str) -> subprocess.Popen[str]:
    """``accord worker ARGUMENTS`` in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "worker", *arguments],
        cwd=ROOT,
        env=worker_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_worker(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``accord worker --burst ARGUMENTS`` to its end."""
    result = subprocess.run(
        [sys.executable, "-m", "accord.cli", "worker", "--burst", *arguments],
        cwd=ROOT,
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}.")
        time.sleep(0.05)


def enqueue_in_a_failed_transaction(actor: Actor, tag: str) -> None:
    """Enqueue a job, then fail the transaction it was enqueued in (RuntimeError)."""
    with transaction.atomic():
        jobs_for_tests.record.enqueue(actor, tag=tag)
        raise RuntimeError("the request failed after enqueueing")
