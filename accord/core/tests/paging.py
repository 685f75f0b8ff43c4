"""Walking every page of a cursor-paginated list, as a client would."""

from __future__ import annotations

from typing import Any


def all_pages(client: Any, path: str, *, assert_max_queries: Any, max_queries: int) -> list[dict[str, Any]]:
    """The items of every page of ``path`` (which carries its own ``?limit=``), each page read in at most
    ``max_queries`` queries (``django_assert_max_num_queries``)."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        with assert_max_queries(max_queries):
            page = client.get(f"{path}&cursor={cursor}").json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = page["next_cursor"]
