"""The import writer: parsed rows into records, one transaction per batch.

For each batch: rows the readers rejected are reported; a row repeating a key seen earlier in the file is
rejected ("Duplicate of row 12"); the records the rows name are resolved (one query per kind of reference,
``writer_refs``) and the records they match are found (one query, ``matching``); each row is checked with
the services' own field rules (``writer_kinds``) and becomes a new record, an update, a skip or a rejection
(``draft_batch``: reads only); then every table is written with one statement (``write_drafts``,
``writer_sql``): records, their child rows, tags, search entries, one audit entry per record and the
``ImportedRecord`` rows a revert needs. The row errors, the counts and the checkpoint are written in the
same transaction, so a crash leaves whole batches only. The next batch may be drafted while one is written
(``pipeline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any

from django.db import models
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import changes_json, jsonable
from accord.core.custom_fields import definitions_read_once
from accord.core.errors import PermissionDenied, ValidationFailed
from accord.core.models import AuditEntry, SearchEntry, Tag
from accord.core.permissions import require_create, require_edit
from accord.core.search import SearchFields, deferred_search_indexing
from accord.core.services import tags_from_names, validated
from accord.customers.models import Company
from accord.customers.services import cleaned_company_fields, company_search_fields
from accord.imports.fields import ImportKind
from accord.imports.matching import find_matches, key_fields, row_key, row_keys
from accord.imports.models import ImportedRecord, ImportRowError, ImportRun
from accord.imports.rows import ParsedRow, RowError
from accord.imports.writer_refs import CompanyKey, References, Rejected
from accord.imports.writer_sql import Table, reserve_ids, update_rows

BATCH_SIZE = 5000  # rows per transaction; settings.ACCORD_IMPORT_BATCH_SIZE for runs
# The order-line inputs of the order service, as the import fields that hold them.
LINE_FIELDS = {"description": "line_description", "product_id": "product_sku"}
NO_CHANGES: dict[str, Any] = {}  # one shared object, so the JSON of every create's audit entry is dumped once
MATCHES_RECORD_YOU_MAY_NOT_CHANGE = "This row matches an existing record that you may not change."


@dataclass(eq=False)
class Draft:
    """One record a batch will create or update, checked and ready to write."""

    rows: list[ParsedRow]  # the file rows it comes from: one, or an order's lines
    fields: dict[str, Any]  # create: the record's columns; update: the new value of each changed column
    existing: models.Model | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # update: for the audit entry
    previous: dict[str, Any] = field(default_factory=dict)  # update: what a revert restores
    tags: list[str] = field(default_factory=list)  # create: its tags; update: the tags it adds
    children: dict[str, Any] = field(default_factory=dict)
    companies: list[CompanyKey] = field(default_factory=list)  # companies to create first
    # Foreign keys to companies created by this batch: field -> reference, set once they exist.
    late: dict[str, Any] = field(default_factory=dict)
    search: Callable[[], SearchFields] | None = None
    # create: the search entry's (title, subtitle, text), computed when the batch is drafted, so that
    # the writer thread (accord.imports.pipeline) has less Python to run
    entry: tuple[str, str, str] | None = None
    label: str = ""
    pk: int = 0

    @property
    def row(self) -> ParsedRow:
        return self.rows[0]


@dataclass
class BatchResult:
    """What one batch did; kept apart from the run until its transaction commits."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    companies_created: int = 0
    errors: list[tuple[int, str, str, list[str]]] = field(default_factory=list)  # row, column, reason, cells


class KindWriter:
    """What differs between kinds of records; ``writer_kinds`` has one subclass per import kind."""

    kind: ImportKind
    model: type[models.Model]
    search_kind = ""  # the record's kind in the search index; "" when it has no entry
    needs: frozenset[str] = frozenset()  # references to load: companies, contacts, stages, products, deals
    fixed_key = ""  # a key every row has whatever the run matches on (an order's number)
    # Whether a batch may be drafted while the one before is written (accord.imports.pipeline): not when
    # rows may name records of this kind that earlier rows create.
    batches_independent = True

    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.actor = context.actor

    def groups(self, rows: Sequence[ParsedRow]) -> list[list[ParsedRow]]:
        """The rows that make one record each (an order's lines are several rows)."""
        return [[row] for row in rows]

    def load(self, pks: Iterable[int]) -> dict[int, models.Model]:
        """Existing records, with what ``update`` reads of them, by id."""
        return self.model._default_manager.in_bulk(list(pks))

    def create(self, rows: list[ParsedRow], refs: References) -> Draft:
        raise NotImplementedError

    def update(self, rows: list[ParsedRow], refs: References, existing: Any) -> Draft:
        raise NotImplementedError

    def write_children(self, created: list[Draft], updated: list[Draft], refs: References) -> None:
        """Insert the child rows of new records, and those that updates add."""

    @classmethod
    def permission_fields(cls, mapped: Iterable[str]) -> list[str]:
        """The service input names that the mapped fields write, for the hidden-field check."""
        return [name for name in mapped if name in {f.attname for f in cls.model._meta.fields}]

    @classmethod
    def same_record(cls, previous: ParsedRow, row: ParsedRow) -> bool:
        """Whether ``row`` continues ``previous``'s record (a batch never splits one)."""
        return False

    # helpers for the subclasses

    def owner(self, refs: References, values: dict[str, Any], *, default: bool) -> dict[str, Any]:
        owner_id = refs.owner(values)
        if owner_id is None:
            return {"owner_id": self.actor.user_id} if default else {}
        return {"owner_id": owner_id}

    def company(
        self,
        refs: References,
        draft_companies: list[CompanyKey],
        key: CompanyKey | None,
        *,
        create: bool = True,
    ) -> int | CompanyKey | None:
        if key is None:
            return None
        reference = refs.company(key, create=create and self._may_create_companies())
        if reference is not None and not isinstance(reference, int):
            draft_companies.append(reference)
        return reference

    def _may_create_companies(self) -> bool:
        try:
            require_create(self.actor, Company)
        except PermissionDenied:
            return False
        return True


@dataclass
class RunContext:
    """One execution of a run: its settings, and what it remembers from one batch to the next."""

    run: ImportRun
    kind: ImportKind
    writer_class: type[KindWriter]
    actor: Actor
    columns: dict[str, str]  # field name -> the file's column header
    seen: dict[str, int] = field(default_factory=dict)  # key -> the row that had it first
    # The other keys of records this execution created (a contact's other emails): a later row with one of
    # them is that record, even while the batch creating it is still being written (``pipeline``).
    other_keys: set[str] = field(default_factory=set)
    dry_companies: set[CompanyKey] = field(default_factory=set)  # dry run: companies already counted

    def column(self, field_name: str) -> str:
        return self.columns.get(field_name, "")


@dataclass
class BatchDrafts:
    """A batch checked and drafted (``draft_batch``), ready for ``write_drafts``."""

    actor: Actor  # who drafted it: the writes are audited as them
    result: BatchResult
    refs: References | None = None  # None when no row is left to write
    created: list[Draft] = field(default_factory=list)
    updated: list[Draft] = field(default_factory=list)

    @property
    def creates_companies(self) -> bool:
        return any(draft.companies for draft in [*self.created, *self.updated])


def draft_batch(context: RunContext, rows: Sequence[ParsedRow]) -> BatchDrafts:
    """Check and draft one batch; reads only. Rows rejected here, and skipped ones, are in the result."""
    writer = context.writer_class(context)
    drafts = BatchDrafts(actor=context.actor, result=BatchResult())
    result = drafts.result
    run = context.run
    candidates: list[tuple[list[ParsedRow], str | None]] = []
    for group in writer.groups(rows):
        if any(row.errors for row in group):
            _reject_parsed(result, group)
            continue
        key = _key(writer, context, group[0])
        if key is not None and key in context.seen:
            first = context.seen[key]
            _reject(result, context, group, _key_field(writer, context), f"Duplicate of row {first}.")
            continue
        if key is not None:
            context.seen[key] = group[0].row
        candidates.append((group, key))
    if not candidates:
        return drafts
    with definitions_read_once():
        refs = References.load(
            context.actor, [row for group, _ in candidates for row in group], set(writer.needs)
        )
        drafts.refs = refs
        match_key = "external_id" if writer.fixed_key else run.match_key
        matches = find_matches(context.kind.name, match_key, [key for _, key in candidates if key])
        wanted = (
            {pk for pk in matches.values()} if run.on_duplicate == ImportRun.OnDuplicate.UPDATE else set()
        )
        existing = writer.load(wanted) if wanted else {}
        rule = _existing_rule(writer, run)
        for group, key in candidates:
            pk = matches.get(key) if key else None
            matched = pk is not None or (key is not None and key in context.other_keys)
            try:
                if matched and rule == SKIP:
                    result.skipped += 1
                    continue
                if matched and rule == REJECT:
                    raise Rejected(writer.fixed_key, ANOTHER_ORDER_HAS_THIS_NUMBER)
                if pk is not None and rule == UPDATE:
                    record = existing[pk]
                    try:
                        require_edit(context.actor, record, writer.permission_fields(context.columns))
                    except PermissionDenied as error:
                        raise Rejected("", MATCHES_RECORD_YOU_MAY_NOT_CHANGE) from error
                    draft = writer.update(group, refs, record)
                    draft.existing = record
                    drafts.updated.append(draft)
                else:
                    draft = writer.create(group, refs)
                    draft.entry = draft.search().stored() if draft.search else None
                    drafts.created.append(draft)
                    if not writer.fixed_key:
                        context.other_keys.update(
                            row_keys(context.kind.name, run.match_key, group[0].values)[1:]
                        )
            except Rejected as error:
                _reject(result, context, group, error.field, error.reason)
            except ValidationFailed as error:
                _reject_fields(result, context, group, error)
    return drafts


def write_drafts(context: RunContext, drafts: BatchDrafts) -> BatchResult:
    """Write a drafted batch (the caller holds the transaction); what the batch did."""
    result = drafts.result
    refs = drafts.refs
    if refs is None:
        return result
    writer = context.writer_class(context)
    created, updated = drafts.created, drafts.updated
    with definitions_read_once():
        created = _create_companies(context, refs, created, updated, result)
        _write(context, writer, refs, created, updated)
    result.created += len(created)
    result.updated += len(updated)
    return result


# What a row matching a record becomes, by the run's rule.
SKIP, UPDATE, REJECT, CREATE = "skip", "update", "reject", "create"
ANOTHER_ORDER_HAS_THIS_NUMBER = "Another order has this number."


def _existing_rule(writer: KindWriter, run: ImportRun) -> str:
    if run.on_duplicate == ImportRun.OnDuplicate.SKIP:
        return SKIP
    if run.on_duplicate == ImportRun.OnDuplicate.UPDATE:
        return UPDATE
    # An order's number is its identity: a second order with the same number is never created.
    return REJECT if writer.fixed_key else CREATE


def _key(writer: KindWriter, context: RunContext, row: ParsedRow) -> str | None:
    if writer.fixed_key:
        value = row.values.get(writer.fixed_key)
        return str(value) if value else None
    return row_key(context.kind.name, context.run.match_key, row.values)


def _key_field(writer: KindWriter, context: RunContext) -> str:
    if writer.fixed_key:
        return writer.fixed_key
    names = key_fields(context.kind.name, context.run.match_key)
    return names[0] if names else ""


# ---------------------------------------------------------------------------- rejections


def _reject_parsed(result: BatchResult, group: list[ParsedRow]) -> None:
    bad = [row for row in group if row.errors]
    for row in group:
        errors = row.errors or [
            RowError(row.row, "", f"Another line of this order was rejected (row {bad[0].row}).")
        ]
        for error in errors:
            result.errors.append((row.row, error.column, error.reason, list(row.cells)))
    result.rejected += len(group)


def _reject(
    result: BatchResult, context: RunContext, group: list[ParsedRow], field_name: str, reason: str
) -> None:
    _reject_rows(result, context, group, {0: [(field_name, reason)]})


def _reject_fields(
    result: BatchResult, context: RunContext, group: list[ParsedRow], error: ValidationFailed
) -> None:
    """Errors of the services' checks name fields (``lines.2.unit_price`` for an order's third line)."""
    by_row: dict[int, list[tuple[str, str]]] = {}
    for name, messages in error.fields.items():
        index = 0
        if name.startswith("lines."):
            _, position, name = name.split(".", 2)
            index = int(position)
            name = LINE_FIELDS.get(name, name)
        for message in messages:
            by_row.setdefault(index, []).append((name, message))
    _reject_rows(result, context, group, by_row)


def _reject_rows(
    result: BatchResult, context: RunContext, group: list[ParsedRow], by_row: dict[int, list[tuple[str, str]]]
) -> None:
    first = group[min(by_row)].row if by_row else group[0].row
    for index, row in enumerate(group):
        reasons = by_row.get(index) or [("", f"Another line of this order was rejected (row {first}).")]
        for field_name, reason in reasons:
            column = context.column(field_name.split(".")[0]) if field_name else ""
            result.errors.append((row.row, column, reason, list(row.cells)))
    result.rejected += len(group)


# ---------------------------------------------------------------------------- companies named by rows


def _create_companies(
    context: RunContext, refs: References, created: list[Draft], updated: list[Draft], result: BatchResult
) -> list[Draft]:
    """Create the companies that accepted rows name and that do not exist yet; the drafts still accepted
    (a company that cannot be created, say for a required custom field, rejects the rows naming it)."""
    keys = list(dict.fromkeys(key for draft in [*created, *updated] for key in draft.companies))
    if not keys:
        return created
    owner_of: dict[CompanyKey, int | None] = {}
    for draft in [*created, *updated]:
        for key in draft.companies:
            owner_of.setdefault(key, draft.fields.get("owner_id", context.actor.user_id))
    drafts: list[Draft] = []
    refused: dict[CompanyKey, ValidationFailed] = {}
    for key in keys:
        domain, name = key
        try:
            fields = validated(
                cleaned_company_fields,
                context.actor,
                {"name": name or domain, "domain": domain},
                instance=None,
            )
        except ValidationFailed as error:
            refused[key] = error
            continue
        fields["owner_id"] = owner_of[key]
        company = Company(**fields)
        drafts.append(
            Draft(
                rows=[],
                fields=fields,
                search=partial(company_search_fields, company),
                label=str(company),
            )
        )
        drafts[-1].children["key"] = key
    kept = created
    if refused:
        kept = []
        for draft in created:
            bad = next((key for key in draft.companies if key in refused), None)
            if bad is None:
                kept.append(draft)
                continue
            message = "; ".join(m for messages in refused[bad].fields.values() for m in messages)
            _reject(
                result,
                context,
                draft.rows,
                "company_name",
                f"The company '{bad[1] or bad[0]}' could not be created: {message}",
            )
        updated[:] = [d for d in updated if not any(key in refused for key in d.companies)]
    ids = reserve_ids(Company, len(drafts))
    now = timezone.now()
    for draft, pk in zip(drafts, ids, strict=True):
        draft.pk = pk
        draft.fields.update(created_at=now, updated_at=now)
        refs.pending[draft.children["key"]] = pk
        refs.company_names[pk] = draft.label
    insert_records(Company, drafts)
    record_side_rows(context, Company, "company", drafts, [])
    fresh = [draft for draft in drafts if draft.children["key"] not in context.dry_companies]
    if context.run.is_dry_run:
        context.dry_companies.update(draft.children["key"] for draft in drafts)
    result.companies_created += len(fresh)
    return kept


# ---------------------------------------------------------------------------- writing


def _write(
    context: RunContext, writer: KindWriter, refs: References, created: list[Draft], updated: list[Draft]
) -> None:
    model = writer.model
    now = timezone.now()
    for draft in created:
        draft.fields.update({name: refs.company_id(reference) for name, reference in draft.late.items()})
    for draft in updated:
        late = {name: refs.company_id(reference) for name, reference in draft.late.items()}
        apply_changes(draft, draft.existing, field_changes(draft.existing, late))  # type: ignore[arg-type]
    for draft, pk in zip(created, reserve_ids(model, len(created)), strict=True):
        draft.pk = pk
        draft.fields.setdefault("created_at", now)
        draft.fields["updated_at"] = now
    changed = [draft for draft in updated if draft.changes]
    for draft in changed:
        draft.pk = draft.existing.pk  # type: ignore[union-attr]
    insert_records(model, created)
    if changed:
        update_rows(model, {draft.pk: draft.fields for draft in changed if draft.fields}, bump=True)
        # Records whose only change is in their child rows still take a new version, as a service's save does.
        children_only: dict[int, dict[str, Any]] = {draft.pk: {} for draft in changed if not draft.fields}
        if children_only:
            update_rows(model, children_only, bump=True)
    writer.write_children(created, changed, refs)
    _write_tags(context, model, created, changed)
    record_side_rows(context, model, writer.search_kind, created, changed)


def insert_records(model: type[models.Model], drafts: list[Draft]) -> None:
    """Insert new records with their reserved ids; columns a draft leaves out take the field's default."""
    if not drafts:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ["id", *(f.attname for f in fields)]
    row_of = itemgetter(*columns)
    Table(model, columns).insert(row_of({**defaults, **draft.fields, "id": draft.pk}) for draft in drafts)


def record_side_rows(
    context: RunContext,
    model: type[models.Model],
    search_kind: str,
    created: list[Draft],
    updated: list[Draft],
) -> None:
    """Search entries, audit entries and the ImportedRecord rows of written records."""
    actor = context.actor
    object_type = model._meta.model_name or ""
    label = model._meta.label_lower
    now = timezone.now()
    if search_kind:
        if updated:
            SearchEntry.objects.filter(kind=search_kind, object_id__in=[d.pk for d in updated]).delete()
        entries = []
        for draft in [*created, *updated]:
            if draft.search is None:
                continue
            title, subtitle, text = draft.entry or draft.search().stored()
            owner = draft.fields.get("owner_id", getattr(draft.existing, "owner_id", None))
            entries.append((search_kind, draft.pk, owner, title, subtitle, text))
        with deferred_search_indexing():
            Table(SearchEntry, ["kind", "object_id", "owner_id", "title", "subtitle", "text"]).insert(entries)
    audit = [
        (now, actor.user_id, actor.token_id, actor.via, "create", label, d.pk, d.label[:300], NO_CHANGES)
        for d in created
    ]
    audit += [
        (
            now,
            actor.user_id,
            actor.token_id,
            actor.via,
            "update",
            label,
            d.pk,
            d.label[:300],
            changes_json(d.changes),
        )
        for d in updated
    ]
    columns = [
        "occurred_at",
        "actor_id",
        "token_id",
        "via",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
    ]
    Table(AuditEntry, columns).insert(audit)
    run_id = context.run.pk
    imported = [(run_id, object_type, d.pk, "created", 1, NO_CHANGES) for d in created]
    imported += [
        (run_id, object_type, d.pk, "updated", d.existing.version + 1, d.previous)  # type: ignore[union-attr]
        for d in updated
    ]
    Table(ImportedRecord, ["run_id", "object_type", "object_id", "action", "version", "previous"]).insert(
        imported
    )


def _write_tags(
    context: RunContext, model: type[models.Model], created: list[Draft], updated: list[Draft]
) -> None:
    names = sorted({name for draft in [*created, *updated] for name in draft.tags})
    if not names:
        return
    known = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    tags = {tag.name: tag.pk for tag in tags_from_names(names)}
    new = [tags[name] for name in names if name not in known]
    run_id = context.run.pk
    Table(ImportedRecord, ["run_id", "object_type", "object_id", "action", "version", "previous"]).insert(
        (run_id, "tag", pk, "created", 1, NO_CHANGES) for pk in new
    )
    relation = model._meta.get_field("tags")
    through = relation.remote_field.through  # type: ignore[union-attr]
    owner_column = relation.m2m_column_name()  # type: ignore[union-attr]
    tag_column = relation.m2m_reverse_name()  # type: ignore[union-attr]
    Table(through, [owner_column, tag_column]).insert(
        (draft.pk, tags[name]) for draft in [*created, *updated] for name in dict.fromkeys(draft.tags)
    )


def jsonable_previous(record: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of ``names`` in the form a revert reads back."""
    return {name: jsonable(getattr(record, name)) for name in names}


def tag_names_of(record: models.Model) -> list[str]:
    return sorted(tag.name for tag in record.tags.all())  # type: ignore[attr-defined]


def error_rows(run: ImportRun, errors: list[tuple[int, str, str, list[str]]]) -> None:
    Table(ImportRowError, ["run_id", "row", "column", "reason", "cells"]).insert(
        (run.pk, row, column, reason, cells) for row, column, reason, cells in errors
    )


# ---------------------------------------------------------------------------- helpers of the kinds

_COLUMN_RULES: dict[type[models.Model], tuple[dict[str, int], dict[str, frozenset[str]]]] = {}


def check_columns(model: type[models.Model], fields: dict[str, Any]) -> None:
    """The model's own limits on the values of ``fields``: text lengths and choices. The services leave
    them to the API schemas, which an import does not go through."""
    if model not in _COLUMN_RULES:
        lengths = {f.attname: f.max_length for f in model._meta.concrete_fields if f.max_length}
        choices = {
            f.attname: frozenset(str(value) for value, _ in f.choices)
            for f in model._meta.concrete_fields
            if f.choices
        }
        _COLUMN_RULES[model] = (lengths, choices)
    lengths, choices = _COLUMN_RULES[model]
    problems: dict[str, list[str]] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            if name in lengths and len(value) > lengths[name]:
                problems[name] = [f"At most {lengths[name]} characters."]
            elif name in choices and value not in choices[name]:
                problems[name] = [f"Use one of: {', '.join(sorted(choices[name]))}."]
    if problems:
        raise ValidationFailed(problems)


def data_from(values: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The service input for the row's values of ``names``, with its custom fields (``custom:<key>``)."""
    data = {name: values[name] for name in names if name in values}
    custom = {name[7:]: value for name, value in values.items() if name.startswith("custom:")}
    if custom:
        data["custom_fields"] = custom
    return data


def split_name(values: dict[str, Any]) -> dict[str, str]:
    """First and last name from the row; a full name is split at its last space when they are absent."""
    if values.get("given_name") or values.get("family_name"):
        return {name: values[name] for name in ("given_name", "family_name") if name in values}
    full = (values.get("full_name") or "").strip()
    if not full:
        return {}
    given, _, family = full.rpartition(" ")
    return {"given_name": given, "family_name": family}


def field_changes(existing: models.Model, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(existing, name), value)
        for name, value in fields.items()
        if getattr(existing, name) != value
    }


def apply_changes(draft: Draft, existing: models.Model, changes: dict[str, tuple[Any, Any]]) -> None:
    """Make an update draft from field changes: new values, audit changes, previous values; the loaded
    instance takes the new values so the search entry is computed from what the record becomes."""
    draft.fields.update({name: new for name, (_, new) in changes.items()})
    draft.changes.update(changes)
    draft.previous.update({name: jsonable(old) for name, (old, _) in changes.items()})
    for name, (_, new) in changes.items():
        setattr(existing, name, new)


def check_tags(values: dict[str, Any]) -> list[str]:
    if not values.get("tags"):
        return []
    tags = list(dict.fromkeys(tag.strip() for tag in values.get("tags") or [] if tag.strip()))
    if any(len(tag) > 60 for tag in tags):
        raise Rejected("tags", "A tag is at most 60 characters long.")
    return tags
