"""Timestamps on PostgreSQL are read by psycopg's compiled loader and come back equal, in UTC."""

import datetime as dt

import pytest
from django.db import connection

from accord.core.postgres import compiled_timestamp_loader
from accord.customers.models import Company

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader"),
]


def test_connections_use_the_compiled_loader() -> None:
    from psycopg.postgres import types

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, 0)
    assert loader is compiled_timestamp_loader()


def test_timestamps_round_trip_in_utc() -> None:
    moment = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    company = Company.objects.create(name="Loader")
    Company.objects.filter(pk=company.pk).update(created_at=moment)
    read = Company.objects.values_list("created_at", flat=True).get(pk=company.pk)
    assert read == moment
    assert read.tzinfo is dt.UTC
