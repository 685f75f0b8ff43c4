"""An import's next batch drafted while the one before it is written.

An import batch is drafted (rows checked and matched, references read, the services' field rules: Python
and reads) and then written (one transaction of bulk inserts: mostly the database's own work). Done one
after the other, the database waits for Python and Python waits for the database. Here a writer thread,
with its own database connection, writes batch N while the calling thread drafts batch N+1 on its own
connection, outside any transaction. SQLite runs each bulk insert without holding Python's GIL
(``writer_sql.Table``), and PostgreSQL works in its own process, so the two overlap on two cores.

Batches still commit one after the other, in file order, each with its checkpoint. The calling thread
learns that a batch committed before it hands over the next one, so ``progress`` sees committed batches
only, and an error of the writer ends the loop before another batch is written.

A draft made beside the writing cannot read what the batch being written adds. The import keeps what
later rows need of it in memory (the keys of the records it creates: ``RunContext.seen`` and
``other_keys``), and says when a draft must wait (``must_wait``: the batch creates companies that later
rows may name). Updates are not drafted beside the writing (``services._drafts_beside_writing``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.db import connections

Batch = TypeVar("Batch")
Drafts = TypeVar("Drafts")


def write_beside_drafting(
    batches: Iterable[Batch],
    *,
    draft: Callable[[Batch], Drafts],
    write: Callable[[Batch, Drafts], int],
    must_wait: Callable[[Drafts], bool],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Draft each batch in this thread and ``write`` it (a transaction; returns the rows done so far) in
    the writer thread; ``progress`` gets that figure once the batch has committed. After a batch whose
    drafts ``must_wait``, the next one is drafted only once it has committed."""
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
    in_flight: Future[int] | None = None

    def committed() -> None:
        nonlocal in_flight
        if in_flight is not None:
            done, in_flight = in_flight.result(), None  # raises the writer's error
            if progress is not None:
                progress(done)

    try:
        for batch in batches:
            drafts = draft(batch)
            committed()
            in_flight = writer.submit(write, batch, drafts)
            if must_wait(drafts):
                committed()
        committed()
    finally:
        # The batch in flight, if the drafting failed, ends (commits or rolls back) before this returns.
        if in_flight is not None:
            in_flight.exception()
        # The writer thread's connection is its own: closed there, or it would stay open.
        writer.submit(connections.close_all).result()
        writer.shutdown()
