"""The worker loop: requeue the jobs of dead workers, enqueue due schedules, claim a job, run it, record
how it ended; and the supervisor that runs several worker processes (``accord worker --processes N``).

A job ends in one of these ways:

- the function returns: ``succeeded``, its return value stored as the result (it must be JSON);
- it raises ``TransientError``, or a database connection or operational error: queued again after an
  exponential backoff with jitter, until its last attempt, which fails it;
- it raises anything else: ``failed`` at once, with the traceback;
- it raises ``JobStopped`` (``context.stop_if_requested``): ``cancelled`` when a user cancelled it,
  otherwise (its worker is shutting down) queued again without counting the attempt;
- its worker dies (SIGKILL, a restart): the lease expires and any worker queues it again; that attempt
  counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)

from accord.jobs import queue, scheduler
from accord.jobs.context import Heartbeat, JobContext, LeaseLost, ThreadedHeartbeat
from accord.jobs.models import Job
from accord.jobs.registry import JobStopped, TransientError, UnknownJob, definition_for, discover

logger = logging.getLogger(__name__)

RETRIED_ERRORS = (TransientError, OperationalError, InterfaceError)


class Worker:
    """One worker: claims and runs jobs one at a time until told to stop (or, with ``burst``, until no job
    is due). ``threaded`` runs the heartbeat on its own thread and connection; without it (the in-process
    ``run_jobs_until_empty``) the lease is renewed whenever the job reports progress."""

    def __init__(
        self,
        *,
        queues: Sequence[str] = (),
        burst: bool = False,
        threaded: bool = True,
        parent_pid: int | None = None,
    ) -> None:
        self.queues = list(queues)
        self.burst = burst
        self.threaded = threaded
        self.parent_pid = parent_pid
        self.worker_id = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.stopping = threading.Event()
        self.executed = 0

    # ----------------------------------------------------------------------------------------- the loop

    def run(self) -> int:
        """Run jobs until stopped; the number of jobs run."""
        scheduler.sync_schedules()  # imports every module that declares jobs first
        poll = float(settings.ACCORD_JOBS_POLL_SECONDS)
        failures = 0
        last_upkeep = -poll
        while not self.stopping.is_set():
            if self.parent_pid is not None and os.getppid() != self.parent_pid:
                break  # the server that started this worker is gone
            try:
                if self.threaded:
                    close_old_connections()
                # At most once per poll interval: between short jobs these writes would double the
                # statements per job (and on SQLite take the write lock even when nothing changes).
                if time.monotonic() - last_upkeep >= poll:
                    queue.requeue_abandoned()
                    scheduler.enqueue_due()
                    last_upkeep = time.monotonic()
                job = queue.claim(self.worker_id, self.queues)
                failures = 0
            except DatabaseError as error:
                if self.burst:
                    raise
                # The database is down or busy: wait longer each time, and keep the worker alive.
                failures += 1
                logger.warning("Worker %s cannot reach the queue: %s", self.worker_id, error)
                connection.close()
                self.stopping.wait(min(poll * 2**failures, 60.0))
                continue
            if job is None:
                if self.burst:
                    break
                self.stopping.wait(poll)
                continue
            self.execute(job)
        return self.executed

    def stop(self) -> None:
        self.stopping.set()

    # ----------------------------------------------------------------------------------------- one job

    def execute(self, job: Job) -> None:
        self.executed += 1
        try:
            definition = definition_for(job.name, job.module)
        except UnknownJob as error:
            queue.finish(job, self.worker_id, status=Job.Status.FAILED, last_error=str(error))
            return
        if job.created_by is not None and not job.created_by.is_active:
            queue.finish(
                job,
                self.worker_id,
                status=Job.Status.FAILED,
                last_error="The user who started this job was disabled: it does not run on their behalf.",
            )
            return
        heartbeat_type = ThreadedHeartbeat if self.threaded else Heartbeat
        heartbeat = heartbeat_type(job, self.worker_id, self.stopping)
        context = JobContext(job, heartbeat)
        heartbeat.start()
        interrupted = False
        try:
            with _savepoint_inside_transaction():
                returned = definition.function(context, **job.arguments)
            outcome = self._succeeded(returned)
        except JobStopped:
            outcome = ("cancelled" if context.is_cancelled else "release", {})
        except KeyboardInterrupt:
            # A second SIGINT/SIGTERM: stop now, and give the job back for another worker.
            interrupted = True
            outcome = ("release", {})
        except LeaseLost:
            outcome = ("lost", {})
        except RETRIED_ERRORS as error:
            if isinstance(error, DatabaseError):
                _reset_connection()
            outcome = self._retried(job, error)
        except Exception:
            outcome = (Job.Status.FAILED, {"last_error": queue.trimmed(traceback.format_exc())})
        finally:
            heartbeat.stop()
        self._record(job, heartbeat, *outcome)
        if interrupted:
            self.stopping.set()
            raise KeyboardInterrupt

    @staticmethod
    def _succeeded(returned: Any) -> tuple[str, dict[str, Any]]:
        try:
            result = json.loads(json.dumps(returned))
        except (TypeError, ValueError) as error:
            return Job.Status.FAILED, {"last_error": f"The job's result is not JSON: {error}"}
        return Job.Status.SUCCEEDED, {"result": result, "last_error": ""}

    @staticmethod
    def _retried(job: Job, error: BaseException) -> tuple[str, dict[str, Any]]:
        text = queue.trimmed(traceback.format_exc())
        if job.attempts >= job.max_attempts:
            return Job.Status.FAILED, {"last_error": text}
        retry_after = getattr(error, "retry_after", None)
        delay = queue.backoff(job.attempts) if retry_after is None else dt.timedelta(seconds=retry_after)
        return "retry", {"error": text, "delay": delay}

    def _record(self, job: Job, heartbeat: Heartbeat, outcome: str, values: dict[str, Any]) -> None:
        if outcome == "lost":
            logger.warning("Job %s was taken over by another worker; its outcome here is dropped.", job.pk)
            return
        progress = heartbeat.take_pending()
        for attempt in range(3):
            try:
                if outcome == "retry":
                    queue.retry_later(
                        job, self.worker_id, error=values["error"], delay=values["delay"], **progress
                    )
                elif outcome == "release":
                    queue.release(job, self.worker_id)
                else:
                    queue.finish(job, self.worker_id, status=outcome, **progress, **values)
                return
            except DatabaseError:
                # The outcome is worth a retry: otherwise the job runs again once its lease expires.
                if attempt == 2 or not self.threaded:
                    raise
                _reset_connection()
                time.sleep(1.0)


@contextlib.contextmanager
def _savepoint_inside_transaction() -> Iterator[None]:
    """A worker runs jobs in autocommit: what a job wrote before it failed stays written. In process,
    inside a test's transaction, the same holds, except after a database error, which rolls back to a
    savepoint so that the transaction stays usable (PostgreSQL refuses every statement after one)."""
    if not connection.in_atomic_block:
        yield
        return
    savepoint = transaction.savepoint()
    try:
        yield
    except DatabaseError:
        transaction.savepoint_rollback(savepoint)
        raise
    except BaseException:
        transaction.savepoint_commit(savepoint)
        raise
    transaction.savepoint_commit(savepoint)


def _reset_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


def run_jobs_until_empty(queues: Sequence[str] = ()) -> int:
    """Run every due job in this process and thread, then return how many ran. For tests and scripts:
    it sees what the caller's connection sees (a test's uncommitted jobs included)."""
    return Worker(queues=queues, burst=True, threaded=False).run()


# ----------------------------------------------------------------------------------------------- processes


def serve_signals(worker: Worker, *, signals: Sequence[signal.Signals]) -> None:
    """First signal: stop claiming and let the running job end. Second: interrupt it (it is given back
    to the queue) and exit."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if worker.stopping.is_set():
            raise KeyboardInterrupt
        worker.stop()
        print(
            f"accord worker {worker.worker_id}: stopping after the current job (signal again to stop now).",
            file=sys.stderr,
            flush=True,
        )

    for signum in signals:
        signal.signal(signum, handle)


def run_worker(
    *,
    queues: Sequence[str],
    burst: bool,
    parent_pid: int | None = None,
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> int:
    """One worker in this process, until SIGTERM/SIGINT (or, with ``burst``, until no job is due)."""
    worker = Worker(queues=queues, burst=burst, parent_pid=parent_pid)
    serve_signals(worker, signals=signals)
    which = ", ".join(queues) if queues else "every queue"
    print(f"accord worker {worker.worker_id}: running jobs of {which}.", file=sys.stderr, flush=True)
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    finally:
        connections.close_all()
    return 0


def _child(queues: Sequence[str], burst: bool) -> None:
    # The supervisor passes SIGTERM on; a Ctrl+C that reaches the whole process group is left to it,
    # so that each child hears of it exactly once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(run_worker(queues=queues, burst=burst, signals=(signal.SIGTERM,)))


def run_processes(*, count: int, queues: Sequence[str], burst: bool) -> int:
    """Fork ``count`` workers and supervise them: a worker that dies is replaced (unless stopping or in
    burst mode); SIGTERM/SIGINT are passed on as SIGTERM. Exit status 1 when a burst worker failed."""
    connections.close_all()  # no child may share the parent's connection
    discover()  # once here, so the children inherit the registered jobs
    context = multiprocessing.get_context("fork")
    stopping = threading.Event()
    status = 0

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_child, args=(list(queues), burst), daemon=False)
        process.start()
        return process

    def forward(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        for process in children:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    children = [start() for _ in range(count)]
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while children:
        for process in list(children):
            if process.is_alive():
                continue
            process.join()
            children.remove(process)
            if process.exitcode != 0:
                status = 1
                if not burst and not stopping.is_set():
                    logger.warning(
                        "Worker process %s ended with %s; starting another.", process.pid, process.exitcode
                    )
                    children.append(start())
        stopping.wait(0.2)
    return status
