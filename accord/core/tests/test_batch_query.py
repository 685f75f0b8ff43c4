import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accord.core.batch_query import BatchQuery
from accord.customers.models import Company

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement on PostgreSQL only"
)


def _companies(ids: list[int]) -> QuerySet[Any, Any]:
    """Model fields, a JSON field, a datetime, a subquery and an aggregate: every kind of column."""
    parent_name = Company.objects.filter(pk=OuterRef("parent_id")).values("name")[:1]
    return (
        Company.objects.filter(pk__in=ids, name__startswith="C")
        .order_by()
        .values("id", "name", "created_at", "custom_fields")
        .annotate(parent_name=Subquery(parent_name), subsidiary_count=Count("subsidiaries"))
    )


def test_rows_equal_what_the_orm_returns_for_every_batch_size() -> None:
    parent = Company.objects.create(name="C parent")
    companies = [
        Company.objects.create(name=f"C{index}", parent=parent, custom_fields={"tier": index})
        for index in range(5)
    ]
    ids = [company.pk for company in companies]
    batch = BatchQuery(_companies)
    for size in (1, 3, 5, 3):  # a size seen before reuses its compiled SQL with other ids
        chosen = ids[-size:]
        expected = sorted(_companies(chosen), key=lambda row: row["id"])
        assert sorted(batch.rows(chosen), key=lambda row: row["id"]) == expected
    row = batch.rows([ids[0]])[0]
    assert isinstance(row["created_at"], dt.datetime)
    assert row["created_at"].tzinfo is not None
    assert row["custom_fields"] == {"tier": 0}
    assert row["parent_name"] == "C parent"


def test_json_values_decode_as_django_decodes_them() -> None:
    documents = [
        {"big": 2**70, "negative": -(2**64), "phone": "+4930123456789012345678"},  # beyond 64 bits
        {"pi": 3.141592653589793, "tiny": 5e-324, "text": "Grüße, 東京 \u2028", "nested": [[{}], None, True]},
        {"code": 9223372036854775807},  # the largest 64-bit integer
    ]
    ids = [
        Company.objects.create(name=f"C{index}", custom_fields=doc).pk for index, doc in enumerate(documents)
    ]
    rows = sorted(BatchQuery(_companies).rows(ids), key=lambda row: row["id"])
    assert [row["custom_fields"] for row in rows] == documents
    assert type(rows[0]["custom_fields"]["big"]) is int


def test_ids_without_a_row_are_skipped_and_an_empty_batch_runs_no_query(django_assert_num_queries) -> None:
    company = Company.objects.create(name="C")
    batch = BatchQuery(_companies)
    with django_assert_num_queries(0):
        assert batch.rows([]) == []
    assert [row["id"] for row in batch.rows([company.pk, company.pk + 1000])] == [company.pk]


def test_a_query_whose_sql_depends_on_the_ids_values_is_refused() -> None:
    # An id used outside the pk__in filter would be baked into the compiled SQL
    batch = BatchQuery(lambda ids: Company.objects.filter(pk__in=ids, parent_id=ids[0]).values("id"))
    with pytest.raises(AssertionError):
        batch.rows([1])


@postgres_only
def test_rows_with_keys_come_in_the_keys_order_with_none_for_a_key_without_a_row() -> None:
    names = ["Cid", "Cab", "Cob", "Zed"]  # Zed is left out by the row query's own filter
    ids = {name: Company.objects.create(name=name, custom_fields={"n": name}).pk for name in names}
    keys_sql, keys_params = (
        Company.objects.order_by("-name").values_list("pk", "name").query.sql_with_params()
    )

    found = BatchQuery(_companies).rows_with_keys(keys_sql, keys_params, order="2 DESC, 1 DESC")

    assert [(pk, name) for pk, name, _ in found] == [
        (ids[name], name) for name in sorted(names, reverse=True)
    ]
    assert found[0][2] is None
    assert [row["custom_fields"] for _, _, row in found[1:] if row] == [
        {"n": "Cob"},
        {"n": "Cid"},
        {"n": "Cab"},
    ]
    assert found[1][2] == BatchQuery(_companies).rows([ids["Cob"]])[0]


@postgres_only
def test_a_literal_percent_sign_is_not_taken_for_a_placeholder() -> None:
    # Django writes a literal % as %%: "'%%s'" holds no parameter, though it contains "%s"
    batch = BatchQuery(
        lambda ids: Company.objects.filter(pk__in=ids).values("id").annotate(text=RawSQL("'%%s'", ()))
    )
    company = Company.objects.create(name="C")
    keys_sql, keys_params = Company.objects.values_list("pk", "name").query.sql_with_params()

    [(_, _, row)] = batch.rows_with_keys(keys_sql, keys_params, order="1 ASC")

    assert row == {"id": company.pk, "text": "%s"}
