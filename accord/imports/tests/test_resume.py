"""An import killed mid-run (SIGKILL, in a real process) leaves whole batches; executing the run again
writes every row exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.models import AuditEntry, SearchEntry
from accord.customers.models import Contact, ContactEmail
from accord.imports.models import ImportRun
from accord.imports.services import import_run_create
from accord.imports.tests.resume_worker import contact_rows
from accord.imports.tests.writer_rows import mapping_for
from accord.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("resume_worker.py")
ROOT = Path(__file__).resolve().parents[3]
ROWS, BATCH = 50, 8


def execute(run: ImportRun, *die: str) -> int:
    """Run the worker to its end (or its death); its exit status."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        str(WORKER),
        str(connection.settings_dict["NAME"]),
        str(run.pk),
        str(ROWS),
        str(BATCH),
        *die,
    ]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False).returncode


@pytest.fixture
def run() -> ImportRun:
    user = User.objects.create_user(username="importer", role=Role.objects.get(key="administrator"))
    return import_run_create(
        actor=Actor(user=user, via="cli"),
        kind="contacts",
        file_name="people.csv",
        mapping=mapping_for(contact_rows(1)),
        match_key="email",
        on_duplicate="skip",
    )


def assert_each_row_once() -> None:
    emails = list(ContactEmail.objects.values_list("email", flat=True))
    assert sorted(emails) == sorted(f"person{i}@example.com" for i in range(ROWS))
    assert Contact.objects.count() == SearchEntry.objects.filter(kind="contact").count() == ROWS
    assert AuditEntry.objects.filter(via="import", action="create").count() == ROWS


@pytest.mark.parametrize(
    ("mode", "point", "batches_kept"),
    [
        ("--die-in-batch", 4, {3}),
        # Reading batch 4 happens while batch 3 is written in the writer thread (accord.imports.pipeline):
        # the process may die before or after batch 3 commits.
        ("--die-reading-row", 2 + 3 * BATCH + 3, {2, 3}),
    ],
)
def test_a_killed_import_leaves_whole_batches_and_resumes_without_writing_a_row_twice(
    run: ImportRun, mode: str, point: int, batches_kept: set[int]
) -> None:
    killed = execute(run, mode, str(point))

    run.refresh_from_db()
    kept = run.rows_seen // BATCH
    assert (killed, run.status, kept in batches_kept) == (-signal.SIGKILL, "running", True)
    assert (run.checkpoint, run.rows_seen) == (1 + kept * BATCH, kept * BATCH)
    assert Contact.objects.count() == run.records.count() == kept * BATCH

    finished = execute(run)

    run.refresh_from_db()
    assert (finished, run.status, run.created_count, run.skipped_count, run.rejected_count) == (
        0,
        "completed",
        ROWS,
        0,
        0,
    )
    assert (run.checkpoint, run.rows_seen) == (1 + ROWS, ROWS)
    assert_each_row_once()
