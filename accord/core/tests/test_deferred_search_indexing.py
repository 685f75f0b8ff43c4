"""Bulk writers' search entries indexed at the end of a block (``deferred_search_indexing``): found by every
tier exactly as entries indexed row by row, and nothing left behind by a block that fails."""

import pytest
from django.db import connection, transaction

from accord.core.actors import Actor
from accord.core.models import SearchEntry
from accord.core.search import deferred_search_indexing, search, search_index_upsert, search_text

pytestmark = pytest.mark.django_db


def _insert(object_id: int, name: str, email: str) -> None:
    SearchEntry.objects.create(
        kind="contact", object_id=object_id, title=name, subtitle=email, text=search_text(name, [email])
    )


def _found(actor: Actor, query: str) -> list[tuple[int, str]]:
    return sorted((hit.object_id, hit.match) for hit in search(query, actor=actor, kinds=["contact"]))


def _assert_indexes_match_their_entries() -> None:
    """SQLite's check of each FTS5 table against core_searchentry (rank 1: the external content too):
    an entry indexed twice, or not at all, fails it."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in ("search_word", "search_trigram"):
            cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


def test_entries_inserted_in_the_block_are_found_by_every_tier(actor: Actor) -> None:
    search_index_upsert(
        kind="contact", object_id=1, owner_id=None, title="Ada Lovelace", subtitle="", terms=[]
    )
    with transaction.atomic(), deferred_search_indexing():
        _insert(2, "Ada Byron", "ada.byron@example.com")
        _insert(3, "Grace Hopper", "grace@navy.mil")
    _assert_indexes_match_their_entries()
    assert _found(actor, "Ada") == [(1, "prefix"), (2, "prefix")]
    assert _found(actor, "byron") == [(2, "word")]
    assert _found(actor, "navy") == [(3, "word")]
    assert _found(actor, "opper") == [(3, "substring")]


def _batch_failing_inside_the_block() -> None:
    with transaction.atomic(), deferred_search_indexing():
        _insert(2, "Ada Byron", "ada.byron@example.com")
        raise RuntimeError("the batch failed")


def _batch_failing_after_the_block() -> None:
    with transaction.atomic():
        with deferred_search_indexing():
            _insert(2, "Ada Byron", "ada.byron@example.com")
        raise RuntimeError("the batch failed after its entries")


def test_a_failed_block_leaves_nothing_and_entries_after_it_are_indexed_again_row_by_row(
    actor: Actor,
) -> None:
    with pytest.raises(RuntimeError):
        _batch_failing_inside_the_block()
    assert not SearchEntry.objects.exists()
    _insert(3, "Grace Hopper", "grace@navy.mil")
    _assert_indexes_match_their_entries()
    assert _found(actor, "opper") == [(3, "substring")]


def test_nested_in_a_transaction_that_rolls_back(actor: Actor) -> None:
    with pytest.raises(RuntimeError):
        _batch_failing_after_the_block()
    _insert(3, "Ada Hopper", "ada@navy.mil")
    _assert_indexes_match_their_entries()
    assert _found(actor, "Ada") == [(3, "prefix")]


def test_a_caller_that_carries_on_after_a_failure_keeps_a_whole_index(actor: Actor) -> None:
    with transaction.atomic():
        try:
            with deferred_search_indexing():
                _insert(2, "Ada Byron", "ada.byron@example.com")
                raise RuntimeError("a row failed")
        except RuntimeError:
            pass
        _insert(3, "Ada Hopper", "ada@navy.mil")
    _assert_indexes_match_their_entries()
    assert _found(actor, "Ada") == [(2, "prefix"), (3, "prefix")]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL indexes each insert itself")
    with pytest.raises(RuntimeError, match="needs a transaction"), deferred_search_indexing():
        pass
