"""Real ``accord worker`` processes on the test database (SQLite, and PostgreSQL in its pass): jobs run
after commit, a worker killed mid-job (SIGKILL) leaves a job that another worker resumes, several
workers run each job exactly once, schedules enqueue one run per due time, SIGTERM lets the running
job finish, and a running job can be cancelled."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path
from typing import IO

import pytest
from django.db import transaction
from django.utils import timezone

from accord.access.tests.world import client_for
from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.jobs.models import Job, Schedule
from accord.jobs.scheduler import sync_schedules
from accord.jobs.tests import jobs_for_tests
from accord.jobs.tests.support import (
    GIVE_UP_SECONDS,
    enqueue_in_a_failed_transaction,
    run_worker,
    start_worker,
    wait_for,
)
from accord.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def status_of(job: Job) -> str:
    return Job.objects.get(pk=job.pk).status


def test_a_committed_job_is_run_by_a_burst_worker_process(user: User) -> None:
    # Given one job enqueued in a transaction that committed, and one in a transaction that rolled back
    with transaction.atomic():
        committed = jobs_for_tests.record.enqueue(Actor(user=user, via="web"), tag="committed")
    with pytest.raises(RuntimeError):
        enqueue_in_a_failed_transaction(Actor(user=user, via="web"), "rolled back")

    # When `accord worker --burst` runs
    run_worker()

    # Then the committed job ran once, in that process, and nothing else did
    committed.refresh_from_db()
    assert (committed.status, committed.attempts) == ("succeeded", 1)
    assert committed.result == {"tag": "committed", "attempt": 1, "actor": user.pk, "via": "job"}
    assert list(AuditEntry.objects.filter(action="tests.executed").values_list("object_repr", flat=True)) == [
        "committed"
    ]
    assert Job.objects.count() == 1


def test_a_job_killed_mid_run_is_taken_over_and_resumes_from_its_checkpoint(
    user: User, tmp_path: Path
) -> None:
    # Given a job of 6 steps that blocks before step 3 (steps 0-2 committed with their checkpoint)
    job = jobs_for_tests.steps.using(label="Six steps").enqueue(
        Actor(user=user, via="web"), total=6, folder=str(tmp_path), block_before=3
    )
    first = start_worker()
    wait_for(lambda: (tmp_path / "reached").exists(), "the job to reach its gate")

    # Then while it runs, its progress is readable over the API
    call = client_for(user)
    wait_for(lambda: call("GET", f"/jobs/{job.pk}").json()["progress"]["done"] == 3, "progress 3 of 6")
    running = call("GET", f"/jobs/{job.pk}").json()
    assert (running["status"], running["attempts"], running["progress"]) == (
        "running",
        1,
        {"done": 3, "total": 6, "fraction": 0.5, "message": "Step 3 of 6"},
    )

    # When its worker is killed outright, and, once the lease has expired, another worker runs
    first.send_signal(signal.SIGKILL)
    first.wait(GIVE_UP_SECONDS)
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, lease_expires_at__lt=timezone.now()).exists(),
        "the lease to expire",
    )
    (tmp_path / "release").write_text("go")
    run_worker()

    # Then the job ended on its second attempt, having run steps 3-5 only: each step exactly once
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result, job.checkpoint) == ("succeeded", 2, 3, 6)
    steps = AuditEntry.objects.filter(action="tests.step").order_by("object_id")
    assert [(entry.object_id, entry.object_repr) for entry in steps] == [
        (0, "attempt 1"),
        (1, "attempt 1"),
        (2, "attempt 1"),
        (3, "attempt 2"),
        (4, "attempt 2"),
        (5, "attempt 2"),
    ]
    assert (tmp_path / "reached").read_text() == "2"  # the second attempt started at step 3, at the gate


def test_several_worker_processes_run_each_job_exactly_once(user: User) -> None:
    # Given 60 jobs
    actor = Actor(user=user, via="web")
    jobs = [jobs_for_tests.record.enqueue(actor, tag=str(number)) for number in range(60)]

    # When three worker processes run them
    result = run_worker("--processes", "3")

    # Then each job ran exactly once (one audit entry per execution), and the work was shared
    executed = AuditEntry.objects.filter(action="tests.executed").order_by("object_id")
    assert list(executed.values_list("object_id", flat=True)) == [job.pk for job in jobs]
    assert set(Job.objects.values_list("status", "attempts")) == {("succeeded", 1)}
    assert result.returncode == 0


def test_a_schedule_run_by_two_workers_enqueues_one_run_per_due_time(user: User) -> None:
    # Given the hourly schedule of the test jobs, due now
    sync_schedules()
    due = timezone.now() - dt.timedelta(seconds=1)
    Schedule.objects.filter(name="tests.hourly").update(next_run_at=due)

    # When two worker processes run at once
    run_worker("--processes", "2")

    # Then one job was enqueued and run for that due time, and the next run is an hour later
    hourly = Schedule.objects.get(name="tests.hourly")
    jobs = Job.objects.filter(name="tests.record")
    assert [(job.status, job.arguments, job.created_by_id) for job in jobs] == [
        ("succeeded", {"tag": "hourly"}, None)
    ]
    assert hourly.last_job_id == jobs[0].pk
    assert hourly.next_run_at == due + dt.timedelta(hours=1)
    assert AuditEntry.objects.filter(action="tests.executed").count() == 1


def test_sigterm_lets_the_running_job_finish_then_the_worker_exits(user: User, tmp_path: Path) -> None:
    # Given a worker running a job that waits at its gate, and a second job queued
    job = jobs_for_tests.steps.enqueue(
        Actor(user=user, via="web"), total=2, folder=str(tmp_path), block_before=1
    )
    queued = jobs_for_tests.record.using(run_after=timezone.now() + dt.timedelta(seconds=1)).enqueue(
        Actor(user=user, via="web"), tag="left for later"
    )
    worker = start_worker()
    wait_for(lambda: (tmp_path / "reached").exists(), "the job to reach its gate")

    # When the worker is asked to stop, and the job is then released
    worker.send_signal(signal.SIGTERM)
    (tmp_path / "release").write_text("go")
    code = worker.wait(GIVE_UP_SECONDS)

    # Then the running job finished, the worker exited cleanly without taking the other job
    assert code == 0
    assert (status_of(job), status_of(queued)) == ("succeeded", "queued")


def test_a_second_sigterm_gives_the_running_job_back_to_the_queue(user: User, tmp_path: Path) -> None:
    job = jobs_for_tests.steps.enqueue(
        Actor(user=user, via="web"), total=2, folder=str(tmp_path), block_before=1
    )
    worker = start_worker()
    wait_for(lambda: (tmp_path / "reached").exists(), "the job to reach its gate")

    worker.send_signal(signal.SIGTERM)
    assert worker.stderr is not None
    assert "stopping after the current job" in _line_after(worker.stderr, "running jobs of every queue")
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(GIVE_UP_SECONDS)

    job.refresh_from_db()
    assert code == 0
    assert (job.status, job.attempts, job.worker_id, job.checkpoint) == ("queued", 0, "", 1)


def _line_after(stream: IO[str], first: str) -> str:
    """The line the worker writes after the one containing ``first`` (it announces each step)."""
    while first not in (line := stream.readline()):
        assert line, f"the worker ended before writing {first!r}"
    return stream.readline()


def test_a_running_job_is_cancelled_over_the_api(user: User, tmp_path: Path) -> None:
    job = jobs_for_tests.cancellable.enqueue(Actor(user=user, via="web"), folder=str(tmp_path))
    worker = start_worker()
    try:
        wait_for(lambda: (tmp_path / "reached").exists(), "the job to start")

        response = client_for(user)("POST", f"/jobs/{job.pk}/cancel")

        assert (response.status_code, response.json()["status"]) == (200, "running")
        wait_for(lambda: status_of(job) == "cancelled", "the job to stop")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(GIVE_UP_SECONDS) == 0
    job.refresh_from_db()
    assert (job.cancel_requested_at is not None, job.finished_at is not None, job.progress_message) == (
        True,
        True,
        "Working",
    )
