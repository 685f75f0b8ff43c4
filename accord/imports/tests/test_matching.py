import pytest
from django.db import connection, models

from accord.customers.models import Contact, ContactEmail
from accord.imports.matching import KEY_SOURCES, find_matches, sqlite_lookup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "match_key"), sorted(KEY_SOURCES))
def test_every_match_key_is_the_first_column_of_an_index(kind: str, match_key: str) -> None:
    # A batch's keys are looked up one by one (on PostgreSQL, one lateral lookup each): without an index
    # each lookup would scan the table.
    _, model, name, _ = KEY_SOURCES[(kind, match_key)]
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    column = field.column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    # A unique constraint is backed by an index on both databases
    indexed = (info for info in constraints.values() if info["index"] or info["unique"])
    assert any(info["columns"][:1] == [column] for info in indexed), f"{model.__name__}.{field} has no index"


@pytest.mark.parametrize(("kind", "match_key"), sorted(KEY_SOURCES))
def test_sqlite_looks_each_key_of_a_batch_up_in_its_index(kind: str, match_key: str) -> None:
    # Planned without statistics, as on an import's growing tables: a scan of another index (ordered by
    # the record column, covering both) read the whole table for every batch.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL looks each key up in a lateral subquery")
    _, model, name, record = KEY_SOURCES[(kind, match_key)]
    columns = {field.attname: str(field.column) for field in model._meta.concrete_fields}
    keys = [f"key{index}" for index in range(5000)]
    sql = sqlite_lookup(model._meta.db_table, columns[name], columns[record], len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", keys)
        plan = [row[-1] for row in cursor.fetchall()]
    assert any(step.startswith("SEARCH") and f"({columns[name]}=?)" in step for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_each_key_finds_its_oldest_record_and_unknown_keys_nothing() -> None:
    older = Contact.objects.create(family_name="Older")
    newer = Contact.objects.create(family_name="Newer")
    only = Contact.objects.create(family_name="Only")
    for contact, email in (
        (newer, "shared@example.org"),
        (older, "shared@example.org"),
        (only, "only@example.org"),
    ):
        ContactEmail.objects.create(contact=contact, email=email)

    found = find_matches(
        "contacts", "email", ["shared@example.org", "only@example.org", "nobody@example.org"]
    )

    assert found == {"shared@example.org": older.pk, "only@example.org": only.pk}
