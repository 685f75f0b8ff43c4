"""Reverting an import, one batch of its ``ImportedRecord`` rows at a time, newest first (so the records a
batch created go before the companies it created for them).

Created records are deleted; updated ones get their previous values back and lose the child rows the
import added. A record whose version moved since the import was changed by someone else: it is left alone
and reported, never overwritten. Every deletion and restoration writes its audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from accord.access.rules import TYPE_MODELS
from accord.activities.models import Interaction, InteractionContact
from accord.core.actors import Actor
from accord.core.audit import changes_json
from accord.core.models import AuditEntry, SearchEntry, Tag
from accord.customers.models import Company, Contact, ContactEmail, ContactPhone, Employment
from accord.customers.services import company_index, contact_index
from accord.imports.models import ImportedRecord, ImportRun
from accord.imports.writer_sql import Table, update_rows
from accord.sales.models import Deal, DealContact, Lead, Order, OrderLine
from accord.sales.services import deal_index, lead_index

REVERT_BATCH = 1000
SEARCH_KINDS = {"company", "contact", "lead", "deal"}
INDEX: dict[str, Callable[[Any], None]] = {
    "company": company_index,
    "contact": contact_index,
    "lead": lead_index,
    "deal": deal_index,
}
AUDIT_COLUMNS = [
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


def revert_batch(actor: Actor, run: ImportRun) -> int:
    """Undo the run's newest ``REVERT_BATCH`` imported records (the caller holds the transaction); how many."""
    records = list(run.records.order_by("-id")[:REVERT_BATCH])
    if not records:
        return 0
    conflicts: list[dict[str, Any]] = []
    audit: list[tuple[Any, ...]] = []
    by_group: dict[tuple[str, str], list[ImportedRecord]] = defaultdict(list)
    for record in records:
        by_group[(record.object_type, record.action)].append(record)
    # Within the batch, records before the companies and tags they use.
    order = sorted(by_group, key=lambda group: (group[0] in ("company", "tag"), group[0] == "tag"))
    for object_type, action in order:
        group = by_group[(object_type, action)]
        if object_type == "tag":
            _delete_unused_tags([record.object_id for record in group])
        elif action == ImportedRecord.Action.CREATED:
            _delete_created(actor, object_type, group, conflicts, audit)
        else:
            _restore_updated(actor, object_type, group, conflicts, audit)
    Table(AuditEntry, AUDIT_COLUMNS).insert(audit)
    ImportedRecord.objects.filter(pk__in=[record.pk for record in records]).delete()
    if conflicts:
        run.revert_conflicts = [*run.revert_conflicts, *conflicts]
        run.save(update_fields=["revert_conflicts"])
    return len(records)


def _model(object_type: str) -> type[models.Model]:
    return apps.get_model(TYPE_MODELS[object_type])


def _audit_row(actor: Actor, action: str, instance: models.Model, changes: Any = None) -> tuple[Any, ...]:
    return (
        timezone.now(), actor.user_id, actor.token_id, actor.via, action, instance._meta.label_lower,
        instance.pk, str(instance)[:300], changes_json(changes),
    )  # fmt: skip


def _delete_created(
    actor: Actor,
    object_type: str,
    group: list[ImportedRecord],
    conflicts: list[dict[str, Any]],
    audit: list[Any],
) -> None:
    model = _model(object_type)
    expected = {record.object_id: record.version for record in group}
    current = model._default_manager.in_bulk(list(expected))
    doomed = []
    for pk, instance in current.items():
        if instance.version != expected[pk]:  # type: ignore[attr-defined]
            conflicts.append(_conflict(object_type, pk, "changed since the import, so it was kept"))
        else:
            doomed.append(instance)
    if model is Company:
        used = _companies_in_use([company.pk for company in doomed])
        for pk in sorted(used):
            conflicts.append(
                _conflict(object_type, pk, "used by other records since the import, so it was kept")
            )
        doomed = [company for company in doomed if company.pk not in used]
    pks = [instance.pk for instance in doomed]
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).delete()
    except ProtectedError:
        # Some are needed by records added since (an order placed by an imported contact): one by one.
        kept = []
        for instance in doomed:
            try:
                with transaction.atomic():
                    instance.delete()
            except ProtectedError:
                kept.append(instance.pk)
                conflicts.append(
                    _conflict(
                        object_type, instance.pk, "used by other records since the import, so it was kept"
                    )
                )
        doomed = [instance for instance in doomed if instance.pk not in kept]
        pks = [instance.pk for instance in doomed]
    if object_type in SEARCH_KINDS:
        SearchEntry.objects.filter(kind=object_type, object_id__in=pks).delete()
    audit.extend(_audit_row(actor, "delete", instance) for instance in doomed)


def _companies_in_use(pks: list[int]) -> set[int]:
    """The companies among ``pks`` that some record still points at."""
    used: set[int] = set()
    if not pks:
        return used
    for relation in Company._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        column = relation.field.attname
        used |= set(
            relation.related_model._default_manager.filter(**{f"{column}__in": pks}).values_list(
                column, flat=True
            )
        )
    return used


def _delete_unused_tags(pks: list[int]) -> None:
    used: set[int] = set()
    for model in (Company, Contact, Lead, Deal):
        through = model.tags.through
        used |= set(through.objects.filter(tag_id__in=pks).values_list("tag_id", flat=True))
    Tag.objects.filter(pk__in=set(pks) - used).delete()


def _restore_updated(
    actor: Actor,
    object_type: str,
    group: list[ImportedRecord],
    conflicts: list[dict[str, Any]],
    audit: list[Any],
) -> None:
    model = _model(object_type)
    current = model._default_manager.select_for_update().in_bulk([record.object_id for record in group])
    restores: dict[int, dict[str, Any]] = {}
    for record in group:
        instance = current.get(record.object_id)
        if instance is None:
            continue  # deleted since: nothing to restore
        if instance.version != record.version:  # type: ignore[attr-defined]
            conflicts.append(
                _conflict(object_type, record.object_id, "changed since the import, so it was kept")
            )
            continue
        values = {
            name: model._meta.get_field(name).to_python(value)  # type: ignore[union-attr]
            for name, value in record.previous.items()
            if name not in ("added", "lines")
        }
        changes: dict[str, tuple[Any, Any]] = {
            name: (getattr(instance, name), value) for name, value in values.items()
        }
        changes.update(_remove_added(instance, record.previous.get("added", {})))
        if "lines" in record.previous:
            _restore_lines(instance, record.previous["lines"])  # type: ignore[arg-type]
            changes["lines"] = ("imported", "restored")
        restores[instance.pk] = values
        for name, value in values.items():
            setattr(instance, name, value)
        audit.append(_audit_row(actor, "update", instance, changes))
        if object_type == "deal" and "stage_id" in values:
            from accord.sales.models import DealStageChange

            DealStageChange.objects.create(
                deal_id=instance.pk,
                from_stage_id=changes["stage_id"][0],
                to_stage_id=values["stage_id"],
                changed_by_id=actor.user_id,
            )
    update_rows(model, restores, bump=True)
    if object_type in INDEX:
        for pk in restores:
            INDEX[object_type](current[pk])


def _remove_added(instance: models.Model, added: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Delete the child rows the import added to ``instance``; their audit changes."""
    changes: dict[str, tuple[Any, Any]] = {}
    pk = instance.pk
    if added.get("emails"):
        ContactEmail.objects.filter(contact_id=pk, email__in=added["emails"]).delete()
        changes["emails"] = (added["emails"], [])
    if added.get("phones"):
        ContactPhone.objects.filter(contact_id=pk, number__in=added["phones"]).delete()
        changes["phones"] = (added["phones"], [])
    if added.get("employment_company_id"):
        Employment.objects.filter(contact_id=pk, company_id=added["employment_company_id"]).delete()
        changes["employments"] = ([added["employment_company_id"]], [])
    if added.get("contacts"):
        if isinstance(instance, Interaction):
            InteractionContact.objects.filter(interaction_id=pk, contact_id__in=added["contacts"]).delete()
        else:
            DealContact.objects.filter(deal_id=pk, contact_id__in=added["contacts"]).delete()
        changes["contacts"] = (added["contacts"], [])
    if added.get("tags"):
        relation = instance.tags  # type: ignore[attr-defined]
        relation.remove(*Tag.objects.filter(name__in=added["tags"]))
        changes["tags"] = (added["tags"], [])
    return changes


def _restore_lines(order: Order, lines: list[dict[str, Any]]) -> None:
    OrderLine.objects.filter(order_id=order.pk).delete()
    fields = {field.attname: field for field in OrderLine._meta.concrete_fields}
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order_id=order.pk, **{name: fields[name].to_python(value) for name, value in line.items()}
            )
            for line in lines
        ]
    )


def _conflict(object_type: str, pk: int, reason: str) -> dict[str, Any]:
    return {"object_type": object_type, "object_id": pk, "reason": reason}
