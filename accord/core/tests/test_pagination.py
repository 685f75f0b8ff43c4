from typing import Any

import pytest
from django.utils import timezone

from accord.core.batch_query import BatchQuery
from accord.core.errors import ValidationFailed
from accord.core.pagination import paginate, paginate_keys, paginate_rows
from accord.customers.models import Company

pytestmark = pytest.mark.django_db


def _named(row: dict[str, Any]) -> None:
    row["label"] = f"#{row['id']}: {row['name']}"


# Rows read by id with the keys of their page, in one statement (a lateral join on PostgreSQL, a CTE on
# SQLite), finished in Python.
COMPANY_ROWS = BatchQuery(lambda ids: Company.objects.filter(pk__in=ids).values("id", "name"), finish=_named)


def _walk(sort: str, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = paginate(Company.objects.all(), sort=sort, cursor=cursor, limit=limit)
        keys = paginate_keys(Company.objects.all(), sort=sort, cursor=cursor, limit=limit)
        assert keys.items == [company.pk for company in page.items]
        assert keys.next_cursor == page.next_cursor
        # Read as two disjoint parts merged by the database, the same page
        parts = [
            Company.objects.filter(name__in=["Company 1", "Company 3"]),
            Company.objects.exclude(name__in=["Company 1", "Company 3"]),
        ]
        merged = paginate_keys(*parts, sort=sort, cursor=cursor, limit=limit)
        assert (merged.items, merged.next_cursor) == (keys.items, keys.next_cursor)
        # An arm that can match nothing (Django's EmptyResultSet) is left out of the union
        with_empty = paginate_keys(
            *parts, Company.objects.filter(pk__in=[]), sort=sort, cursor=cursor, limit=limit
        )
        assert (with_empty.items, with_empty.next_cursor) == (keys.items, keys.next_cursor)
        # Read with their rows, whole or in parts, the same page
        for querysets in ([Company.objects.all()], parts):
            rows = paginate_rows(COMPANY_ROWS, *querysets, sort=sort, cursor=cursor, limit=limit)
            assert rows.items == [
                {"id": company.pk, "name": company.name, "label": f"#{company.pk}: {company.name}"}
                for company in page.items
            ]
            assert rows.next_cursor == page.next_cursor
        seen.extend(keys.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "id"])
@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_walking_every_page_yields_every_row_once_in_order(sort: str, limit: int) -> None:
    # Given names and timestamps with many ties, so the id tie-breaker matters
    moment = timezone.now()
    Company.objects.bulk_create(
        [Company(name=f"Company {index % 4}", created_at=moment, updated_at=moment) for index in range(23)]
    )
    expected = list(
        Company.objects.order_by(sort, "-pk" if sort.startswith("-") else "pk").values_list("pk", flat=True)
    )
    # When every page is fetched (as records and as ids), then the concatenation is exactly the ordered table
    assert _walk(sort, limit) == expected


def test_a_list_that_can_match_nothing_is_an_empty_page() -> None:
    Company.objects.create(name="Hidden")
    Company.objects.create(name="Hidden too")
    nothing = Company.objects.filter(pk__in=[])  # Django raises EmptyResultSet instead of querying

    for cursor in (None, paginate(Company.objects.all(), sort="name", cursor=None, limit=1).next_cursor):
        assert paginate_keys(nothing, sort="name", cursor=cursor, limit=1).items == []
        assert paginate_rows(COMPANY_ROWS, nothing, sort="name", cursor=cursor, limit=1).items == []


def test_a_tampered_cursor_is_a_field_error() -> None:
    with pytest.raises(ValidationFailed) as error:
        paginate(Company.objects.all(), sort="name", cursor="not-a-cursor!!", limit=10)
    assert list(error.value.fields) == ["cursor"]


def test_last_page_has_no_cursor() -> None:
    Company.objects.create(name="Only")
    page = paginate(Company.objects.all(), sort="name", cursor=None, limit=1)
    assert [company.name for company in page.items] == ["Only"]
    assert page.next_cursor is None
