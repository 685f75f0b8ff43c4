"""Writes of jobs by people: cancelling. (Workers change jobs through accord.jobs.queue.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import Conflict
from accord.jobs.models import Job
from accord.jobs.selectors import job_get


def job_cancel(*, actor: Actor, job_id: int) -> Job:
    """Cancel a job the actor may see (404 otherwise; 409 once it has ended).

    A queued job is cancelled at once. A running one gets a cancellation request: the job sees it
    (``context.should_stop()``) and ends ``cancelled`` when it stops; one that finishes its work first
    ends ``succeeded``. Both updates are conditional on the status read, so a worker that claims or
    ends the job meanwhile is not overwritten: the request is then checked again.
    """
    with transaction.atomic():
        for _ in range(3):
            job = job_get(actor=actor, job_id=job_id)
            if job.is_finished:
                raise Conflict(f"Job {job_id} has already ended ({job.get_status_display().lower()}).")
            if job.status == Job.Status.RUNNING and job.cancel_requested_at is not None:
                return job  # asked already; the job has not stopped yet
            now = timezone.now()
            changes: dict[str, tuple[object, object]] = {"cancel_requested": (False, True)}
            if job.status == Job.Status.QUEUED:
                changed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
                    status=Job.Status.CANCELLED, finished_at=now, cancel_requested_at=now
                )
                changes["status"] = (Job.Status.QUEUED, Job.Status.CANCELLED)
            else:
                changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                    cancel_requested_at=now
                )
            if changed:
                audit_write(actor=actor, action="cancel", instance=job, changes=changes)
                job.refresh_from_db()
                return job
    raise Conflict(f"Job {job_id} changed while it was being cancelled; try again.")
