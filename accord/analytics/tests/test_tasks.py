"""The refresh as a background job: queued through the API's service, run by a real worker loop, and
declared to run every night."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.analytics.models import AnalyticsRun, ContactScore
from accord.analytics.tasks import NIGHTLY_AT, refresh_enqueue
from accord.analytics.tests.history import ANALYSIS_DATE, simulated_shop
from accord.core.actors import Actor
from accord.jobs.models import Job
from accord.jobs.registry import declared_schedules
from accord.jobs.worker import run_jobs_until_empty
from accord.web.tests.builders import make_user

pytestmark = pytest.mark.django_db


def test_the_job_refreshes_the_scores_with_progress() -> None:
    # Given a shop and a refresh queued by a sales manager
    simulated_shop(250)
    manager = make_user("manager", "sales_manager")
    queued = refresh_enqueue(actor=Actor(user=manager, via="api"), analysis_date=ANALYSIS_DATE)
    # When a worker runs what is due
    assert run_jobs_until_empty() == 1
    # Then the job succeeded with the run it made, and the scores are that run's
    queued.refresh_from_db()
    run = AnalyticsRun.objects.get()
    assert (queued.status, queued.result) == (
        Job.Status.SUCCEEDED,
        {"run": run.pk, "customers": run.customers, "analysis_date": "2025-06-30"},
    )
    assert (run.status, run.created_by_id) == (AnalyticsRun.Status.SUCCEEDED, manager.pk)
    assert set(ContactScore.objects.values_list("run_id", flat=True)) == {run.pk}
    assert (queued.progress_done, queued.progress_total, queued.progress_message) == (5, 5, "Done")


def test_a_job_whose_data_cannot_be_analysed_fails_with_the_reason() -> None:
    refresh_enqueue(actor=Actor(user=make_user("boss", "administrator")), analysis_date=ANALYSIS_DATE)
    run_jobs_until_empty()
    failed = Job.objects.get()
    assert failed.status == Job.Status.FAILED
    assert "there is nothing to analyse yet" in failed.last_error
    assert AnalyticsRun.objects.get().status == AnalyticsRun.Status.FAILED


def test_the_refresh_runs_every_night() -> None:
    nightly = [declared for declared in declared_schedules() if declared.job_name == "analytics.refresh"]
    assert [(declared.every, declared.at) for declared in nightly] == [(dt.timedelta(days=1), NIGHTLY_AT)]
