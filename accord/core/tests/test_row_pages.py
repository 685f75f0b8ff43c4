"""Lists whose rows are sent without validation (``accord.core.crud.rows_page_response``): the tests'
check that each such page equals what validation would send must itself catch a drift."""

import pytest
from pydantic import BaseModel

from accord.core.crud import _verify_row_page, page_schema


class Item(BaseModel):
    id: int
    name: str
    score: float | None = None


ItemPage = page_schema(Item, "items")


def test_a_page_shaped_like_its_schema_passes() -> None:
    _verify_row_page(
        ItemPage, {"items": [{"id": 1, "name": "a", "score": None}], "next_cursor": None}, frozenset()
    )


def test_hidden_fields_are_left_out_of_the_comparison() -> None:
    _verify_row_page(ItemPage, {"items": [{"id": 1, "name": "a"}], "next_cursor": "x"}, frozenset({"score"}))


@pytest.mark.parametrize(
    ("row", "named"),
    [
        ({"id": "1", "name": "a", "score": None}, "id"),  # a type validation would have changed
        ({"id": 1, "name": "a", "score": 1}, "score"),  # 1 == 1.0, but JSON writes them differently
        ({"id": 1, "name": "a"}, "score"),  # a field the schema sends that the row lacks
        ({"id": 1, "name": "a", "score": None, "secret": "s"}, "secret"),  # a field the schema does not send
    ],
)
def test_a_row_that_validation_would_change_is_named(row: dict[str, object], named: str) -> None:
    with pytest.raises(AssertionError, match=named):
        _verify_row_page(ItemPage, {"items": [row], "next_cursor": None}, frozenset())
