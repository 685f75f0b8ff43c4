"""A worker process killed (SIGKILL) in the middle of a real CSV import, then another worker: every row
is in the database exactly once and the run completes.

The stored file is a named pipe the test writes into, so the kill lands at a known point: the first
worker has committed 36 batches and waits, mid-batch, for the rest of the file. The second worker reads
the whole file (the pipe replaced by the complete file) and continues after the checkpoint.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from accord.core.actors import Actor
from accord.customers.models import Contact, ContactEmail
from accord.imports import launch, storage
from accord.imports.models import ImportedRecord, ImportRun
from accord.imports.tests.glue import import_files, job_of, people_csv
from accord.jobs.models import Job
from accord.jobs.tests.support import GIVE_UP_SECONDS, run_worker, start_worker, wait_for
from accord.web.tests import builders as b

__all__ = ["import_files"]
pytestmark = pytest.mark.django_db(transaction=True)

BATCH = 500
ROWS = 20_000
# More than the reader's first read (1 MB), and 36 whole batches plus 250 rows of the 37th.
FIRST_PART_ROWS = 36 * BATCH + 250
MAPPING = {"First Name": "given_name", "Last Name": "family_name", "Email": "email", "Phone": "phone"}


def test_a_worker_killed_mid_import_leaves_whole_batches_and_another_finishes_the_run(
    import_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_IMPORT_FILES_DIR", str(import_files))
    monkeypatch.setenv("ACCORD_IMPORT_BATCH_SIZE", str(BATCH))
    content = people_csv(ROWS, bad_every=3).encode()
    lines = content.splitlines(keepends=True)
    first_part = b"".join(lines[: 1 + FIRST_PART_ROWS])
    assert len(first_part) > 1 << 20

    # Given an import of 20,000 rows (a third with a bad email) whose file arrives slowly: a pipe
    user = b.make_user("rita", "sales_rep")
    upload = storage.store_upload(
        user_id=user.pk, kind="contacts", file=io.BytesIO(b""), file_name="people.csv", max_bytes=None
    )
    path = import_files / upload.path
    path.unlink()
    os.mkfifo(path)
    run = launch.import_run_start(
        actor=Actor(user=user, via="web"),
        upload=upload,
        mapping=MAPPING,
        options={"day_first": True, "default_region": "DE"},
        match_key="email",
        on_duplicate="skip",
        dry_run=False,
    )
    pipe: dict[str, object] = {}

    def feed() -> None:
        with path.open("wb") as writer:  # waits for the worker to open the file
            writer.write(first_part)
            writer.flush()
            pipe["writer"] = writer
            wait_for(lambda: "killed" in pipe, "the kill")
        # closing a pipe whose reader died raises BrokenPipeError: nothing to do about it

    feeder = threading.Thread(target=lambda: _quietly(feed), daemon=True)
    feeder.start()

    # When a worker has committed 36 batches and waits for the rest of the file, and is killed outright
    worker = start_worker()
    wait_for(lambda: ImportRun.objects.get(pk=run.pk).checkpoint == 1 + 36 * BATCH, "36 committed batches")
    worker.send_signal(signal.SIGKILL)
    worker.wait(GIVE_UP_SECONDS)
    pipe["killed"] = True
    feeder.join(GIVE_UP_SECONDS)

    # Then the database holds exactly the 36 batches: 12,000 contacts and 6,000 rejected rows
    run.refresh_from_db()
    assert (run.status, run.checkpoint, run.rows_seen, run.created_count, run.rejected_count) == (
        "running",
        1 + 36 * BATCH,
        36 * BATCH,
        12_000,
        6_000,
    )
    assert Contact.objects.count() == ImportedRecord.objects.filter(run=run).count() == 12_000

    # When the complete file is there and, once the dead worker's lease has expired, another worker runs
    path.unlink()
    path.write_bytes(content)
    wait_for(
        lambda: Job.objects.filter(pk=job_of(run).pk, lease_expires_at__lt=timezone.now()).exists(),
        "the lease to expire",
    )
    run_worker()

    # Then the run completed on the job's second attempt, and every row is in the database exactly once
    run.refresh_from_db()
    job = job_of(run)
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert (run.status, run.rows_seen, run.created_count, run.skipped_count, run.rejected_count) == (
        "completed",
        ROWS,
        13_333,
        0,
        6_667,
    )
    good = [f"person{index}@example.com" for index in range(ROWS) if index % 3]
    assert sorted(ContactEmail.objects.values_list("email", flat=True)) == sorted(good)
    assert Contact.objects.count() == ImportedRecord.objects.filter(run=run).count() == 13_333
    rejected_rows = list(run.row_errors.values_list("row", flat=True))
    assert sorted(rejected_rows) == [index + 2 for index in range(0, ROWS, 3)]


def _quietly(function: Callable[[], None]) -> None:
    with contextlib.suppress(BrokenPipeError):
        function()
