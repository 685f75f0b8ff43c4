"""``fewer_collections``: the collector's thresholds are raised for bulk work and come back after it, also
when blocks nest, overlap in threads or fail."""

import gc
import threading
from collections.abc import Iterator

import pytest

from accord.core.garbage_collection import BULK_YOUNG_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def _default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BULK_YOUNG_THRESHOLD, 20, 100)
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_a_failure() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_blocks_restore_once_the_outer_one_ends() -> None:
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == BULK_YOUNG_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_blocks_in_threads() -> None:
    """The first block to end leaves the thresholds raised for the one still running."""
    entered, release = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def longer_block() -> None:
        with fewer_collections():
            entered.set()
            release.wait(timeout=10)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=longer_block)
    thread.start()
    entered.wait(timeout=10)
    with fewer_collections():
        pass
    release.set()
    thread.join()
    assert seen == [(BULK_YOUNG_THRESHOLD, 20, 100)]
    assert gc.get_threshold() == (700, 10, 10)


def test_higher_thresholds_are_kept() -> None:
    gc.set_threshold(100_000, 50, 200)
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 50, 200)
    assert gc.get_threshold() == (100_000, 50, 200)
