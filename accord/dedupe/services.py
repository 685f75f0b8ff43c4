"""Writes of duplicate handling: merging records, undoing a merge, dismissing a candidate pair.

A merge runs in one transaction: every record is locked and version-checked, the actor must be allowed
to edit each of them, the survivor takes the chosen value of each field, every row that points at a
loser moves to the survivor (``accord.dedupe.links``), the losers are deleted, and the audit trail gets
one ``merge`` entry on the survivor and one ``merged`` entry per loser. What undo needs is kept in a
``MergeRecord``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_event, audit_write
from accord.core.errors import Conflict, ValidationFailed
from accord.core.permissions import require_admin, require_edit
from accord.core.search import search_index_remove
from accord.core.services import check_version, lock_for_update
from accord.customers.models import Company, Contact
from accord.customers.services import company_index, contact_index
from accord.customers.summaries import contact_summaries_refresh
from accord.dedupe import links
from accord.dedupe.models import DuplicateCandidate, MergeRecord
from accord.dedupe.tasks import scan
from accord.jobs.models import Job

MAX_MERGED = 10  # records in one merge: a reviewer compares them side by side


@dataclass(frozen=True)
class MergeSpec:
    """What differs between merging contacts and merging companies."""

    object_type: str
    model: type[Model]
    fields: tuple[str, ...]  # the fields a merge chooses a value for (attnames)
    index: Callable[[Any], None]  # refresh the survivor's search entry


SPECS: dict[str, MergeSpec] = {
    "contact": MergeSpec(
        "contact",
        Contact,
        (
            "given_name",
            "family_name",
            "job_title",
            "lifecycle_stage",
            "acquisition_source",
            "acquisition_channel",
            "owner_id",
        ),
        contact_index,
    ),
    "company": MergeSpec(
        "company",
        Company,
        (
            "name",
            "domain",
            "industry",
            "size_band",
            "annual_revenue",
            "currency",
            "phone",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "parent_id",
            "owner_id",
        ),
        company_index,
    ),
}


def _empty(value: Any) -> bool:
    return value is None or value == ""


def surviving_values(
    spec: MergeSpec, records: Sequence[Model], field_choices: Mapping[str, int]
) -> dict[str, Any]:
    """The survivor's values: the chosen record's for each field named in ``field_choices`` (custom fields
    as ``custom_fields.<key>``); otherwise the survivor's own, or when it has none the first other
    record's that has one. ``records`` starts with the survivor."""
    by_id = {record.pk: record for record in records}
    errors: dict[str, list[str]] = {}
    custom_keys = sorted({key for record in records for key in getattr(record, "custom_fields", {})})
    allowed = set(spec.fields) | {f"custom_fields.{key}" for key in custom_keys}
    for name, record_id in field_choices.items():
        if name not in allowed:
            errors.setdefault(f"field_choices.{name}", []).append("Not a field that a merge chooses.")
        elif record_id not in by_id:
            errors.setdefault(f"field_choices.{name}", []).append(f"Record {record_id} is not in this merge.")
    if errors:
        raise ValidationFailed(errors)

    def pick(name: str, read: Callable[[Model], Any]) -> Any:
        if name in field_choices:
            return read(by_id[field_choices[name]])
        return next((read(record) for record in records if not _empty(read(record))), read(records[0]))

    values = {name: pick(name, attrgetter(name)) for name in spec.fields}
    if custom_keys:
        values["custom_fields"] = {
            key: value
            for key in custom_keys
            if not _empty(value := pick(f"custom_fields.{key}", partial(_custom_value, key=key)))
        }
    merged_ids = set(by_id)
    if values.get("parent_id") in merged_ids:
        values["parent_id"] = None  # a company cannot become its own parent
    return values


def _custom_value(record: Model, *, key: str) -> Any:
    return getattr(record, "custom_fields", {}).get(key)


def _candidates_resolved(object_type: str, ids: list[int], actor: Actor) -> None:
    """Pairs among the merged records are merged; other open pairs of a loser are dropped (a later scan
    or check finds them again against the survivor)."""
    losers = ids[1:]
    pairs = DuplicateCandidate.objects.filter(object_type=object_type)
    pairs.filter(first_id__in=ids, second_id__in=ids).update(
        status=DuplicateCandidate.Status.MERGED, resolved_at=timezone.now(), resolved_by_id=actor.user_id
    )
    pairs.filter(
        Q(first_id__in=losers) | Q(second_id__in=losers), status=DuplicateCandidate.Status.OPEN
    ).delete()


@transaction.atomic
def record_merge(
    *,
    actor: Actor,
    object_type: str,
    survivor: Model,
    others: Sequence[Model],
    field_choices: Mapping[str, int] | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> MergeRecord:
    """Merge ``others`` into ``survivor`` (records the actor can see: callers fetch them through the
    selectors, which answer 404 otherwise)."""
    spec = SPECS[object_type]
    ids = [survivor.pk, *[record.pk for record in others]]
    if not others:
        raise ValidationFailed({"other_ids": ["Name at least one record to merge into the survivor."]})
    if len(set(ids)) != len(ids):
        raise ValidationFailed({"other_ids": ["Each record may be named once, and not the survivor."]})
    if len(ids) > MAX_MERGED:
        raise ValidationFailed({"other_ids": [f"At most {MAX_MERGED} records can be merged at once."]})
    versions = expected_versions or {}
    locked = []
    for pk in sorted(ids):  # one lock order for every merge, so two merges cannot deadlock
        record = lock_for_update(spec.model, pk)
        require_edit(actor, record)
        check_version(record, versions.get(pk))
        locked.append(record)
    by_id = {record.pk: record for record in locked}
    records = [by_id[pk] for pk in ids]
    target = records[0]
    values = surviving_values(spec, records, field_choices or {})
    before = {name: getattr(target, name) for name in values}
    snapshot: dict[str, Any] = {"losers": links.serialized(records[1:]), "moved": [], "collapsed": []}
    all_links = links.links_of(spec.model, object_type)
    skip = {spec.model._meta.label: set(ids)}  # a company's subsidiaries that are in the merge
    for loser in records[1:]:
        moved, collapsed = links.move(all_links, loser_id=loser.pk, survivor_id=target.pk, skip=skip)
        snapshot["moved"].extend(moved)
        snapshot["collapsed"].extend(collapsed)
    for loser in records[1:]:
        search_index_remove(kind=object_type, object_id=loser.pk)
        audit_write(actor=actor, action="merged", instance=loser, changes={"merged_into": (None, target.pk)})
    spec.model._default_manager.filter(pk__in=ids[1:]).delete()
    changes = {name: (before[name], value) for name, value in values.items() if before[name] != value}
    for name, value in values.items():
        setattr(target, name, value)
    target.version += 1  # type: ignore[attr-defined]
    target.updated_at = timezone.now()  # type: ignore[attr-defined]
    target.save()
    audit_write(actor=actor, action="merge", instance=target, changes={**changes, "merged": (None, ids[1:])})
    _refresh_people(object_type, snapshot["moved"], [target.pk])
    spec.index(target)
    snapshot["survivor"] = {
        "before": {name: before[name] for name in changes},
        "after": {name: values[name] for name in changes},
    }
    _candidates_resolved(object_type, ids, actor)
    return MergeRecord.objects.create(
        object_type=object_type,
        survivor_id=target.pk,
        merged_ids=ids[1:],
        snapshot=snapshot,
        survivor_version=target.version,  # type: ignore[attr-defined]
        merged_by_id=actor.user_id,
    )


def _refresh_people(object_type: str, moved: list[dict[str, Any]], contact_ids: Sequence[int] = ()) -> None:
    """The list summaries (``accord.customers.summaries``) of the merged or restored contacts, and of the
    contacts whose employment moved to another company, which also name it in their search entry."""
    ids = set(contact_ids) if object_type == "contact" else set()
    if object_type == "company":
        employment_ids = [
            pk for group in moved if group["model"] == "customers.Employment" for pk in group["ids"]
        ]
        if employment_ids:
            people = list(Contact.objects.filter(employments__id__in=employment_ids).distinct())
            for contact in people:
                contact_index(contact)
            ids.update(contact.pk for contact in people)
    contact_summaries_refresh(ids)


def contact_merge(
    *,
    actor: Actor,
    survivor: Contact,
    others: Sequence[Contact],
    field_choices: Mapping[str, int] | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> MergeRecord:
    """Merge contacts into ``survivor``: emails, phones, employments, deals, orders, interactions,
    tasks, converted leads, tags and shares all end up on the survivor."""
    return record_merge(
        actor=actor,
        object_type="contact",
        survivor=survivor,
        others=others,
        field_choices=field_choices,
        expected_versions=expected_versions,
    )


def company_merge(
    *,
    actor: Actor,
    survivor: Company,
    others: Sequence[Company],
    field_choices: Mapping[str, int] | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> MergeRecord:
    """Merge companies into ``survivor``: employees, subsidiaries, deals, orders, interactions, tasks,
    converted leads, tags and shares all end up on the survivor."""
    return record_merge(
        actor=actor,
        object_type="company",
        survivor=survivor,
        others=others,
        field_choices=field_choices,
        expected_versions=expected_versions,
    )


@transaction.atomic
def merge_undo(*, actor: Actor, merge: MergeRecord) -> MergeRecord:
    """Recreate the merged records with their ids and values, move their rows back, and give the
    survivor the values it had. Refused (409, with the reason) when that would lose or overwrite work
    done since: the merge was undone already, the survivor was deleted or its merged fields changed, a
    moved row was deleted or moved elsewhere."""
    spec = SPECS[merge.object_type]
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict("This merge was undone already.")
    survivor = spec.model._default_manager.select_for_update().filter(pk=merge.survivor_id).first()
    if survivor is None:
        raise Conflict(
            "The record the others were merged into has been deleted since; the merge cannot be undone."
        )
    require_edit(actor, survivor)
    snapshot = merge.snapshot
    after = snapshot["survivor"]["after"]
    changed = sorted(
        name for name, value in after.items() if _as_stored(survivor, name, value) != getattr(survivor, name)
    )
    if changed:
        raise Conflict(
            f"{survivor} was changed since the merge ({', '.join(changed)}); undoing would overwrite that. "
            "Change these fields back first, or edit the records by hand."
        )
    problems = links.missing_rows(snapshot["moved"], survivor.pk)
    if spec.model._default_manager.filter(pk__in=merge.merged_ids).exists():
        problems.append("a record with a merged record's id exists again")
    if problems:
        raise Conflict("The merge cannot be undone: " + "; ".join(problems) + ".")
    try:
        with transaction.atomic():
            links.restore(snapshot["losers"])
            links.move_back(snapshot["moved"])
            links.restore(snapshot["collapsed"])
    except IntegrityError as error:
        raise Conflict(
            f"The merge cannot be undone: a restored row conflicts with a newer one ({error})."
        ) from error
    before = {
        name: _as_stored(survivor, name, value) for name, value in snapshot["survivor"]["before"].items()
    }
    changes = {name: (getattr(survivor, name), value) for name, value in before.items()}
    for name, value in before.items():
        setattr(survivor, name, value)
    survivor.version += 1  # type: ignore[attr-defined]
    survivor.updated_at = timezone.now()  # type: ignore[attr-defined]
    survivor.save()
    audit_write(
        actor=actor,
        action="merge_undo",
        instance=survivor,
        changes={**changes, "restored": (None, merge.merged_ids)},
    )
    spec.index(survivor)
    for restored in spec.model._default_manager.filter(pk__in=merge.merged_ids):
        audit_write(
            actor=actor, action="restore", instance=restored, changes={"merged_into": (survivor.pk, None)}
        )
        spec.index(restored)
    _refresh_people(merge.object_type, snapshot["moved"], [survivor.pk, *merge.merged_ids])
    DuplicateCandidate.objects.filter(
        object_type=merge.object_type,
        first_id__in=[survivor.pk, *merge.merged_ids],
        second_id__in=[survivor.pk, *merge.merged_ids],
        status=DuplicateCandidate.Status.MERGED,
    ).update(status=DuplicateCandidate.Status.OPEN, resolved_at=None, resolved_by=None)
    merge.undone_at = timezone.now()
    merge.undone_by_id = actor.user_id
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _as_stored(record: Model, name: str, value: Any) -> Any:
    """A snapshot value (JSON: decimals and dates as text) as the model field holds it."""
    field: Any = record._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    if value is None or field.is_relation:
        return value
    return field.to_python(value)


@transaction.atomic
def candidate_dismiss(*, actor: Actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Mark a pair "not a duplicate": later scans keep it out of the queue. Needs the edit right on both
    records (dismissing hides the pair from everyone)."""
    spec = SPECS[candidate.object_type]
    for pk in (candidate.first_id, candidate.second_id):
        record = spec.model._default_manager.filter(pk=pk).first()
        if record is not None:
            require_edit(actor, record)
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.resolved_at = timezone.now()
    candidate.resolved_by_id = actor.user_id
    candidate.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit_event(
        actor=actor,
        action="duplicate_dismiss",
        object_type=f"customers.{candidate.object_type}",
        object_id=candidate.first_id,
        object_repr=str(candidate),
        changes={"not_a_duplicate_of": (None, candidate.second_id)},
    )
    return candidate


def duplicate_scan_start(*, actor: Actor, object_type: str) -> Job:
    """Queue a full scan of one type now (it also runs every night); administrators only, as a scan reads
    every record of the type."""
    require_admin(actor)
    if object_type not in SPECS:
        raise ValidationFailed({"object_type": [f"Use one of: {', '.join(SPECS)}."]})
    scan_job = scan.enqueue(actor, object_type=object_type)
    audit_event(
        actor=actor,
        action="duplicate_scan",
        object_type=object_type,
        object_id=None,
        object_repr=f"scan of every {object_type}",
        changes={"job": (None, scan_job.pk)},
    )
    return scan_job
