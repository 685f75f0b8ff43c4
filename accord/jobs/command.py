"""``accord worker`` and the worker that ``accord serve`` starts beside the web server.

Imported by ``accord.cli`` when it builds its parser, before Django is set up: nothing Django-related
is imported at module level here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

# How long the server waits, when it stops, for its worker to end its current job.
WORKER_STOP_SECONDS = 60


MAX_PROCESSES = 64


def _process_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_PROCESSES:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number between 1 and {MAX_PROCESSES}")
    return int(text)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes",
        type=_process_count,
        default=1,
        metavar="N",
        help="worker processes to run (default 1; several suit PostgreSQL)",
    )
    parser.add_argument(
        "--queue",
        action="append",
        default=[],
        dest="queues",
        metavar="NAME",
        help="take jobs of this queue only (repeat for several; default: every queue)",
    )
    parser.add_argument("--burst", action="store_true", help="run the due jobs, then exit")
    # Given by `accord serve`: exit when the server that started this worker is gone.
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)


def worker_command(args: argparse.Namespace) -> int:
    """The body of ``accord worker`` (the database is set up: ``accord.cli`` checked)."""
    from accord.jobs.worker import run_processes, run_worker

    if args.processes > 1:
        return run_processes(count=args.processes, queues=args.queues, burst=args.burst)
    return run_worker(queues=args.queues, burst=args.burst, parent_pid=args.parent_pid)


@contextlib.contextmanager
def worker_beside_server(*, enabled: bool) -> Iterator[None]:
    """Run ``accord worker`` as a child process while the server runs, and stop it with the server.

    The worker gets its own session, so a Ctrl+C in the terminal reaches only the server, which then
    sends the worker one SIGTERM: it finishes its current job (or, past ``WORKER_STOP_SECONDS``, is
    killed, and the job is taken over once its lease expires). Should the server die without that
    (SIGKILL), the worker notices its parent is gone and stops by itself.
    """
    if not enabled:
        yield
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "worker", "--parent-pid", str(os.getpid())],
        start_new_session=True,
    )
    print(f"A job worker runs beside the server (process {process.pid}); --no-worker leaves it out.")
    try:
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
