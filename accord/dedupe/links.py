"""The rows that point at a contact or a company, moved to a merge's survivor and back on undo.

The links are read from Django's model metadata rather than listed by hand, so a table that another app
adds later (an import's rows, a campaign's members) moves with the rest instead of being deleted by a
cascade: every foreign key to the model, the model's own tag rows (its automatic many-to-many tables),
and the record-level shares (``RecordShare``, which names records by type and id). A moved row that
would break a unique constraint (the same contact twice on a deal, a tag the survivor already has) is
collapsed: it is deleted, and kept whole in the merge's snapshot so that undo can recreate it. A flag
that may be set on one row per record only (the primary email) is cleared on the rows that move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import models
from django.db.models import F, Q

from accord.access.models import RecordShare


@dataclass(frozen=True)
class Link:
    """Rows of ``model`` whose ``field`` holds the id of a record (and that match ``where``)."""

    model: type[models.Model]
    field: str  # attname: "contact_id", "object_id"
    where: tuple[tuple[str, Any], ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # other columns that, with ``field``, must be unique
    one_per_record: tuple[str, ...] = ()  # flags that at most one row per record may have set

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self, record_id: int) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(**{self.field: record_id}, **dict(self.where))


def _uniques(model: type[models.Model], field: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """The unique column sets of ``model`` that include ``field`` (less ``field``), and the flags of
    conditional constraints on ``field`` alone (``UNIQUE (contact) WHERE is_primary``)."""
    sets: list[tuple[str, ...]] = []
    flags: list[str] = []
    meta = model._meta
    attname = {f.name: f.attname for f in meta.concrete_fields}
    candidates: list[tuple[list[str], Q | None]] = [(list(names), None) for names in meta.unique_together] + [
        (list(constraint.fields), constraint.condition)
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    for names, condition in candidates:
        columns = [attname.get(name, name) for name in names]
        if field not in columns:
            continue
        others = tuple(column for column in columns if column != field)
        if condition is not None:
            if not others and len(condition.children) == 1 and isinstance(condition.children[0], tuple):
                flag, value = condition.children[0]
                if value is True:
                    flags.append(attname.get(str(flag), str(flag)))
            continue
        sets.append(others)
    return tuple(sets), tuple(flags)


def links_of(model: type[models.Model], object_type: str) -> list[Link]:
    """Every kind of row that points at a record of ``model``."""
    found: list[Link] = []
    for relation in model._meta.related_objects:
        rel: Any = relation
        related: type[models.Model]
        if rel.one_to_many or rel.one_to_one:
            related, attname = rel.related_model, rel.field.attname
        elif rel.many_to_many and rel.through._meta.auto_created:
            related = rel.through
            attname = next(f.attname for f in related._meta.concrete_fields if f.related_model is model)
        else:
            continue  # a many-to-many through a model of its own: that model's foreign key moves
        unique, flags = _uniques(related, attname)
        found.append(Link(related, attname, unique=unique, one_per_record=flags))
    for many in model._meta.many_to_many:  # the record's own tags
        through: Any = many.remote_field.through
        if through._meta.auto_created:
            attname = next(f.attname for f in through._meta.concrete_fields if f.related_model is model)
            unique, flags = _uniques(through, attname)
            found.append(Link(through, attname, unique=unique, one_per_record=flags))
    found.append(
        Link(
            RecordShare,
            "object_id",
            where=(("object_type", object_type),),
            unique=(("user_id",), ("team_id",)),
        )
    )
    return sorted(found, key=lambda link: (link.label, link.field))


def serialized(rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Rows as Django's serializer writes them, concrete fields only (tags move as rows of their own)."""
    out = []
    for row in rows:
        names = [f.name for f in row._meta.concrete_fields if not f.primary_key]
        out.extend(serializers.serialize("python", [row], fields=names))
    return out


def restore(snapshots: list[dict[str, Any]]) -> None:
    """Insert serialized rows again, with their ids."""
    for item in serializers.deserialize("python", snapshots):
        item.save()


def model_of(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _bump(model: type[models.Model]) -> dict[str, Any]:
    """A moved record changed: its version goes up, so a client holding the old one cannot overwrite."""
    names = {f.name for f in model._meta.concrete_fields}
    return {"version": F("version") + 1} if "version" in names else {}


def move(
    links: list[Link], *, loser_id: int, survivor_id: int, skip: dict[str, set[int]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Point every row of ``loser_id`` at ``survivor_id``. Returns what moved (per link: the row ids and
    the flags cleared) and the serialized rows that were collapsed (deleted as duplicates)."""
    moved: list[dict[str, Any]] = []
    collapsed: list[dict[str, Any]] = []
    for link in links:
        rows = [row for row in link.rows(loser_id) if row.pk not in skip.get(link.label, set())]
        if not rows:
            continue
        taken = {
            columns: {
                tuple(values)
                for values in link.rows(survivor_id).values_list(*columns)
                if all(value is not None for value in values)
            }
            for columns in link.unique
        }
        flagged = {
            flag: link.rows(survivor_id).filter(**{flag: True}).exists() for flag in link.one_per_record
        }
        keep, drop, cleared = [], [], {flag: [] for flag in link.one_per_record}  # type: ignore[var-annotated]
        for row in rows:
            keys = {columns: tuple(getattr(row, column) for column in columns) for columns in link.unique}
            if any(None not in key and key in taken[columns] for columns, key in keys.items()):
                drop.append(row)
                continue
            for columns, key in keys.items():
                if None not in key:
                    taken[columns].add(key)
            for flag in link.one_per_record:
                if getattr(row, flag):
                    if flagged[flag]:
                        cleared[flag].append(row.pk)
                    flagged[flag] = True
            keep.append(row.pk)
        if drop:
            collapsed.extend(serialized(drop))
            link.model._default_manager.filter(pk__in=[row.pk for row in drop]).delete()
        if keep:
            manager = link.model._default_manager
            for flag, ids in cleared.items():
                if ids:
                    manager.filter(pk__in=ids).update(**{flag: False})
            manager.filter(pk__in=keep).update(**{link.field: survivor_id}, **_bump(link.model))
            moved.append(
                {
                    "model": link.label,
                    "field": link.field,
                    "from": loser_id,
                    "ids": keep,
                    "cleared": {flag: ids for flag, ids in cleared.items() if ids},
                }
            )
    return moved, collapsed


def missing_rows(moved: list[dict[str, Any]], survivor_id: int) -> list[str]:
    """Moved rows that are gone or no longer point at the survivor: undo cannot put them back."""
    problems = []
    for group in moved:
        model = model_of(group["model"])
        present = set(
            model._default_manager.filter(pk__in=group["ids"], **{group["field"]: survivor_id}).values_list(
                "pk", flat=True
            )
        )
        gone = sorted(set(group["ids"]) - present)
        if gone:
            name = model._meta.verbose_name_plural
            problems.append(f"{name} {', '.join(map(str, gone[:10]))} were deleted or moved since the merge")
    return problems


def move_back(moved: list[dict[str, Any]]) -> None:
    for group in moved:
        model = model_of(group["model"])
        manager = model._default_manager
        manager.filter(pk__in=group["ids"]).update(**{group["field"]: group["from"]}, **_bump(model))
        for flag, ids in group["cleared"].items():
            manager.filter(pk__in=ids).update(**{flag: True})
