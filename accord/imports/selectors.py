"""Reads of import runs, their error files and the saved mapping templates, scoped to who may see them."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from accord.access.models import TeamMembership
from accord.core.actors import Actor
from accord.core.errors import NotFound
from accord.core.export import cell
from accord.imports.models import ImportRowError, ImportRun, MappingTemplate

ERROR_FILE_HEADER = ["row", "column", "reason"]


def import_run_list(*, actor: Actor) -> QuerySet[ImportRun]:
    """The runs the actor started; administrators see every run."""
    runs = ImportRun.objects.select_related("created_by")
    if actor.access.is_admin:
        return runs
    return runs.filter(created_by_id=actor.user_id) if actor.user_id is not None else runs.none()


def import_run_get(*, actor: Actor, pk: int) -> ImportRun:
    run = import_run_list(actor=actor).filter(pk=pk).first()
    if run is None:
        raise NotFound(f"No import with id {pk}.")
    return run


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes, one line at a time."""

    def write(self, text: str) -> str:
        return text


def import_error_rows(run: ImportRun, *, chunk: int = 2000) -> Iterator[str]:
    """The error file as CSV lines, streamed: row number, column, reason, then the row's original cells.

    Read in chunks by id, so a file with a million rejected rows is never held in memory."""
    writer = csv.writer(_Line())
    yield writer.writerow(ERROR_FILE_HEADER)
    last = 0
    while True:
        errors = list(
            ImportRowError.objects.filter(run=run, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "row", "column", "reason", "cells")[:chunk]
        )
        if not errors:
            return
        for pk, row, column, reason, cells in errors:
            # The original cells may hold formulas: neutralised as in every export (OWASP CSV injection).
            yield writer.writerow([row, cell(column), cell(reason), *(cell(text) for text in cells)])
            last = pk


def mapping_template_list(*, actor: Actor, kind: str | None = None) -> QuerySet[MappingTemplate]:
    """The actor's templates and those their teammates share."""
    if actor.user_id is None:
        return MappingTemplate.objects.none()
    teammates = TeamMembership.objects.filter(team_id__in=sorted(actor.access.team_ids)).values("user_id")
    templates = MappingTemplate.objects.filter(
        Q(owner_id=actor.user_id) | Q(owner_id__in=teammates, is_shared=True)
    )
    return templates.filter(kind=kind) if kind else templates


def mapping_template_get(*, actor: Actor, pk: int) -> MappingTemplate:
    template = mapping_template_list(actor=actor).filter(pk=pk).first()
    if template is None:
        raise NotFound(f"No mapping template with id {pk}.")
    return template
