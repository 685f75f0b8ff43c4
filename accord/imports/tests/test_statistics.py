"""An import keeps PostgreSQL's planner statistics of the tables it grows up to date."""

import pytest
from django.db import connection

from accord.access.models import Role
from accord.core.actors import Actor
from accord.imports.services import import_run_create, import_run_execute
from accord.imports.tests.resume_worker import contact_rows
from accord.imports.tests.writer_rows import mapping_for, parsed
from accord.imports.writer_sql import SMALLEST_ANALYZED_GROWTH
from accord.users.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics"),
]


def counted_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


def test_tables_an_import_grows_are_analysed_and_tables_it_barely_touches_are_not() -> None:
    # Statistics that say the tables are empty, as after a mass delete or a revert
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_contact, customers_contactemail")
    assert counted_rows("customers_contact") == 0
    user = User.objects.create_user(username="importer", role=Role.objects.get(key="administrator"))
    rows = contact_rows(SMALLEST_ANALYZED_GROWTH + 200)

    def imported(count: int, file_name: str) -> None:
        run = import_run_create(
            actor=Actor(user=user, via="cli"), kind="contacts", file_name=file_name,
            mapping=mapping_for(rows), match_key="email", on_duplicate="skip",
        )  # fmt: skip
        import_run_execute(run, parsed(rows[:count]), batch_size=500)

    imported(SMALLEST_ANALYZED_GROWTH + 200, "many.csv")
    # Analysed once 1,000 rows were in (after the second batch), not again for the last 200
    assert counted_rows("customers_contact") == 1000
    assert counted_rows("customers_contactemail") == 1000

    imported(SMALLEST_ANALYZED_GROWTH + 200, "again.csv")  # every row matches: nothing added
    assert counted_rows("customers_contact") == 1000
