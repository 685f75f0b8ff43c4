"""The import's background jobs: run an import from its stored file, revert one, and prune old files.

Both jobs may be attempted again safely (``max_attempts=3``): ``import_run_execute`` commits each batch
with the run's checkpoint and skips the rows at or below it, and ``import_revert`` deletes the bookkeeping
of each batch it reverted in that batch's transaction, so a worker killed mid-run (its lease expires, a
second worker takes the job over) continues after the last committed batch and never writes a row twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.errors import ValidationFailed
from accord.imports import storage
from accord.imports.models import ImportRun
from accord.imports.readers import ImportFileError, open_table
from accord.imports.running import Counts, estimated_total, execute
from accord.imports.services import import_revert
from accord.jobs.context import JobContext
from accord.jobs.registry import job, schedule

ATTEMPTS = 3


def _import_actor(context: JobContext) -> Actor:
    """The job's user, writing through the import channel (audit entries say via="import")."""
    return Actor(user=context.actor.user, via="import")


@job("imports.run", max_attempts=ATTEMPTS, label="Import")
def run_import(context: JobContext, run_id: int) -> dict[str, Any]:
    """Execute the run from its stored file, reporting rows done and the rows expected in the file."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status in (ImportRun.Status.COMPLETED, ImportRun.Status.REVERTED):
        return _result(run)  # a duplicate job, or one that ended just before its worker died
    try:
        file = storage.open_stored(run.stored_file)
    except ImportFileError as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, failure=error.message)
        raise
    with file:
        try:
            table = open_table(file, filename=run.file_name, sheet=run.options.get("sheet"))
        except ImportFileError as error:
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, failure=error.message)
            raise

        def report(counts: Counts, fraction: float) -> None:
            context.progress(counts.rows, estimated_total(counts.rows, fraction), counts.message)
            # Between batches: a cancelled job or a worker shutting down stops here, after a commit.
            context.stop_if_requested()

        run = execute(run, table, report=report)
    counts = Counts.of(run)
    context.progress(counts.rows, counts.rows, counts.message)
    return _result(run)


def _result(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "created": run.created_count,
        "updated": run.updated_count,
        "skipped": run.skipped_count,
        "rejected": run.rejected_count,
    }


@job("imports.revert", max_attempts=ATTEMPTS, label="Revert an import")
def revert_import(context: JobContext, run_id: int) -> dict[str, Any]:
    """Undo the run: delete what it created, restore what it updated, in batches with progress."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status == ImportRun.Status.REVERTED:
        return {"run": run.pk, "reverted": True, "conflicts": len(run.revert_conflicts)}
    total = run.records.count()

    def progress(done: int) -> None:
        context.progress(done, max(total, done), f"{done:,} of {total:,} records reverted")

    try:
        run = import_revert(actor=_import_actor(context), run=run, progress=progress)
    except ValidationFailed as error:  # it became unrevertable meanwhile (another revert finished it)
        return {
            "run": run.pk,
            "reverted": False,
            "reason": " ".join(text for texts in error.fields.values() for text in texts),
        }
    context.progress(total, total, f"{total:,} records reverted")
    return {"run": run.pk, "reverted": True, "conflicts": len(run.revert_conflicts)}


@job("imports.prune_files", label="Delete old uploaded import files")
def prune_files(context: JobContext) -> dict[str, int]:
    """Delete uploads older than ``ACCORD_IMPORT_KEEP_FILES_DAYS`` that no pending or running import needs;
    their runs keep their reports and error files, and lose "run again" (the file is gone)."""
    cutoff = timezone.now() - dt.timedelta(days=settings.ACCORD_IMPORT_KEEP_FILES_DAYS)
    busy = ImportRun.objects.filter(status__in=(ImportRun.Status.PENDING, ImportRun.Status.RUNNING)).exclude(
        stored_file=""
    )
    keep = {storage.folder_of(path) for path in busy.values_list("stored_file", flat=True)}
    deleted = storage.prune(older_than=cutoff, keep=keep)
    for folder in deleted:
        ImportRun.objects.filter(stored_file__startswith=f"{folder}/").update(stored_file="")
    return {"folders": len(deleted)}


schedule("imports.prune_files", every=dt.timedelta(days=1), at=dt.time(3, 30))
