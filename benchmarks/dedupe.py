#!/usr/bin/env python
"""The duplicate scan of N contacts (issue #5 goal: 1,000,000 contacts in at most 120 s), with its precision
and recall on known duplicates, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/dedupe.py --sizes 1000000 --databases sqlite postgres

Each run loads `accord demo --contacts N` (whose names repeat a lot: a thousand Anna Schmidts at 1M, the hard
case for name blocking), then adds known duplicates of 1% of the contacts, made as
accord/dedupe/tests/synthetic.py makes them (typos, swapped names, nicknames, email case, formatted phones,
part of the details). It times the full scan (read, block, score, store) beside its baseline: one plain read
of the columns the scan needs, in the same run. Pairs found that are not injected duplicates count against
precision, although some are real look-alikes in the demo data.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    in_process_benchmark_main,
    load_demo,
    machine_description,
    print_result,
    print_table,
)

DUPLICATE_SHARE = 0.01


def _inject(rng: random.Random) -> set[tuple[int, int]]:
    """Duplicates of 1% of the contacts; the (lower id, higher id) pairs they make."""
    from accord.customers.models import Contact, ContactEmail, ContactPhone, Employment
    from accord.dedupe.tests.synthetic import Person, duplicate_of, insert

    ids = list(Contact.objects.values_list("pk", flat=True))
    chosen = sorted(rng.sample(ids, max(2, int(len(ids) * DUPLICATE_SHARE))))
    people = {
        pk: Person(given=given, family=family)
        for pk, given, family in Contact.objects.filter(pk__in=chosen).values_list(
            "pk", "given_name", "family_name"
        )
    }
    for pk, email in (
        ContactEmail.objects.filter(contact_id__in=chosen)
        .order_by("-is_primary", "id")
        .values_list("contact_id", "email")
    ):
        people[pk].emails.append(email)
    for pk, number in (
        ContactPhone.objects.filter(contact_id__in=chosen)
        .order_by("-is_primary", "id")
        .values_list("contact_id", "number")
    ):
        people[pk].phones.append(number)
    for pk, company in Employment.objects.filter(contact_id__in=chosen, is_current=True).values_list(
        "contact_id", "company_id"
    ):
        people[pk].company_id = company
    for person in people.values():
        if not person.emails:
            person.emails = [f"{person.given[:1].lower()}x{rng.randrange(10**9)}@example.net"]
    duplicates = [duplicate_of(rng, people[pk], serial) for serial, pk in enumerate(chosen)]
    new_ids = insert(duplicates)
    return {(pk, new) for pk, new in zip(chosen, new_ids, strict=True)}


def _read_columns() -> float:
    """The baseline: one plain read of every column the contact scan reads."""
    from accord.customers.models import Contact, ContactEmail, ContactPhone, Employment
    from accord.dedupe.scan import columns

    def table(model: Any) -> str:
        return model._meta.db_table

    start = time.perf_counter()
    columns(f"SELECT id, given_name, family_name FROM {table(Contact)} ORDER BY id")
    columns(f"SELECT contact_id, email FROM {table(ContactEmail)}")
    columns(f"SELECT contact_id, number FROM {table(ContactPhone)}")
    columns(
        f"SELECT contact_id, company_id FROM {table(Employment)} WHERE is_current = %s ORDER BY id", [True]
    )
    return time.perf_counter() - start


def run_child(database: str, size: int, args: argparse.Namespace) -> None:
    env = {key: os.environ.get(key, "") for key in ("ACCORD_DATA_DIR", "DATABASE_URL")}
    load_demo(env, size, args.seed)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from accord.customers.models import Company, Contact
    from accord.dedupe.scan import duplicate_scan
    from accord.dedupe.tests.synthetic import precision_recall

    truth = _inject(random.Random(args.seed))
    contacts = Contact.objects.count()
    baseline = min(_read_columns() for _ in range(max(1, args.repeat)))
    row = {"database": database, "size": size, "contacts": contacts, "baseline": baseline}
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        result = duplicate_scan(object_type="contact")
        seconds = time.perf_counter() - start
        precision, recall = precision_recall(set(result.pairs), truth)
        print_result(
            {
                **row,
                "operation": "contact scan",
                "seconds": seconds,
                "steps": result.seconds,
                "compared": result.pairs_compared,
                "found": result.pairs_found,
                "precision": precision,
                "recall": recall,
            }
        )
    start = time.perf_counter()
    companies = duplicate_scan(object_type="company")
    print_result(
        {
            **row,
            "operation": f"company scan ({Company.objects.count():,} companies)",
            "seconds": time.perf_counter() - start,
            "steps": companies.seconds,
            "compared": companies.pairs_compared,
            "found": companies.pairs_found,
            "precision": None,
            "recall": None,
        }
    )


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    table = []
    for row in rows:
        steps = ", ".join(f"{name} {value:.1f}" for name, value in row["steps"].items())
        table.append(
            [
                row["database"],
                f"{row['contacts']:,}",
                row["operation"],
                f"{row['seconds']:.1f}",
                f"{row['baseline']:.1f}",
                f"{row['seconds'] / row['baseline']:.1f}×" if row["baseline"] else "–",
                steps,
                f"{row['compared']:,}",
                f"{row['found']:,}",
                "–" if row["precision"] is None else f"{row['precision']:.3f}",
                "–" if row["recall"] is None else f"{row['recall']:.3f}",
            ]
        )
    print()
    print(
        f"Machine: {machine_description()}; known duplicates of {DUPLICATE_SHARE:.0%} of the demo contacts."
    )
    print_table(
        "Duplicate scan",
        [
            "database",
            "contacts",
            "operation",
            "seconds",
            "read baseline s",
            "vs baseline",
            "steps (s)",
            "pairs compared",
            "pairs found",
            "precision",
            "recall",
        ],
        table,
    )


def main() -> int:
    return in_process_benchmark_main(
        __doc__ or "", Path(__file__).resolve(), run_child=run_child, report=report, repeat=1
    )


if __name__ == "__main__":
    sys.exit(main())
