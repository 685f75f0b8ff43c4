"""The queue's own scheduled job: pruning what is no longer needed, every night."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from accord.core import idempotency
from accord.jobs.context import JobContext
from accord.jobs.models import Job
from accord.jobs.registry import job, schedule

# Deleted a batch at a time, so each transaction is short (SQLite has one writer).
PRUNE_BATCH = 1000


@job("jobs.prune", label="Prune finished jobs and expired idempotency keys")
def prune(context: JobContext) -> dict[str, int]:
    """Delete jobs finished more than ``ACCORD_JOBS_PRUNE_AFTER_DAYS`` ago, and expired idempotency keys."""
    now = timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCORD_JOBS_PRUNE_AFTER_DAYS)
    old_jobs = Job.objects.filter(status__in=Job.FINISHED, finished_at__lt=cutoff)
    jobs = 0
    while True:
        batch = list(old_jobs.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            break
        jobs += Job.objects.filter(pk__in=batch).delete()[0]
        context.progress(jobs, message="Deleting finished jobs")
    keys = idempotency.delete_expired(now)
    return {"jobs": jobs, "idempotency_keys": keys}


schedule("jobs.prune", every=dt.timedelta(days=1), at=dt.time(3, 0))
