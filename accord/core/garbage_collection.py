"""Fewer passes of Python's cyclic garbage collector during bulk work.

The collector runs a pass over the youngest objects after every 700 allocations that outlive their
statement. A bulk writer allocates millions of short-lived dicts, lists and tuples (parsed rows, drafts,
prepared values) that never form cycles, and those passes took a fifth of an import's time
(docs/benchmarks.md). Reference counting still frees those objects at once; only cycles wait longer.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between passes over the youngest objects while bulk work runs: the memory that garbage in
# cycles may hold meanwhile stays small (a pass still runs every 50,000 allocations).
BULK_YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_previous: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's thresholds for the block; blocks may nest or overlap in threads, and the
    thresholds come back when the last one ends."""
    global _depth, _previous
    with _lock:
        if _depth == 0:
            _previous = gc.get_threshold()
            young, middle, old = _previous
            gc.set_threshold(max(young, BULK_YOUNG_THRESHOLD), max(middle, 20), max(old, 100))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_previous)
