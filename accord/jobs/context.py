"""What a running job sees (``JobContext``) and the heartbeat that keeps its lease while it runs."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import DatabaseError, connection

from accord.core.actors import Actor
from accord.jobs import queue
from accord.jobs.models import Job
from accord.jobs.registry import JobStopped

logger = logging.getLogger(__name__)

# Progress is written at most this often: a few writes a second whatever the job reports.
PROGRESS_INTERVAL = 0.4
# How often a running job's worker looks for a cancellation request.
CANCEL_CHECK_INTERVAL = 0.5


class LeaseLost(Exception):
    """The worker no longer holds the job (its lease expired and another worker took it over): the job
    must not write its checkpoint, so the transaction around the batch rolls back."""


class Heartbeat:
    """Renews the lease, writes reported progress and reads cancellation requests, on the calling
    thread, whenever the job reports progress or asks whether to stop. Used as is by
    ``run_jobs_until_empty`` (tests, scripts); workers use ``ThreadedHeartbeat``."""

    def __init__(self, job: Job, worker_id: str, stopping: threading.Event) -> None:
        self.job = job
        self.worker_id = worker_id
        self.stopping = stopping
        self.cancelled = threading.Event()
        self.lost = False
        self._lock = threading.Lock()
        self._pending: dict[str, Any] | None = None
        self._last_write = 0.0
        self._last_renewal = time.monotonic()
        self._last_cancel_check = 0.0

    def report(self, progress: dict[str, Any]) -> None:
        with self._lock:
            self._pending = progress
        if time.monotonic() - self._last_write >= PROGRESS_INTERVAL:
            self.beat()

    def should_stop(self) -> bool:
        if time.monotonic() - self._last_cancel_check >= CANCEL_CHECK_INTERVAL:
            self.check_cancel()
        return self.cancelled.is_set() or self.stopping.is_set()

    def take_pending(self) -> dict[str, Any]:
        """The progress reported but not written yet (written with the job's end)."""
        with self._lock:
            pending, self._pending = self._pending, None
        return pending or {}

    def beat(self) -> None:
        """Write pending progress, and renew the lease when a third of it has passed."""
        now = time.monotonic()
        pending = self.take_pending()
        if not pending and now - self._last_renewal < queue.lease_seconds() / 3:
            return
        if not queue.renew(self.job, self.worker_id, pending):
            self.lost = True
        self._last_write = self._last_renewal = now

    def check_cancel(self) -> None:
        self._last_cancel_check = time.monotonic()
        if queue.cancel_requested(self.job):
            self.cancelled.set()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class ThreadedHeartbeat(Heartbeat):
    """The heartbeat on a thread of its own with its own database connection, so the lease is renewed
    while the job function computes or waits, and progress is written outside the job's transactions."""

    def __init__(self, job: Job, worker_id: str, stopping: threading.Event) -> None:
        super().__init__(job, worker_id, stopping)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job.pk}", daemon=True)

    def report(self, progress: dict[str, Any]) -> None:
        with self._lock:
            self._pending = progress

    def should_stop(self) -> bool:
        return self.cancelled.is_set() or self.stopping.is_set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        tick = min(PROGRESS_INTERVAL, queue.lease_seconds() / 6)
        try:
            while not self._done.wait(tick):
                try:
                    self.beat()
                    self.check_cancel()
                except DatabaseError as error:
                    # A busy or briefly unreachable database: the next tick tries again, within the lease.
                    logger.warning("Heartbeat of job %s failed: %s", self.job.pk, error)
                    connection.close()
        finally:
            connection.close()


class JobContext:
    """Given to a job function as its first argument.

    ``actor`` is the user who enqueued the job, acting through the ``job`` channel (services check their
    rights as for any other write). ``checkpoint`` is what the job saved before a crash or a restart
    (None on a fresh start): a job that saves one in the same transaction as each batch resumes after
    the last committed batch.
    """

    def __init__(self, job: Job, heartbeat: Heartbeat) -> None:
        self.job_id: int = job.pk
        self.name = job.name
        self.attempt: int = job.attempts
        self.max_attempts: int = job.max_attempts
        self.actor = Actor(user=job.created_by, via="job")
        self.checkpoint: Any = job.checkpoint
        self._heartbeat = heartbeat

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress; pages and the API read it. Cheap to call often: writes are throttled."""
        self._heartbeat.report(
            {"progress_done": done, "progress_total": total, "progress_message": message[:300]}
        )

    def should_stop(self) -> bool:
        """True once the job was cancelled or its worker is shutting down: a long job checks it between
        batches, and stops (``stop_if_requested``) after saving its checkpoint."""
        return self._heartbeat.should_stop()

    @property
    def is_cancelled(self) -> bool:
        return self._heartbeat.cancelled.is_set()

    def stop_if_requested(self) -> None:
        if self.should_stop():
            raise JobStopped("cancelled" if self.is_cancelled else "worker shutting down")

    def save_checkpoint(self, value: Any) -> None:
        """Store where to resume, on the job's connection: called inside the transaction that writes a
        batch, it commits or rolls back with that batch. Raises ``LeaseLost`` when another worker has
        taken the job over, which rolls that transaction back."""
        held = Job.objects.filter(
            pk=self.job_id, worker_id=self._heartbeat.worker_id, status=Job.Status.RUNNING
        )
        if not held.update(checkpoint=value):
            raise LeaseLost(f"Job {self.job_id} is no longer held by this worker.")
        self.checkpoint = value
