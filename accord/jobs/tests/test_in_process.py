"""Enqueue on commit, retries, failures and results, run in process with ``run_jobs_until_empty``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.jobs import queue
from accord.jobs.models import Job
from accord.jobs.tests import jobs_for_tests
from accord.jobs.tests.support import enqueue_in_a_failed_transaction
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User

pytestmark = pytest.mark.django_db


def executions(action: str = "tests.executed") -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_an_enqueued_job_runs_as_its_user_and_stores_its_result(user: User) -> None:
    # Given a job enqueued by a user
    job = jobs_for_tests.record.enqueue(Actor(user=user, via="web"), tag="hello")

    # When the queue is run
    ran = run_jobs_until_empty()

    # Then it ran once, as that user through the job channel, and succeeded with its result
    job.refresh_from_db()
    assert ran == 1
    assert (job.status, job.attempts, job.result, job.last_error) == (
        "succeeded",
        1,
        {"tag": "hello", "attempt": 1, "actor": user.pk, "via": "job"},
        "",
    )
    entry = AuditEntry.objects.get(action="tests.executed")
    assert (entry.actor_id, entry.via) == (user.pk, "job")
    assert job.finished_at is not None
    assert job.started_at is not None
    assert (job.worker_id, job.lease_expires_at) == ("", None)


@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_in_a_transaction_that_rolls_back_never_exists(user: User) -> None:
    # Given a job enqueued inside a transaction that then fails
    with pytest.raises(RuntimeError):
        enqueue_in_a_failed_transaction(Actor(user=user, via="web"), "rolled back")

    # When the queue is run
    ran = run_jobs_until_empty()

    # Then there was nothing to run
    assert (ran, Job.objects.count(), executions()) == (0, 0, 0)


def test_enqueue_rejects_arguments_that_are_not_json(user: User) -> None:
    with pytest.raises(TypeError):
        jobs_for_tests.record.enqueue(Actor(user=user, via="web"), tag=object())
    assert Job.objects.count() == 0


def test_using_sets_queue_priority_label_and_run_after(user: User) -> None:
    later = timezone.now() + dt.timedelta(hours=1)
    job = jobs_for_tests.record.using(queue="bulk", priority=5, run_after=later, label="Tagging").enqueue(
        Actor(user=user, via="web"), tag="x"
    )
    assert (job.queue, job.priority, job.run_after, job.label, job.max_attempts) == (
        "bulk",
        5,
        later,
        "Tagging",
        3,
    )
    # A job due later does not run now
    assert run_jobs_until_empty() == 0


def test_higher_priority_runs_first_then_oldest_and_queues_are_respected(user: User) -> None:
    actor = Actor(user=user, via="web")
    first = jobs_for_tests.record.enqueue(actor, tag="first")
    urgent = jobs_for_tests.record.using(priority=10).enqueue(actor, tag="urgent")
    other_queue = jobs_for_tests.record.using(queue="bulk").enqueue(actor, tag="bulk")
    second = jobs_for_tests.record.enqueue(actor, tag="second")

    assert run_jobs_until_empty(queues=["default"]) == 3

    order = list(
        AuditEntry.objects.filter(action="tests.executed").order_by("id").values_list("object_id", flat=True)
    )
    assert order == [urgent.pk, first.pk, second.pk]
    other_queue.refresh_from_db()
    assert other_queue.status == "queued"
    assert run_jobs_until_empty(queues=["bulk"]) == 1


def test_transient_errors_retry_with_growing_delays_then_fail_after_max_attempts(user: User) -> None:
    # Given a job that always fails for a transient reason, with 3 attempts
    job = jobs_for_tests.flaky.enqueue(Actor(user=user, via="web"), failures=99)
    delays = []

    # When each retry is run once it is due
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for attempt in (1, 2):
            assert run_jobs_until_empty() == 1
            job.refresh_from_db()
            assert (job.status, job.attempts) == ("queued", attempt)
            assert "TransientError: the remote service is down" in job.last_error
            delays.append(job.run_after - timezone.now())
            assert run_jobs_until_empty() == 0  # not due yet
            traveller.move_to(job.run_after)
        assert run_jobs_until_empty() == 1

    # Then the delays grew (base 10 s doubled, plus jitter under the doubling) and the third attempt failed it
    base = dt.timedelta(seconds=10)
    assert base <= delays[0] < 1.5 * base
    assert 2 * base <= delays[1] < 3 * base
    job.refresh_from_db()
    assert (job.status, job.attempts, executions("tests.attempt")) == ("failed", 3, 3)
    assert job.last_error.rstrip().endswith("TransientError: the remote service is down")
    assert job.finished_at is not None


def test_a_database_operational_error_is_retried_like_a_transient_one(user: User) -> None:
    job = jobs_for_tests.flaky.enqueue(Actor(user=user, via="web"), failures=1, database=True)

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        run_jobs_until_empty()
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("queued", 1)
        assert "OperationalError: server closed the connection unexpectedly" in job.last_error
        traveller.move_to(job.run_after)
        run_jobs_until_empty()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("succeeded", 2, 2)


def test_any_other_error_fails_at_once_with_its_traceback(user: User) -> None:
    job = jobs_for_tests.broken.enqueue(Actor(user=user, via="web"))

    run_jobs_until_empty()

    job.refresh_from_db()
    assert (job.status, job.attempts, executions("tests.attempt")) == ("failed", 1, 1)
    assert job.last_error.startswith("Traceback (most recent call last):")
    assert 'in broken\n    raise ValueError("a bug in the job")' in job.last_error
    assert job.last_error.rstrip().endswith("ValueError: a bug in the job")


def test_a_result_that_is_not_json_fails_the_job(user: User) -> None:
    job = jobs_for_tests.unserialisable.enqueue(Actor(user=user, via="web"))
    run_jobs_until_empty()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.last_error.startswith("The job's result is not JSON: Object of type object")


def test_an_unknown_job_fails_without_running(user: User) -> None:
    job = Job.objects.create(name="tests.vanished", module="accord.nowhere", created_by=user)
    run_jobs_until_empty()
    job.refresh_from_db()
    assert (job.status, job.last_error) == (
        "failed",
        "No job is registered as 'tests.vanished' (module accord.nowhere).",
    )


def test_a_disabled_users_job_does_not_run_on_their_behalf(user: User) -> None:
    job = jobs_for_tests.record.enqueue(Actor(user=user, via="web"), tag="x")
    User.objects.filter(pk=user.pk).update(is_active=False)
    run_jobs_until_empty()
    job.refresh_from_db()
    assert (job.status, executions()) == ("failed", 0)
    assert "was disabled" in job.last_error


def test_a_running_job_whose_lease_expired_is_queued_again_and_its_attempt_counts(user: User) -> None:
    # Given a job claimed by a worker that then died (it never renewed its lease)
    job = jobs_for_tests.record.enqueue(Actor(user=user, via="web"), tag="x")
    claimed = queue.claim("dead-worker", [])
    assert claimed is not None
    assert claimed.pk == job.pk

    # When the lease has expired and the queue is run
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert run_jobs_until_empty() == 1

    # Then it ran to the end on its second attempt
    job.refresh_from_db()
    assert (job.status, job.attempts, executions()) == ("succeeded", 2, 1)
    assert job.result == {"tag": "x", "attempt": 2, "actor": user.pk, "via": "job"}


def test_a_dead_workers_job_on_its_last_attempt_fails(user: User) -> None:
    job = jobs_for_tests.record.using().enqueue(Actor(user=user, via="web"), tag="x")
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    queue.claim("dead-worker", [])
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert run_jobs_until_empty() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == ("failed", 1, queue.LOST_WORKER_ERROR)


def test_a_checkpointed_job_reports_progress_and_resumes_from_its_checkpoint(user: User, tmp_path) -> None:
    # Given a job of 5 steps that had committed 3 (checkpoint 3) when its worker died
    job = jobs_for_tests.steps.enqueue(Actor(user=user, via="web"), total=5, folder=str(tmp_path))
    Job.objects.filter(pk=job.pk).update(checkpoint=3, attempts=1)

    # When it runs again
    run_jobs_until_empty()

    # Then only steps 3 and 4 ran, and the final progress is stored
    job.refresh_from_db()
    steps = AuditEntry.objects.filter(action="tests.step").order_by("object_id")
    assert [(entry.object_id, entry.object_repr) for entry in steps] == [(3, "attempt 2"), (4, "attempt 2")]
    assert (job.status, job.result, job.checkpoint) == ("succeeded", 2, 5)
    assert (job.progress_done, job.progress_total, job.progress_message) == (5, 5, "Step 5 of 5")
    assert job.progress_fraction == 1.0


@pytest.mark.parametrize("count", ["0", "65", "two"])
def test_worker_refuses_a_bad_process_count(capsys: pytest.CaptureFixture[str], count: str) -> None:
    from accord.cli import main

    assert main(["worker", "--processes", count]) == 2
    assert (
        f"argument --processes: '{count}' is not a whole number between 1 and 64" in capsys.readouterr().err
    )
