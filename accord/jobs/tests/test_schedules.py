"""Schedules: due times, the mirror of the declarations, one enqueue per due time, and the nightly prune."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.models import IdempotencyKey
from accord.jobs.models import Job, Schedule
from accord.jobs.registry import schedule
from accord.jobs.scheduler import enqueue_due, first_run, following_run, sync_schedules
from accord.jobs.tests import jobs_for_tests
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User

UTC = dt.UTC
DAY = dt.timedelta(days=1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2025-03-10T02:59:59", "2025-03-10T03:00:00"),  # later today
        ("2025-03-10T03:00:00", "2025-03-11T03:00:00"),  # exactly now: the next one
        ("2025-03-10T15:00:00", "2025-03-11T03:00:00"),  # tomorrow
    ],
)
def test_a_daily_schedule_first_runs_at_its_next_time_of_day(now: str, expected: str) -> None:
    assert first_run(DAY, dt.time(3, 0), at(now)) == at(expected)


def test_an_interval_schedule_first_runs_one_period_from_now() -> None:
    assert first_run(dt.timedelta(minutes=5), None, at("2025-03-10T15:00:00")) == at("2025-03-10T15:05:00")


def test_missed_runs_are_not_caught_up_one_by_one() -> None:
    # A worker-less weekend: the run due Saturday 03:00 is enqueued on Monday 09:00, and the next is Tuesday's
    assert following_run(at("2025-03-08T03:00:00"), DAY, dt.time(3, 0), at("2025-03-10T09:00:00")) == at(
        "2025-03-11T03:00:00"
    )
    assert following_run(
        at("2025-03-10T15:00:00"), dt.timedelta(hours=1), None, at("2025-03-10T15:00:00")
    ) == at("2025-03-10T16:00:00")


def test_a_daily_schedule_keeps_its_local_time_across_a_daylight_saving_change(settings) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        # Paris moved to summer time on 2025-03-30: 03:00 local is 02:00 UTC before, 01:00 UTC after
        assert following_run(at("2025-03-29T02:00:00"), DAY, dt.time(3, 0), at("2025-03-29T02:00:00")) == at(
            "2025-03-30T01:00:00"
        )


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="whole number of days"):
        schedule("tests.record", every=dt.timedelta(hours=5), at=dt.time(3, 0))
    with pytest.raises(ValueError, match="at most once a second"):
        schedule("tests.record", every=dt.timedelta(0))


@pytest.mark.django_db
def test_sync_mirrors_the_declarations_and_keeps_due_times_until_a_declaration_changes() -> None:
    # Given a stale row for a schedule no longer declared
    Schedule.objects.create(
        name="gone", job_name="gone", module="accord.gone", every_seconds=60, next_run_at=timezone.now()
    )
    with time_machine.travel(at("2025-03-10T15:00:00"), tick=False):
        sync_schedules()
    prune = Schedule.objects.get(name="jobs.prune")
    hourly = Schedule.objects.get(name="tests.hourly")
    assert not Schedule.objects.filter(name="gone").exists()
    assert (prune.job_name, prune.module, prune.every_seconds, prune.at, prune.next_run_at) == (
        "jobs.prune",
        "accord.jobs.tasks",
        86400,
        dt.time(3, 0),
        at("2025-03-11T03:00:00"),
    )
    assert (hourly.arguments, hourly.next_run_at) == ({"tag": "hourly"}, at("2025-03-10T16:00:00"))

    # When workers start again later, the due times stay; a changed declaration starts over
    with time_machine.travel(at("2025-03-10T15:30:00"), tick=False):
        sync_schedules()
        assert Schedule.objects.get(name="tests.hourly").next_run_at == at("2025-03-10T16:00:00")
        Schedule.objects.filter(name="tests.hourly").update(every_seconds=7200)
        sync_schedules()
        assert Schedule.objects.get(name="tests.hourly").next_run_at == at("2025-03-10T16:30:00")


@pytest.mark.django_db
def test_a_due_schedule_enqueues_one_job_and_moves_on() -> None:
    with time_machine.travel(at("2025-03-10T15:00:00"), tick=False) as traveller:
        sync_schedules()
        assert enqueue_due() == 0
        traveller.move_to(at("2025-03-10T16:00:01"))
        assert (enqueue_due(), enqueue_due()) == (1, 0)

    job = Job.objects.get(name="tests.record")
    hourly = Schedule.objects.get(name="tests.hourly")
    assert (job.arguments, job.created_by_id, job.label) == (
        {"tag": "hourly"},
        None,
        "Scheduled: tests.hourly",
    )
    assert (hourly.last_job_id, hourly.next_run_at) == (job.pk, at("2025-03-10T17:00:00"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_each_due_run_once() -> None:
    # Given a due schedule and four threads (each with its own connection) enqueueing at once
    sync_schedules()
    Schedule.objects.filter(name="tests.hourly").update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            counts.append(enqueue_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == [0, 0, 0, 1]
    assert Job.objects.filter(name="tests.record").count() == 1


@pytest.mark.django_db
def test_prune_deletes_old_finished_jobs_and_expired_idempotency_keys(user: User, settings) -> None:
    # Given finished jobs of 40 and 10 days ago, a queued job of 40 days ago, and an old idempotency key
    settings.ACCORD_JOBS_PRUNE_AFTER_DAYS = 30
    now = timezone.now()
    actor = Actor(user=user, via="web")
    old, recent, waiting = (jobs_for_tests.record.enqueue(actor, tag=str(number)) for number in range(3))
    Job.objects.filter(pk=old.pk).update(status="succeeded", finished_at=now - dt.timedelta(days=40))
    Job.objects.filter(pk=recent.pk).update(status="failed", finished_at=now - dt.timedelta(days=10))
    Job.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(days=40), run_after=now + DAY)
    IdempotencyKey.objects.create(user=user, key="old", request_fingerprint="x", claimed_at=now - 2 * DAY)
    IdempotencyKey.objects.create(user=user, key="new", request_fingerprint="x", claimed_at=now)

    # When the nightly prune runs
    sync_schedules()
    Schedule.objects.filter(name="jobs.prune").update(next_run_at=now)
    run_jobs_until_empty()

    # Then the old finished job and the expired key are gone, and the prune job says so
    prune = Job.objects.get(name="jobs.prune")
    assert (prune.status, prune.result) == ("succeeded", {"jobs": 1, "idempotency_keys": 1})
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk, prune.pk}
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
