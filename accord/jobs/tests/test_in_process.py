"""Enqueue on commit, retries, failures and results, run in process with ``run_jobs_until_empty``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.models import AuditEntry
from accord.jobs import queue
from accord.jobs.models import Job
from accord.jobs.tests import jobs_for_tests
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
    assert job.finished_at is not None and job.started_at is not None
    assert (job.worker_id, job.lease_expires_at) == ("", None)
