"""Helpers of the tests of the import's jobs, command line and pages: a files folder per test, uploads
through the page, a generated CSV with a third of its rows bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from accord.imports.models import ImportRun
from accord.jobs.models import Job

FILES = Path(__file__).with_name("files")
PEOPLE_HEADER = "First Name,Last Name,Email,Phone,Created\n"


@pytest.fixture
def import_files(settings: Settings, tmp_path: Path) -> Path:
    """Uploads go to a folder of this test's, small batches so a few rows make several."""
    folder = tmp_path / "imports"
    settings.ACCORD_IMPORT_FILES_DIR = folder
    settings.ACCORD_IMPORT_BATCH_SIZE = 4
    return folder


def people_csv(count: int, *, bad_every: int = 0) -> str:
    """``count`` contacts; with ``bad_every`` 3, rows 1, 4, 7, … (file rows 2, 5, 8, …) have a bad email."""
    lines = [PEOPLE_HEADER]
    for index in range(count):
        email = f"person{index}@" if bad_every and index % bad_every == 0 else f"person{index}@example.com"
        lines.append(f"Given{index},Family{index},{email},+49 30 {1000000 + index},31/12/2024\n")
    return "".join(lines)


def upload(client: Client, kind: str, name: str, content: bytes) -> str:
    """Upload through the page; the mapping step's URL."""
    response = client.post(
        "/imports/new/", {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def mapping_post(client: Client, url: str, action: str, **changes: str) -> Any:
    """Post the mapping step as it was suggested (the form's initial values), with ``changes``."""
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        name: ("on" if value is True else value) for name, value in data.items() if value not in (None, False)
    }
    data.update(changes)
    data["action"] = action
    return client.post(url, data)


def job_of(run: ImportRun, *, revert: bool = False) -> Job:
    """The run's import (or revert) job, as it is now."""
    run.refresh_from_db()
    job = run.revert_job if revert else run.job
    assert job is not None
    return job
