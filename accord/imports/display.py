"""What the import pages show, computed here so templates only lay it out: the preview table (the first
rows as they will be stored, each cell's error in place), typed values as text, a run's state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accord.imports.fields import CUSTOM_PREFIX, ImportKind
from accord.imports.launch import job_is_active
from accord.imports.models import ImportRun
from accord.imports.rows import ParsedRow


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass(frozen=True, slots=True)
class PreviewCell:
    text: str
    errors: list[str]


@dataclass(slots=True)
class PreviewRow:
    number: int
    cells: list[PreviewCell]
    problems: list[str] = field(default_factory=list)  # about the row as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and not any(cell.errors for cell in self.cells)


@dataclass(frozen=True, slots=True)
class PreviewTable:
    labels: list[str]
    rows: list[PreviewRow]

    @property
    def rejected(self) -> int:
        return sum(not row.ok for row in self.rows)


def preview_table(
    kind: ImportKind,
    mapping: Mapping[str, str | None],
    rows: Sequence[ParsedRow],
    labels: Mapping[str, str],
) -> PreviewTable:
    """One column per field the mapping fills, in the kind's order (a full name split into first and last
    name shows as those); each error goes to the cell of the column it names, else to the row."""
    mapped = {name for name in mapping.values() if name}
    if "full_name" in mapped and not mapped & {"given_name", "family_name"}:
        mapped |= {"given_name", "family_name"}
    order = [f.name for f in kind.fields] + sorted(name for name in mapped if name.startswith(CUSTOM_PREFIX))
    names = [name for name in order if name in mapped]
    field_of = {header: name for header, name in mapping.items() if name}
    table_rows = []
    for row in rows:
        by_field: dict[str, list[str]] = {}
        problems = []
        for error in row.errors:
            name = field_of.get(error.column)
            if name in names:
                by_field.setdefault(name, []).append(error.reason)
            else:
                problems.append(f"{error.column}: {error.reason}" if error.column else error.reason)
        cells = [
            PreviewCell(as_text(row.values[name]) if name in row.values else "", by_field.get(name, []))
            for name in names
        ]
        table_rows.append(PreviewRow(row.row, cells, problems))
    return PreviewTable(labels=[labels.get(name, name) for name in names], rows=table_rows)


@dataclass(frozen=True, slots=True)
class RunState:
    """A run as its page shows it: what is under way, and which actions apply."""

    label: str  # "Running", "Completed", "Waiting for a worker", …
    css: str  # the status badge's class (the jobs pages' colours)
    is_active: bool  # a job of the run is queued or running: the page polls


def run_state(run: ImportRun) -> RunState:
    importing, reverting = job_is_active(run.job), job_is_active(run.revert_job)
    if reverting:
        return RunState("Reverting", "running", True)
    if importing and run.status in (ImportRun.Status.PENDING, ImportRun.Status.FAILED):
        # A queued job, or one given back by a worker that stopped: it continues after its checkpoint.
        return RunState("Waiting for a worker", "queued", True)
    if run.status == ImportRun.Status.RUNNING:
        return RunState("Running", "running", True)
    css = {
        ImportRun.Status.COMPLETED: "succeeded",
        ImportRun.Status.FAILED: "failed",
        ImportRun.Status.REVERTED: "cancelled",
    }.get(ImportRun.Status(run.status), "queued")
    return RunState(run.get_status_display(), css, importing)
