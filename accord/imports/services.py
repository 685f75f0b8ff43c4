"""Import runs (create, execute, revert) and saved column mappings.

``import_run_create`` checks the settings and the actor's rights; ``import_run_execute`` writes the rows
(from the file readers) in batches and can be called again on a run that stopped: it continues after the
run's checkpoint. Both are plain functions of their arguments, so the CLI, a background job and the web
pages call them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import FieldErrors, NotFound, PermissionDenied, ValidationFailed
from accord.core.garbage_collection import fewer_collections
from accord.core.permissions import require_create
from accord.core.services import save_unique
from accord.imports.fields import CUSTOM_PREFIX, KINDS, ImportKind
from accord.imports.matching import key_fields, row_key
from accord.imports.models import ImportRun, MappingTemplate
from accord.imports.pipeline import write_beside_drafting
from accord.imports.rows import ParsedRow
from accord.imports.writer import (
    BATCH_SIZE,
    BatchDrafts,
    KindWriter,
    RunContext,
    draft_batch,
    error_rows,
    write_drafts,
)
from accord.imports.writer_revert import revert_batch
from accord.imports.writer_sql import refresh_statistics
from accord.imports.writers import WRITERS

Progress = Callable[[int], None]


def _kind(name: str) -> ImportKind:
    if name not in KINDS:
        raise ValidationFailed({"kind": [f"Use one of: {', '.join(KINDS)}."]})
    return KINDS[name]


def _check_mapping(kind: ImportKind, mapping: Mapping[str, str], errors: FieldErrors) -> None:
    names = {field.name for field in kind.fields}
    for header, name in mapping.items():
        if name not in names and not name.startswith(CUSTOM_PREFIX):
            errors.add(
                "mapping",
                f"The column '{header}' is mapped to '{name}', which {kind.label.lower()} do not have.",
            )


def _require_rights(actor: Actor, kind: ImportKind, mapped: Iterable[str], on_duplicate: str) -> None:
    writer = WRITERS[kind.name]
    require_create(actor, writer.model, writer.permission_fields(mapped))
    if on_duplicate == ImportRun.OnDuplicate.UPDATE and not actor.access.can("edit", kind.object_type):
        raise PermissionDenied(f"Your role may not change {kind.label.lower()}: choose create or skip.")


@transaction.atomic
def import_run_create(
    *,
    actor: Actor,
    kind: str,
    file_name: str,
    mapping: Mapping[str, str],
    options: Mapping[str, Any] | None = None,
    match_key: str = ImportRun.MatchKey.NONE,
    on_duplicate: str = ImportRun.OnDuplicate.SKIP,
    dry_run: bool = False,
) -> ImportRun:
    """A run of ``kind`` from ``file_name`` with a column mapping (header -> field), ready to execute."""
    import_kind = _kind(kind)
    errors = FieldErrors()
    if match_key != ImportRun.MatchKey.NONE and match_key not in import_kind.match_keys:
        keys = ", ".join([*import_kind.match_keys, "none"])
        errors.add("match_key", f"{import_kind.label} match on: {keys}.")
    if on_duplicate not in ImportRun.OnDuplicate.values:
        errors.add("on_duplicate", f"Use one of: {', '.join(ImportRun.OnDuplicate.values)}.")
    _check_mapping(import_kind, mapping, errors)
    keyed = match_key != ImportRun.MatchKey.NONE and kind != "orders"
    if keyed and not set(key_fields(kind, match_key)) & set(mapping.values()):
        errors.add("match_key", f"No column is mapped to the {match_key.replace('_', ' ')} to match on.")
    if len(file_name) > 255:
        errors.add("file_name", "At most 255 characters.")
    errors.raise_if_any()
    _require_rights(actor, import_kind, mapping.values(), on_duplicate)
    run = ImportRun(
        kind=kind,
        file_name=file_name,
        mapping=dict(mapping),
        options=dict(options or {}),
        match_key=match_key,
        on_duplicate=on_duplicate,
        is_dry_run=dry_run,
        created_by_id=actor.user_id,
    )
    save_unique(run)
    audit_write(actor=actor, action="create", instance=run)
    return run


def import_run_execute(
    run: ImportRun,
    rows: Iterable[ParsedRow],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportRun:
    """Write ``rows`` (the whole file, from its first row) in batches; resumable.

    Rows at or below the run's checkpoint were written by an earlier execution and are only read (their
    keys still count for the duplicates of later rows). Each batch commits with its row errors, its counts
    and the new checkpoint, so a crash leaves whole batches, and executing the run again never writes a row
    twice. ``progress`` is called after each batch with the number of rows done so far.
    """
    run.refresh_from_db()
    if run.status in (ImportRun.Status.COMPLETED, ImportRun.Status.REVERTED):
        return run
    kind = _kind(run.kind)
    context = RunContext(
        run=run,
        kind=kind,
        writer_class=WRITERS[kind.name],
        actor=_actor(run),
        columns={name: header for header, name in reversed(list(run.mapping.items()))},
    )
    _require_rights(context.actor, kind, run.mapping.values(), run.on_duplicate)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, failure="")
    try:
        with fewer_collections():
            batches = _batches(context, rows, batch_size)
            if _drafts_beside_writing(context):
                write_beside_drafting(
                    batches,
                    draft=partial(_draft_beside, context),
                    write=partial(_write_beside, context),
                    must_wait=lambda drafts: drafts.creates_companies,
                    progress=progress,
                )
            else:
                for batch in batches:
                    done = _commit_batch(context, batch)
                    refresh_statistics()
                    if progress is not None:
                        progress(done)
    except Exception as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, failure=str(error)[:2000])
        raise
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.COMPLETED, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _actor(run: ImportRun) -> Actor:
    """Who the run writes as, read again for each batch so a changed role or team applies at once."""
    return Actor(user=run.created_by, via="import")


def _batches(context: RunContext, rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    writer: type[KindWriter] = context.writer_class
    checkpoint = context.run.checkpoint
    batch: list[ParsedRow] = []
    for row in rows:
        if row.row <= checkpoint:
            _remember(context, row)
            continue
        if len(batch) >= size and not writer.same_record(batch[-1], row):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _remember(context: RunContext, row: ParsedRow) -> None:
    """A row an earlier execution wrote: its key, as that execution saw it, for later duplicates."""
    if row.errors:
        return
    fixed = context.writer_class.fixed_key
    key = row.values.get(fixed) if fixed else row_key(context.kind.name, context.run.match_key, row.values)
    if key:
        context.seen.setdefault(str(key), row.row)


def _drafts_beside_writing(context: RunContext) -> bool:
    """Whether batches are drafted while the one before is written (``accord.imports.pipeline``). Not
    inside a transaction, whose rows the writer's own connection could not see (a test's); not for
    updates, whose drafts read the records that the batch being written may be changing; not for kinds
    whose rows name records of the same kind that earlier rows create (a company's parent)."""
    return (
        not connection.in_atomic_block
        and context.run.on_duplicate != ImportRun.OnDuplicate.UPDATE
        and context.writer_class.batches_independent
    )


def _draft_beside(context: RunContext, batch: list[ParsedRow]) -> BatchDrafts:
    run = ImportRun.objects.select_related("created_by").get(pk=context.run.pk)
    context.actor = _actor(run)  # the user as they are now: a role changed mid-import applies at once
    return draft_batch(context, batch)


def _write_beside(context: RunContext, batch: list[ParsedRow], drafts: BatchDrafts) -> int:
    """The writer thread's part: its own copy of the context, with the actor the batch was drafted as."""
    done = _commit_batch(replace(context, actor=drafts.actor), batch, drafts)
    refresh_statistics()  # counts the rows this thread inserted
    return done


def _commit_batch(context: RunContext, batch: list[ParsedRow], drafts: BatchDrafts | None = None) -> int:
    """One batch, its errors, counts and checkpoint in one transaction; a dry run's writes are rolled
    back before its report is stored. The rows done so far. ``drafts``: the batch as drafted outside the
    transaction (by ``_draft_beside``); drafted here otherwise."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=context.run.pk)
        if run.checkpoint >= batch[-1].row:
            return run.rows_seen  # another execution of this run wrote the batch meanwhile
        context.run = run
        if drafts is None:
            context.actor = _actor(run)  # the user as they are now: a role changed mid-import applies
            drafts = draft_batch(context, batch)
        savepoint = transaction.savepoint() if run.is_dry_run else None
        result = write_drafts(context, drafts)
        if savepoint is not None:
            transaction.savepoint_rollback(savepoint)
        error_rows(run, result.errors)
        run.created_count += result.created
        run.updated_count += result.updated
        run.skipped_count += result.skipped
        run.rejected_count += result.rejected
        run.companies_created_count += result.companies_created
        run.rows_seen += len(batch)
        run.checkpoint = batch[-1].row
        run.updated_at = timezone.now()
        run.save(
            update_fields=[
                "created_count", "updated_count", "skipped_count", "rejected_count", "companies_created_count",
                "rows_seen", "checkpoint", "updated_at",
            ]
        )  # fmt: skip
        return run.rows_seen


def import_revert(*, actor: Actor, run: ImportRun, progress: Progress | None = None) -> ImportRun:
    """Undo a run: delete what it created, restore what it updated, in batches, each audited.

    A record changed since the import is left as it is and listed in ``run.revert_conflicts``; so is a
    company the run created that other records use since. Resumable like the import itself.
    """
    run.refresh_from_db()
    if not (actor.access.is_admin or (actor.user_id is not None and actor.user_id == run.created_by_id)):
        raise NotFound(f"No import with id {run.pk}.")
    if run.is_dry_run:
        raise ValidationFailed({"run": ["A dry run wrote nothing: there is nothing to revert."]})
    if run.status == ImportRun.Status.REVERTED:
        raise ValidationFailed({"run": ["This import is already reverted."]})
    if run.status == ImportRun.Status.RUNNING:
        raise ValidationFailed({"run": ["This import is still running: wait for it to finish or fail."]})
    done = 0
    while True:
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().get(pk=run.pk)
            count = revert_batch(actor, locked)
        if not count:
            break
        done += count
        if progress is not None:
            progress(done)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.REVERTED, reverted_at=timezone.now())
    run.refresh_from_db()
    audit_write(actor=actor, action="revert", instance=run)
    return run


# ---------------------------------------------------------------------------- mapping templates

TEMPLATE_NAME_LENGTH = 100


@transaction.atomic
def mapping_template_create(
    *, actor: Actor, name: str, kind: str, mapping: Mapping[str, str], is_shared: bool = False
) -> MappingTemplate:
    """Save a mapping under a name; the actor's template of that name for the kind is replaced."""
    if actor.user_id is None:
        raise PermissionDenied("Only a signed-in user saves mapping templates.")
    import_kind = _kind(kind)
    errors = FieldErrors()
    name = name.strip()
    if not name or len(name) > TEMPLATE_NAME_LENGTH:
        errors.add("name", f"Give the template a name of at most {TEMPLATE_NAME_LENGTH} characters.")
    _check_mapping(import_kind, mapping, errors)
    errors.raise_if_any()
    template, created = MappingTemplate.objects.update_or_create(
        owner_id=actor.user_id,
        kind=kind,
        name=name,
        defaults={"mapping": dict(mapping), "is_shared": is_shared},
    )
    audit_write(actor=actor, action="create" if created else "update", instance=template)
    return template


@transaction.atomic
def mapping_template_delete(*, actor: Actor, template: MappingTemplate) -> None:
    """Only a template's owner deletes it (teammates only use shared ones)."""
    if template.owner_id != actor.user_id:
        raise NotFound(f"No mapping template with id {template.pk}.")
    audit_write(actor=actor, action="delete", instance=template)
    template.delete()
