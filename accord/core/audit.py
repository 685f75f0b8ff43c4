"""Writing the audit trail. Called by services inside their transaction, never by views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from accord.core.actors import Actor
from accord.core.models import AuditEntry

Changes = Mapping[str, tuple[Any, Any]]


def jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return value


def audit_write(
    *, actor: Actor, action: str, instance: models.Model, changes: Changes | None = None
) -> AuditEntry:
    """Record one change; ``changes`` maps a field to its (old, new) values."""
    return audit_event(
        actor=actor,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        object_repr=str(instance),
        changes=changes,
    )


def audit_event(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | None,
    object_repr: str,
    changes: Changes | None = None,
) -> AuditEntry:
    """Record an event about a record that may not exist (a failed sign-in with an unknown name)."""
    return AuditEntry.objects.create(
        actor_id=actor.user_id,
        token_id=actor.token_id,
        via=actor.via,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=changes_json(changes),
    )


def changes_json(changes: Changes | None) -> dict[str, list[Any]]:
    """The ``changes`` of an entry as stored: ``{field: [old, new]}`` with JSON values."""
    return {name: [jsonable(old), jsonable(new)] for name, (old, new) in (changes or {}).items()}


def audit_bulk(*, actor: Actor, action: str, instances: list[models.Model]) -> None:
    """One entry per record for bulk writes (demo data, imports), inserted in one statement."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=actor.user_id,
                token_id=actor.token_id,
                via=actor.via,
                action=action,
                object_type=instance._meta.label_lower,
                object_id=instance.pk,
                object_repr=str(instance)[:300],
            )
            for instance in instances
        ],
        batch_size=2000,
    )
