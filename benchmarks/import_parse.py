#!/usr/bin/env python
"""How fast an import file is read and parsed, beside plain ``csv.reader`` over the same file.

    .venv/bin/python benchmarks/import_parse.py --rows 200000 [--xlsx-rows 50000]

A contacts file typical of a CRM export (first and last name, email, phone with and without a country
code, company, two tags, a created date in day/month/year) is generated with a fixed seed. Rows timed:
the baseline (``csv.reader`` with the file's encoding, every row materialised), ``open_table`` alone
(encoding and delimiter detection, blank-line skipping, row numbers), and ``open_table`` +
``parse_rows`` (every cell to its typed value), each the best of ``--repeat`` runs on one core. Goal
(issue #5): parsing ≥ 60,000 rows/s so that the whole import can reach 20,000 rows/s. With
``--xlsx-rows``, the same for an XLSX file (openpyxl read-only) against openpyxl's own iteration.
Parsing needs no database: nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from benchmarks.harness import machine_description, print_table  # noqa: E402

HEADERS = ["First Name", "Last Name", "Email", "Phone", "Company", "Tags", "Created"]
GIVEN = ["Anna", "Bernd", "Chloé", "David", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Klara"]
FAMILY = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"]
DOMAINS = ["example.com", "mail.de", "firma.de", "corp.example.org", "shop.example.net"]
COMPANIES = [f"Company {index}" for index in range(2000)]
TAGS = ["customer", "newsletter", "fair-2025", "vip", "partner", "lead"]


def _ascii(name: str) -> str:
    """How a name appears in an address: "Müller" -> "mueller", "Chloé" -> "chloe"."""
    return name.lower().replace("ü", "ue").replace("é", "e")


def contact_rows(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        email = f"{_ascii(given)}.{_ascii(family)}{index}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.8:
            phone = f"+49 151 {rng.randrange(10**7, 10**8)}"
        else:
            phone = f"030 {rng.randrange(10**6, 10**7)}"
        created = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
        tags = "; ".join(rng.sample(TAGS, 2))
        rows.append([given, family, email, phone, rng.choice(COMPANIES), tags, created])
    return rows


def best_of(repeat: int, run: Callable[[], int]) -> float:
    """Rows per second of the fastest of ``repeat`` runs (the least disturbed by the shared machine)."""
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - start)
    return rows / best


def measure(path: Path, *, repeat: int, baseline: Callable[[], int]) -> list[tuple[str, float]]:
    from accord.imports.fields import KINDS
    from accord.imports.mapping import suggest_mapping
    from accord.imports.parsers import ParseOptions, parse_rows
    from accord.imports.readers import open_table

    kind = KINDS["contacts"]
    options = ParseOptions(day_first=True, default_region="DE", time_zone="Europe/Berlin")

    def read_only() -> int:
        with path.open("rb") as file:
            return sum(1 for _ in open_table(file).rows)

    def read_and_parse() -> int:
        with path.open("rb") as file:
            table = open_table(file)
            mapping = suggest_mapping(kind, table.headers)
            rejected = 0
            count = 0
            for row in parse_rows(table, kind, mapping, options):
                count += 1
                rejected += not row.ok
        assert rejected == 0, f"{rejected} rows rejected"
        return count

    return [
        ("baseline", best_of(repeat, baseline)),
        ("open_table", best_of(repeat, read_only)),
        ("open_table + parse_rows", best_of(repeat, read_and_parse)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--xlsx-rows", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    arguments = parser.parse_args()

    table_rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "contacts.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(HEADERS)
            writer.writerows(contact_rows(arguments.rows, arguments.seed))

        def plain_csv() -> int:
            with csv_path.open(encoding="utf-8", newline="") as file:
                return sum(1 for _ in csv.reader(file)) - 1

        table_rows += _with_ratios(
            "csv", arguments.rows, measure(csv_path, repeat=arguments.repeat, baseline=plain_csv)
        )

        if arguments.xlsx_rows:
            import openpyxl

            xlsx_path = Path(folder) / "contacts.xlsx"
            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet()
            sheet.append(HEADERS)
            for row in contact_rows(arguments.xlsx_rows, arguments.seed):
                sheet.append(row)
            workbook.save(xlsx_path)

            def plain_openpyxl() -> int:
                book = openpyxl.load_workbook(xlsx_path, read_only=True)
                count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
                book.close()
                return count

            results = measure(xlsx_path, repeat=arguments.repeat, baseline=plain_openpyxl)
            table_rows += _with_ratios("xlsx", arguments.xlsx_rows, results)

    print(f"Machine: {machine_description()}")
    print_table(
        "Import parsing, contacts (rows/s, best of runs; ratio to the baseline's rows/s)",
        ["format", "rows", "operation", "rows/s", "ratio to baseline"],
        table_rows,
    )


def _with_ratios(file_format: str, size: int, results: list[tuple[str, float]]) -> list[list[object]]:
    """Table rows; the first result is the baseline the others are divided by."""
    baseline = results[0][1]
    return [[file_format, size, operation, rate, rate / baseline] for operation, rate in results]


if __name__ == "__main__":
    main()
