"""The steps between a file and ``import_run_execute`` that the background job, the command line and the
mapping page share: the run's options as ``ParseOptions``, samples of the first rows (for the mapping page
and the day/month suggestion), progress figures and the one-line report.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any

import phonenumbers
from django.conf import settings

from accord.core.errors import FieldErrors
from accord.core.selectors import custom_field_definitions
from accord.imports.dates import detect_day_first
from accord.imports.fields import KINDS, FieldType, ImportKind
from accord.imports.models import ImportRun
from accord.imports.parsers import ParseOptions, parse_rows
from accord.imports.rows import ParsedRow, Table
from accord.imports.services import import_run_execute

# Rows read to suggest the day/month order and to show sample values: enough to meet a day above 12.
SAMPLE_ROWS = 500
SAMPLE_VALUES = 3
OPTION_NAMES = ("day_first", "default_region", "time_zone", "decimal_comma", "sheet")


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_options(
    *,
    day_first: bool,
    default_region: str | None,
    time_zone: str | None,
    decimal_comma: bool,
    sheet: str | None = None,
) -> dict[str, Any]:
    """The options of a run as stored on it (JSON), checked: ``ValidationFailed`` names the bad ones."""
    errors = FieldErrors()
    region = (default_region or "").strip().upper() or None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        errors.add("default_region", f"'{default_region}' is not a country code such as US, GB or DE.")
    zone = (time_zone or "").strip() or None
    if zone is not None and zone not in time_zones():
        errors.add(
            "time_zone", f"'{time_zone}' is not a time zone such as Europe/Berlin or America/New_York."
        )
    errors.raise_if_any()
    return {
        "day_first": bool(day_first),
        "default_region": region,
        "time_zone": zone,
        "decimal_comma": bool(decimal_comma),
        "sheet": sheet or None,
    }


def parse_options(kind: ImportKind, options: Mapping[str, Any]) -> ParseOptions:
    return ParseOptions(
        day_first=bool(options.get("day_first")),
        default_region=options.get("default_region") or None,
        time_zone=options.get("time_zone") or None,
        decimal_comma=bool(options.get("decimal_comma")),
        custom_fields=tuple(custom_field_definitions(kind.object_type)),
    )


def parsed_rows(
    table: Table, kind: ImportKind, mapping: Mapping[str, str | None], options: Mapping[str, Any]
) -> Iterator[ParsedRow]:
    return parse_rows(table, kind, mapping, parse_options(kind, options))


# ---------------------------------------------------------------------------------------------- samples


@dataclass(frozen=True, slots=True)
class Sample:
    """The first rows of a file: what the mapping page shows and the day/month order is guessed from."""

    headers: list[str]
    rows: list[list[str]]

    def values(self, index: int, limit: int = SAMPLE_VALUES) -> list[str]:
        """The first ``limit`` different non-empty values of column ``index``."""
        found: list[str] = []
        for cells in self.rows:
            value = cells[index].strip() if index < len(cells) else ""
            if value and value not in found:
                found.append(value)
                if len(found) == limit:
                    break
        return found

    def day_first(self, kind: ImportKind, mapping: Mapping[str, str | None]) -> bool | None:
        """Whether the columns mapped to dates put the day first, when their values tell."""
        date_types = {FieldType.DATE, FieldType.DATETIME}
        dated = {field.name for field in kind.fields if field.type in date_types}
        columns = [index for index, header in enumerate(self.headers) if mapping.get(header) in dated]
        return detect_day_first(
            cells[index] for cells in self.rows for index in columns if index < len(cells)
        )


def read_sample(table: Table, rows: int = SAMPLE_ROWS) -> Sample:
    """Consumes the first ``rows`` rows of ``table``: open the file again to import it."""
    return Sample(headers=list(table.headers), rows=[cells for _, cells in islice(table.rows, rows)])


# ---------------------------------------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class Counts:
    rows: int
    created: int
    updated: int
    skipped: int
    rejected: int

    @classmethod
    def of(cls, run: ImportRun) -> Counts:
        return cls(run.rows_seen, run.created_count, run.updated_count, run.skipped_count, run.rejected_count)

    @property
    def line(self) -> str:
        """The command line's last line."""
        return f"created {self.created}, updated {self.updated}, skipped {self.skipped}, rejected {self.rejected}"

    @property
    def message(self) -> str:
        """The progress bar's text: "12,000 rows: 11,200 created, 500 skipped, 300 rejected"."""
        parts = [
            f"{count:,} {label}"
            for count, label in (
                (self.created, "created"),
                (self.updated, "updated"),
                (self.skipped, "skipped"),
                (self.rejected, "rejected"),
            )
            if count
        ]
        return f"{self.rows:,} rows" + (f": {', '.join(parts)}" if parts else "")


def estimated_total(done: int, fraction: float) -> int | None:
    """Rows in the whole file, judged from how far into it the reader is (bytes or sheet rows)."""
    if fraction <= 0:
        return None
    return max(done, round(done / min(fraction, 1.0)))


Report = Callable[[Counts, float], None]


def execute(run: ImportRun, table: Table, *, report: Report | None = None) -> ImportRun:
    """Parse ``table`` with the run's mapping and options and write it; after each committed batch,
    ``report`` gets the run's counts and the fraction of the file read. Continues after the run's
    checkpoint when an earlier execution stopped."""
    kind = KINDS[run.kind]
    rows = parsed_rows(table, kind, run.mapping, run.options)

    def batch_done(done: int) -> None:
        if report is not None:
            current = ImportRun.objects.only(*COUNT_FIELDS).get(pk=run.pk)
            report(Counts.of(current), table.fraction_read())

    return import_run_execute(run, rows, progress=batch_done, batch_size=settings.ACCORD_IMPORT_BATCH_SIZE)


COUNT_FIELDS: Sequence[str] = (
    "rows_seen",
    "created_count",
    "updated_count",
    "skipped_count",
    "rejected_count",
)
