"""The queue's state changes, each one statement: claim, renew, requeue the jobs of dead workers, finish.

Every change of a running job is conditional on the worker still holding it (``worker_id`` and
``status=running``), so a worker that lost its lease (paused for longer than the lease, then woke up)
cannot overwrite what the worker that took the job over wrote.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from accord.jobs.models import Job

# Tracebacks are kept for people to read; the end of one says what failed.
MAX_ERROR_LENGTH = 8000
LOST_WORKER_ERROR = "The worker running this job stopped (killed, or its machine restarted) before it ended."


def lease_seconds() -> float:
    return float(settings.ACCORD_JOBS_LEASE_SECONDS)


def trimmed(error: str) -> str:
    return error if len(error) <= MAX_ERROR_LENGTH else "…" + error[-MAX_ERROR_LENGTH + 1 :]


def backoff(attempt: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempt`` failed: base × 2^(attempt − 1), capped, plus up to
    half of it again at random so that jobs that failed together do not all retry together. The jitter
    stays under the doubling, so each delay is longer than the one before (until the cap)."""
    base = float(settings.ACCORD_JOBS_BACKOFF_BASE_SECONDS)
    delay = min(base * 2 ** (attempt - 1), float(settings.ACCORD_JOBS_BACKOFF_MAX_SECONDS))
    return dt.timedelta(seconds=delay * (1 + random.random() / 2))


def claim(worker_id: str, queues: Sequence[str]) -> Job | None:
    """Take the next due job of ``queues`` for this worker, or None when there is none.

    One statement: ``UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING id``. On PostgreSQL the inner
    select locks its row with ``FOR UPDATE SKIP LOCKED``, so concurrent workers each take a different
    job without waiting; on SQLite (3.35+ for RETURNING) writers are serialised, and the repeated
    ``status`` condition keeps the update conditional all the same.
    """
    now = timezone.now()
    operations = connection.ops
    table = operations.quote_name(Job._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    in_queues = f"AND queue IN ({', '.join(['%s'] * len(queues))}) " if queues else ""
    sql = (
        f"UPDATE {table} SET status = 'running', attempts = attempts + 1, worker_id = %s, "
        "lease_expires_at = %s, started_at = COALESCE(started_at, %s) "
        f"WHERE status = 'queued' AND id = (SELECT id FROM {table} WHERE status = 'queued' "
        f"{in_queues}AND run_after <= %s ORDER BY priority DESC, run_after, id LIMIT 1{lock}) "
        "RETURNING id"
    )
    lease_end = now + dt.timedelta(seconds=lease_seconds())
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                worker_id,
                operations.adapt_datetimefield_value(lease_end),
                operations.adapt_datetimefield_value(now),
                *queues,
                operations.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Job.objects.select_related("created_by").get(pk=row[0])


def requeue_abandoned() -> int:
    """Jobs whose lease expired (their worker died) go back to the queue, or fail when that was their
    last attempt. Any worker may run this at any time; each row changes once."""
    now = timezone.now()
    expired = Job.objects.filter(status=Job.Status.RUNNING, lease_expires_at__lt=now)
    common: dict[str, Any] = {"worker_id": "", "lease_expires_at": None, "last_error": LOST_WORKER_ERROR}
    failed = expired.filter(attempts__gte=F("max_attempts")).update(
        status=Job.Status.FAILED, finished_at=now, **common
    )
    queued = expired.update(status=Job.Status.QUEUED, run_after=now, **common)
    return failed + queued


def _held(job: Job, worker_id: str) -> QuerySet[Job]:
    return Job.objects.filter(pk=job.pk, worker_id=worker_id, status=Job.Status.RUNNING)


def renew(job: Job, worker_id: str, progress: dict[str, Any] | None = None) -> bool:
    """Extend the lease (and store the latest progress); False when the worker no longer holds the job."""
    values: dict[str, Any] = {"lease_expires_at": timezone.now() + dt.timedelta(seconds=lease_seconds())}
    values.update(progress or {})
    return bool(_held(job, worker_id).update(**values))


def cancel_requested(job: Job) -> bool:
    return Job.objects.filter(pk=job.pk, cancel_requested_at__isnull=False).exists()


def finish(job: Job, worker_id: str, *, status: str, **values: Any) -> bool:
    """End the job with ``status`` (succeeded, failed, cancelled); False when it was no longer ours."""
    return bool(
        _held(job, worker_id).update(
            status=status, finished_at=timezone.now(), worker_id="", lease_expires_at=None, **values
        )
    )


def retry_later(job: Job, worker_id: str, *, error: str, delay: dt.timedelta, **values: Any) -> bool:
    return bool(
        _held(job, worker_id).update(
            status=Job.Status.QUEUED,
            run_after=timezone.now() + delay,
            worker_id="",
            lease_expires_at=None,
            last_error=trimmed(error),
            **values,
        )
    )


def release(job: Job, worker_id: str) -> bool:
    """Give the job back untouched (its worker is shutting down): the attempt does not count."""
    return bool(
        _held(job, worker_id).update(
            status=Job.Status.QUEUED,
            run_after=timezone.now(),
            attempts=F("attempts") - 1,
            worker_id="",
            lease_expires_at=None,
        )
    )
