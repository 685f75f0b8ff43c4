"""Starting imports and reverts as background jobs (the web pages' writes).

Each function creates or checks the run through the writer's services (permissions, validation, audit)
and enqueues its job in the same transaction, so the job exists exactly when the run does and a worker
only sees it once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.errors import ValidationFailed
from accord.imports import storage
from accord.imports.models import ImportRun
from accord.imports.services import import_run_create
from accord.imports.storage import StoredUpload
from accord.imports.tasks import revert_import, run_import
from accord.jobs.models import Job

ACTIVE_JOB = (Job.Status.QUEUED, Job.Status.RUNNING)


def _enqueue(actor: Actor, run: ImportRun) -> None:
    label = f"{'Dry run' if run.is_dry_run else 'Import'} of {run.kind} from {run.file_name}"
    run.job = run_import.using(label=label).enqueue(actor, run_id=run.pk)
    run.updated_at = timezone.now()
    run.save(update_fields=["stored_file", "job", "updated_at"])


@transaction.atomic
def import_run_start(
    *,
    actor: Actor,
    upload: StoredUpload,
    mapping: Mapping[str, str],
    options: Mapping[str, Any],
    match_key: str,
    on_duplicate: str,
    dry_run: bool,
) -> ImportRun:
    """A run of an uploaded file, queued for a worker."""
    run = import_run_create(
        actor=actor,
        kind=upload.kind,
        file_name=upload.file_name,
        mapping=mapping,
        options=options,
        match_key=match_key,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
    )
    run.stored_file = upload.path
    _enqueue(actor, run)
    return run


@transaction.atomic
def import_run_for_real(*, actor: Actor, run: ImportRun) -> ImportRun:
    """A dry run's settings and file, run for real (a new run; the dry run keeps its report)."""
    if not run.is_dry_run or run.status != ImportRun.Status.COMPLETED:
        raise ValidationFailed({"run": ["Only a completed dry run can be run for real."]})
    if not storage.exists(run.stored_file):
        raise ValidationFailed({"run": [storage.GONE]})
    real = import_run_create(
        actor=actor,
        kind=run.kind,
        file_name=run.file_name,
        mapping=run.mapping,
        options=run.options,
        match_key=run.match_key,
        on_duplicate=run.on_duplicate,
        dry_run=False,
    )
    real.stored_file = run.stored_file
    _enqueue(actor, real)
    return real


def job_is_active(job: Job | None) -> bool:
    return job is not None and job.status in ACTIVE_JOB


@transaction.atomic
def import_run_resume(*, actor: Actor, run: ImportRun) -> ImportRun:
    """Queue a failed or stopped run again: it continues after its last committed batch."""
    if run.status != ImportRun.Status.FAILED or job_is_active(run.job):
        raise ValidationFailed({"run": ["Only a failed import that is not running can be resumed."]})
    if not storage.exists(run.stored_file):
        raise ValidationFailed({"run": [storage.GONE]})
    _enqueue(actor, run)
    return run


def revert_refusal(run: ImportRun) -> str | None:
    """Why the run cannot be reverted now, or None (the page hides the button; the service refuses)."""
    if run.is_dry_run:
        return "A dry run wrote nothing: there is nothing to revert."
    if run.status == ImportRun.Status.REVERTED:
        return "This import is already reverted."
    if run.status in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING) or job_is_active(run.job):
        return "This import is still running: wait for it to finish."
    if job_is_active(run.revert_job):
        return "This import is being reverted."
    return None


@transaction.atomic
def import_revert_start(*, actor: Actor, run: ImportRun) -> ImportRun:
    """Queue the revert of a run the actor may see (``selectors.import_run_get``)."""
    locked = (
        ImportRun.objects.select_for_update(of=("self",)).select_related("job", "revert_job").get(pk=run.pk)
    )
    refusal = revert_refusal(locked)
    if refusal is not None:
        raise ValidationFailed({"run": [refusal]})
    label = f"Revert of the import of {locked.kind} from {locked.file_name}"
    locked.revert_job = revert_import.using(label=label).enqueue(actor, run_id=locked.pk)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["revert_job", "updated_at"])
    return locked
