#!/usr/bin/env python
# ruff: noqa: N999  (the name the issue gives the script; it is run, never imported)
"""Import throughput: contacts from a CSV file through the import writer, beside the raw insert of the same
rows into the same indexed tables, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import.py --sizes 1000000 --databases sqlite postgres

Each database and size runs in a child process on a fresh database. The child writes N contacts (first
name, last name, email, job title; deterministic seed) to a CSV file, then measures:

- **raw insert**: the file read with ``csv.reader`` and its rows inserted with ``executemany`` (SQLite) or
  ``COPY`` (PostgreSQL) into the contact, contact email and search index tables, with all their indexes
  (and SQLite's full-text triggers), explicit ids, one transaction per batch: the physical limit;
- **import**: the same file read and parsed by the import's reader (``open_table``, ``parse_rows``) and
  written by ``import_run_execute`` with matching on email (rule: skip): references,
  matching, the services' field rules, the same three tables plus one audit entry and one ``ImportedRecord``
  per contact, checkpoint and counts, one transaction per batch.

Each measure starts from emptied, vacuumed tables; `--rounds` alternate their order and the best counts. Goal (issue #5): import ≥ 40% of the raw rate, ≥ 20,000 rows/s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    machine_description,
    print_result,
    print_table,
    run_accord,
    run_children,
)

HEADER = ["First Name", "Last Name", "Email", "Job Title"]
GIVEN = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Niklaus"]
FAMILY = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Backus",
    "Hamilton",
    "Wirth",
]
TITLES = ["", "Engineer", "Buyer", "Director", "Analyst"]


def write_csv(path: Path, size: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(size):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            email = f"{given}.{family}.{index}@example.com".lower()
            writer.writerow([given, family, email, rng.choice(TITLES)])


def parsed_rows(path: Path, mapping: dict[str, str]) -> Iterator[Any]:
    """The CSV through the import's own file reader and parser (encoding and delimiter detection, the
    typed cells, email normalisation), as ``accord import`` and the import job read it."""
    from accord.imports.fields import KINDS
    from accord.imports.parsers import ParseOptions, parse_rows
    from accord.imports.readers import open_table

    with path.open("rb") as handle:
        yield from parse_rows(
            open_table(handle, filename=path.name), KINDS["contacts"], mapping, ParseOptions()
        )


def raw_insert(path: Path, batch: int, owner_id: int) -> None:
    """The baseline: the same rows into the same tables, prepared as plainly as the databases take them."""
    from django.db import transaction
    from django.utils import timezone

    from accord.core.garbage_collection import fewer_collections
    from accord.core.models import SearchEntry
    from accord.core.search import deferred_search_indexing, search_text
    from accord.customers.models import Contact, ContactEmail
    from accord.imports.writer_sql import Table, reserve_ids

    contact_columns = [f.attname for f in Contact._meta.concrete_fields]
    contacts = Table(Contact, contact_columns)
    emails = Table(ContactEmail, ["contact_id", "email", "label", "is_primary"])
    entries = Table(SearchEntry, ["kind", "object_id", "owner_id", "title", "subtitle", "text"])
    now = timezone.now()
    custom: dict[str, Any] = {}

    def flush(rows: list[list[str]]) -> None:
        with transaction.atomic():
            ids = reserve_ids(Contact, len(rows))
            values = {
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "external_id": "",
                "lifecycle_stage": "lead",
            }
            contact_rows = []
            for pk, (given, family, email, title) in zip(ids, rows, strict=True):
                record = {
                    **values, "id": pk, "given_name": given, "family_name": family, "job_title": title,
                    "acquisition_source": "", "acquisition_channel": "", "owner_id": owner_id, "custom_fields": custom,
                    # the list summary (accord.customers.summaries) is part of the row
                    "primary_email": email, "primary_phone": None, "current_company_id": None,
                }  # fmt: skip
                contact_rows.append([record[name] for name in contact_columns])
            contacts.insert(contact_rows)
            emails.insert((pk, row[2], "", True) for pk, row in zip(ids, rows, strict=True))
            with deferred_search_indexing():  # the fastest way into SQLite's FTS5 tables
                entries.insert(
                    (
                        "contact",
                        pk,
                        owner_id,
                        f"{row[0]} {row[1]}",
                        row[2],
                        search_text(f"{row[0]} {row[1]}", [row[2]]),
                    )
                    for pk, row in zip(ids, rows, strict=True)
                )

    # The garbage collector as the import runs it (accord.core.garbage_collection), so that the two differ
    # only in the work they do.
    with fewer_collections(), path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        pending: list[list[str]] = []
        for cells in reader:
            pending.append(cells)
            if len(pending) == batch:
                flush(pending)
                pending = []
        if pending:
            flush(pending)


def empty_tables() -> None:
    from django.db import connection

    tables = [
        "customers_contactemail", "core_searchentry", "core_auditentry", "imports_importedrecord",
        "customers_contact",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "sqlite":
            # Deleting the entries left a delete marker per entry in the FTS5 indexes, which VACUUM keeps:
            # empty them for real, as on a database that never held these rows.
            for index in ("search_word", "search_trigram"):
                cursor.execute(f"INSERT INTO {index}({index}) VALUES ('delete-all')")
            cursor.execute("VACUUM")
            # VACUUM rewrites the whole database into the write-ahead log: fold it back and empty it, so
            # that the next measure does not pay for checkpointing the previous one's pages.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    run_accord(["migrate"], env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from accord.access.models import Role
    from accord.core.actors import Actor
    from accord.imports.services import import_run_create, import_run_execute
    from accord.users.models import User

    user = User.objects.create_user(username="importer", role=Role.objects.get(key="administrator"))
    mapping = {
        "First Name": "given_name",
        "Last Name": "family_name",
        "Email": "email",
        "Job Title": "job_title",
    }

    def imported(path: Path) -> None:
        run = import_run_create(
            actor=Actor(user=user, via="cli"),
            kind="contacts",
            file_name=path.name,
            mapping=mapping,
            match_key="email",
            on_duplicate="skip",
        )
        run = import_run_execute(run, parsed_rows(path, mapping), batch_size=args.batch)
        assert (run.created_count, run.rejected_count) == (size, 0), (run.created_count, run.rejected_count)

    measures = {"raw insert": lambda path: raw_insert(path, args.batch, user.pk), "import": imported}
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        write_csv(path, size, args.seed)
        # Each measure starts from the same emptied, vacuumed tables; the order alternates between rounds
        # so that neither always runs first (a cold cache, a growing file) and the best round counts.
        for round_index in range(args.rounds):
            order = list(measures) if round_index % 2 == 0 else list(reversed(measures))
            for operation in order:
                empty_tables()
                start = time.perf_counter()
                measures[operation](path)
                seconds = time.perf_counter() - start
                best[operation] = min(seconds, best.get(operation, seconds))
    for operation, seconds in best.items():
        print_result({"database": database, "size": size, "operation": operation, "seconds": seconds})


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    table = []
    by_key = {(row["database"], row["size"], row["operation"]): row["seconds"] for row in rows}
    for database, size in dict.fromkeys((row["database"], row["size"]) for row in rows):
        raw = size / by_key[(database, size, "raw insert")]
        imported = size / by_key[(database, size, "import")]
        table.append([database, f"{size:,}", f"{raw:,.0f}", f"{imported:,.0f}", f"{imported / raw:.0%}"])
    print()
    print(
        f"Machine: {machine_description()}; batches of {args.batch:,} rows; best of {args.rounds} rounds "
        "in alternating order, each from emptied tables."
    )
    print_table(
        "Contact import from CSV, matching on email",
        ["database", "rows", "raw insert rows/s", "import rows/s", "import / raw"],
        table,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--batch", type=int, default=5000, help="rows per transaction (the import's default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds", type=int, default=2, help="measures of each, in alternating order; the best counts"
    )
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.size, args)
        return 0
    rows = run_children(
        Path(__file__).resolve(),
        args.databases,
        args.sizes,
        ["--batch", str(args.batch), "--seed", str(args.seed), "--rounds", str(args.rounds)],
    )
    if rows is None:
        return 1
    report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
