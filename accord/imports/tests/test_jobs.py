"""The import's jobs run in process (``run_jobs_until_empty``): an uploaded file imported with progress,
a dry run then the same import for real, a revert with its own progress, a file that is gone, pruning."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.errors import ValidationFailed
from accord.core.models import AuditEntry
from accord.customers.models import Contact, ContactEmail
from accord.imports import launch, storage
from accord.imports.models import ImportRun
from accord.imports.tasks import prune_files
from accord.imports.tests.glue import import_files, job_of, people_csv
from accord.jobs.models import Job
from accord.jobs.worker import run_jobs_until_empty
from accord.users.models import User
from accord.web.tests import builders as b

__all__ = ["import_files"]
pytestmark = pytest.mark.django_db

MAPPING = {"First Name": "given_name", "Last Name": "family_name", "Email": "email", "Created": "created_at"}
OPTIONS = {"day_first": True, "default_region": "DE", "time_zone": "Europe/Berlin", "decimal_comma": False}


@pytest.fixture
def rita() -> User:
    return b.make_user("rita", "sales_rep")


def start(user: User, content: str, *, dry_run: bool = False, match_key: str = "email") -> ImportRun:
    upload = storage.store_upload(
        user_id=user.pk,
        kind="contacts",
        file=io.BytesIO(content.encode()),
        file_name="people.csv",
        max_bytes=None,
    )
    return launch.import_run_start(
        actor=Actor(user=user, via="web"),
        upload=upload,
        mapping=MAPPING,
        options=OPTIONS,
        match_key=match_key,
        on_duplicate="skip",
        dry_run=dry_run,
    )


def counts(run: ImportRun) -> tuple[int, int, int, int, int]:
    run.refresh_from_db()
    return (run.rows_seen, run.created_count, run.updated_count, run.skipped_count, run.rejected_count)


def test_the_job_imports_the_stored_file_in_batches_with_progress(import_files: Path, rita: User) -> None:
    # Given 10 rows, 4 of them with a bad email, queued as an import (batches of 4 rows)
    run = start(rita, people_csv(10, bad_every=3))
    assert (run.status, run.job is not None, run.stored_file.startswith(f"{rita.pk}/")) == (
        "pending",
        True,
        True,
    )

    # When the queue runs
    assert run_jobs_until_empty() == 1

    # Then every good row is written once, as rita, through the import channel
    assert counts(run) == (10, 6, 0, 0, 4)
    assert run.status == "completed"
    assert sorted(ContactEmail.objects.values_list("email", flat=True)) == [
        f"person{index}@example.com" for index in (1, 2, 4, 5, 7, 8)
    ]
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {rita.pk}
    created = AuditEntry.objects.filter(object_type="customers.contact", action="create")
    assert set(created.values_list("via", "actor_id")) == {("import", rita.pk)}
    assert created.count() == 6
    # And the job reported the rows done, the file's rows and the counts, and returned them
    job = job_of(run)
    assert (job.status, job.name, job.label, job.attempts, job.max_attempts) == (
        "succeeded",
        "imports.run",
        "Import of contacts from people.csv",
        1,
        3,
    )
    assert (job.progress_done, job.progress_total, job.progress_message) == (
        10,
        10,
        "10 rows: 6 created, 4 rejected",
    )
    assert job.result == {"run": run.pk, "created": 6, "updated": 0, "skipped": 0, "rejected": 4}
    assert list(run.row_errors.values_list("row", "column")) == [
        (2, "Email"),
        (5, "Email"),
        (8, "Email"),
        (11, "Email"),
    ]


def test_a_dry_run_writes_nothing_then_runs_for_real_with_the_same_settings(
    import_files: Path, rita: User
) -> None:
    dry = start(rita, people_csv(6, bad_every=3), dry_run=True)
    run_jobs_until_empty()
    assert counts(dry) == (6, 4, 0, 0, 2)
    assert (Contact.objects.count(), dry.status) == (0, "completed")

    real = launch.import_run_for_real(actor=Actor(user=rita, via="web"), run=dry)
    run_jobs_until_empty()

    assert real.pk != dry.pk
    assert (real.is_dry_run, real.stored_file, real.mapping, real.options, real.match_key) == (
        False,
        dry.stored_file,
        MAPPING,
        OPTIONS,
        "email",
    )
    assert counts(real) == (6, 4, 0, 0, 2)
    assert Contact.objects.count() == 4
    with pytest.raises(ValidationFailed):
        launch.import_run_for_real(actor=Actor(user=rita, via="web"), run=real)  # not a dry run


def test_the_revert_runs_as_a_job_with_its_own_progress(import_files: Path, rita: User) -> None:
    run = start(rita, people_csv(5))
    run_jobs_until_empty()
    assert Contact.objects.count() == 5

    reverting = launch.import_revert_start(actor=Actor(user=rita, via="web"), run=run)
    assert launch.revert_refusal(reverting) == "This import is being reverted."
    run_jobs_until_empty()

    run.refresh_from_db()
    assert (run.status, Contact.objects.count()) == ("reverted", 0)
    job = job_of(run, revert=True)
    assert (job.name, job.status, job.progress_done, job.progress_total, job.progress_message) == (
        "imports.revert",
        "succeeded",
        5,
        5,
        "5 records reverted",
    )
    assert job.result == {"run": run.pk, "reverted": True, "conflicts": 0}
    assert set(
        AuditEntry.objects.filter(object_type="customers.contact", action="delete").values_list(
            "via", flat=True
        )
    ) == {"import"}
    with pytest.raises(ValidationFailed) as again:
        launch.import_revert_start(actor=Actor(user=rita, via="web"), run=run)
    assert again.value.fields == {"run": ["This import is already reverted."]}


def test_a_dry_run_or_an_unfinished_import_cannot_be_reverted(import_files: Path, rita: User) -> None:
    dry = start(rita, people_csv(2), dry_run=True)
    pending = start(rita, people_csv(2))
    assert launch.revert_refusal(dry) == "A dry run wrote nothing: there is nothing to revert."
    with pytest.raises(ValidationFailed) as refused:
        launch.import_revert_start(actor=Actor(user=rita, via="web"), run=pending)
    assert refused.value.fields == {"run": ["This import is still running: wait for it to finish."]}


def test_a_run_whose_file_is_gone_fails_with_a_reason(import_files: Path, rita: User) -> None:
    run = start(rita, people_csv(2))
    storage.delete_upload(run.stored_file)

    run_jobs_until_empty()

    run.refresh_from_db()
    assert (run.status, run.failure) == ("failed", storage.GONE)
    assert job_of(run).status == "failed"
    with pytest.raises(ValidationFailed) as refused:
        launch.import_run_resume(actor=Actor(user=rita, via="web"), run=run)
    assert refused.value.fields == {"run": [storage.GONE]}


def test_a_failed_run_is_resumed_after_its_checkpoint(import_files: Path, rita: User) -> None:
    # Given a run that wrote its first batch (rows 2-5) and then failed
    run = start(rita, people_csv(10))
    run_jobs_until_empty()
    Contact.objects.filter(
        emails__email__in=[f"person{index}@example.com" for index in range(4, 10)]
    ).delete()
    ImportRun.objects.filter(pk=run.pk).update(
        status="failed", checkpoint=5, rows_seen=4, created_count=4, failure="worker lost"
    )
    run.refresh_from_db()

    # When it is resumed
    launch.import_run_resume(actor=Actor(user=rita, via="web"), run=run)
    run_jobs_until_empty()

    # Then it wrote rows 6-11 only: every row once
    assert counts(run) == (10, 10, 0, 0, 0)
    assert ContactEmail.objects.count() == 10


def test_old_files_are_pruned_unless_a_run_needs_them(import_files: Path, rita: User) -> None:
    done = start(rita, people_csv(2))
    run_jobs_until_empty()
    waiting = start(rita, people_csv(2))  # queued for later: pending while the prune runs
    Job.objects.filter(pk=job_of(waiting).pk).update(run_after=timezone.now() + dt.timedelta(hours=1))
    long_ago = (timezone.now() - dt.timedelta(days=30)).timestamp()
    for run in (done, waiting):
        os.utime(import_files / storage.folder_of(run.stored_file), (long_ago, long_ago))
    done_folder = import_files / storage.folder_of(done.stored_file)

    prune_files.enqueue(Actor(user=None))
    run_jobs_until_empty()

    done.refresh_from_db()
    waiting.refresh_from_db()
    assert done.stored_file == ""
    assert (waiting.status, storage.exists(waiting.stored_file)) == ("pending", True)
    assert not done_folder.exists()
