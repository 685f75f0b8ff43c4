"""A worker process for the resume tests: executes an import run on the test database and, when told to,
kills itself with SIGKILL (no clean-up, no rollback by Python) at a chosen point.

    python resume_worker.py DATABASE_NAME RUN_ID ROWS BATCH_SIZE [--die-reading-row N | --die-in-batch N]
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def contact_rows(count: int) -> list[dict[str, object]]:
    return [
        {"given_name": f"Given{i}", "family_name": f"Family{i}", "email": f"person{i}@example.com"}
        for i in range(count)
    ]


def main(argv: list[str]) -> None:
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = argv[0]
    import django

    django.setup()
    from accord.imports import writer
    from accord.imports.models import ImportRun
    from accord.imports.services import import_run_execute
    from accord.imports.tests.writer_rows import parsed

    run_id, count, batch_size = int(argv[1]), int(argv[2]), int(argv[3])
    mode, point = (argv[4], int(argv[5])) if len(argv) > 5 else ("", 0)
    rows = parsed(contact_rows(count))

    def reading() -> Iterator[object]:
        for row in rows:
            if mode == "--die-reading-row" and row.row == point:
                os.kill(os.getpid(), signal.SIGKILL)
            yield row

    if mode == "--die-in-batch":
        original = writer.record_side_rows
        calls = {"batches": 0}

        def dying(*args: Any, **kwargs: Any) -> None:
            original(*args, **kwargs)
            calls["batches"] += 1
            if calls["batches"] == point:
                # The batch's records, children and entries are written, its transaction not committed.
                os.kill(os.getpid(), signal.SIGKILL)

        writer.record_side_rows = dying
    import_run_execute(ImportRun.objects.get(pk=run_id), reading(), batch_size=batch_size)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
