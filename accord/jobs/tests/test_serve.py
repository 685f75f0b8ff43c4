"""`accord serve` (what `make run` starts) runs a job worker beside the web server and stops it with it."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from accord.jobs.tests.support import GIVE_UP_SECONDS, ROOT, wait_for

# A fresh SQLite installation in a folder of its own; run once, in the suite's SQLite pass.
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs once, in the SQLite pass")

ENQUEUE = (
    "import django; django.setup()\n"
    "from accord.core.actors import SYSTEM\n"
    "from accord.jobs.tests.jobs_for_tests import record\n"
    "print(record.enqueue(SYSTEM, tag='served').pk)\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_server_runs_a_worker_that_runs_jobs_and_stops_with_the_server(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        ACCORD_DATA_DIR=str(tmp_path),
        PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        ACCORD_JOBS_POLL_SECONDS="0.1",
    )

    def python(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, *argv],
            env=environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=GIVE_UP_SECONDS,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    python("-m", "accord.cli", "migrate")
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--workers", "1", "--threads", "1"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = sqlite3.connect(tmp_path / "accord.sqlite3")
    try:
        # When a job is enqueued while the server runs
        job_id = int(python("-c", ENQUEUE))

        # Then the worker beside the server runs it
        def status() -> str:
            return str(database.execute("SELECT status FROM jobs_job WHERE id = ?", (job_id,)).fetchone()[0])

        wait_for(lambda: status() == "succeeded", "the job to run")
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=GIVE_UP_SECONDS)
        database.close()

    # And the worker stopped with the server
    found = re.search(r"A job worker runs beside the server \(process (\d+)\)", out)
    assert found is not None, out
    with pytest.raises(ProcessLookupError):
        os.kill(int(found.group(1)), 0)
