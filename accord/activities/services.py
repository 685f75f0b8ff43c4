"""Writes on interactions and tasks. Each runs in one transaction, validates every field (naming it in the
error) and writes its audit entry; interaction writes keep the participants' copy of ``occurred_at`` in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accord.activities.models import Interaction, InteractionContact, Task
from accord.core.actors import Actor
from accord.core.errors import FieldErrors
from accord.core.permissions import require_create
from accord.core.services import (
    check_references,
    get_related,
    record_create,
    record_delete,
    record_locked,
    record_save,
    validated,
)
from accord.customers.models import Company, Contact
from accord.customers.services import owner_from
from accord.sales.models import Deal, Lead

Data = Mapping[str, Any]


# ---------------------------------------------------------------- field checks shared by both entities


def _not_null(data: Data, names: Iterable[str], errors: FieldErrors, *, required: bool = False) -> None:
    """Fields without an empty value refuse null; ``required`` ones (on create) must also be given."""
    for name in names:
        if name in data and data[name] is None:
            errors.add(name, "This field cannot be null.")
        elif required and name not in data:
            errors.add(name, "This field is required.")


def _choices(
    data: Data, choices: Mapping[str, type[models.TextChoices]], errors: FieldErrors
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, enum in choices.items():
        value = data.get(name)
        if value is None:
            continue
        if value not in enum.values:
            errors.add(name, f"Use one of: {', '.join(enum.values)}.")
        fields[name] = value
    return fields


def _aware(data: Data, name: str, errors: FieldErrors) -> dict[str, Any]:
    """A datetime with its offset: a naive one would be read in the server's zone and misplace the
    record in every timeline, so it is refused rather than guessed."""
    if name not in data:
        return {}
    value = data[name]
    if value is None:
        return {name: None}
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        errors.add(name, "Give a date and time with its offset, e.g. 2026-03-01T09:30:00+01:00 or …Z.")
        return {}
    try:
        # In UTC, as the database gives it back, so that the answer to a write equals a later read.
        return {name: value.astimezone(dt.UTC)}
    except OverflowError:
        errors.add(name, "This date is out of range.")
        return {}


def _references(
    actor: Actor, data: Data, querysets: Mapping[str, QuerySet[Any]], errors: FieldErrors
) -> dict[str, Any]:
    """The given ``<name>_id`` fields, each checked to point at a record the actor may see."""
    fields: dict[str, Any] = {}
    for name, queryset in querysets.items():
        if name in data:
            with errors.collect():
                get_related(actor, queryset, data[name], field=name)
            fields[name] = data[name]
    return fields


# ---------------------------------------------------------------- interactions


def _interaction_fields(
    actor: Actor, data: Data, *, instance: Interaction | None, errors: FieldErrors
) -> dict[str, Any]:
    _not_null(data, ("kind", "channel", "occurred_at"), errors, required=instance is None)
    _not_null(data, ("direction", "subject", "body", "outcome", "contact_ids"), errors)
    fields = _choices(
        data,
        {"kind": Interaction.Kind, "channel": Interaction.Channel, "direction": Interaction.Direction},
        errors,
    )
    text = ("subject", "outcome", "external_id")
    fields.update({name: data[name].strip() for name in text if data.get(name) is not None})
    if data.get("body") is not None:
        fields["body"] = data["body"]
    if "duration_seconds" in data:
        duration = data["duration_seconds"]
        if duration is not None and duration < 0:
            errors.add("duration_seconds", "A duration cannot be negative.")
        fields["duration_seconds"] = duration
    if data.get("occurred_at") is not None:
        fields.update(_aware(data, "occurred_at", errors))
    fields.update(
        _references(actor, data, {"company_id": Company.objects.all(), "deal_id": Deal.objects.all()}, errors)
    )
    fields.update(owner_from(actor, data, errors=errors, default_to_actor=instance is None))
    return fields


def _clean_contact_ids(actor: Actor, data: Data, errors: FieldErrors) -> list[int] | None:
    """The contacts taking part, each visible to the actor and listed once; None when not given."""
    if data.get("contact_ids") is None:
        return None
    contact_ids: list[int] = data["contact_ids"]
    accepted = check_references(
        actor, Contact.objects.all(), contact_ids, field=lambda index: f"contact_ids.{index}", errors=errors
    )
    return sorted(pk for pk, keep in zip(contact_ids, accepted, strict=True) if keep)


def _set_participants(interaction: Interaction, contact_ids: list[int] | None) -> dict[str, tuple[Any, Any]]:
    """Replace the contacts of an interaction; their (old, new) ids for the audit entry when they changed."""
    if contact_ids is None:
        return {}
    old = sorted(interaction.participants.values_list("contact_id", flat=True))
    if old == contact_ids:
        return {}
    interaction.participants.exclude(contact_id__in=contact_ids).delete()
    InteractionContact.objects.bulk_create(
        [
            InteractionContact(
                interaction=interaction, contact_id=contact_id, occurred_at=interaction.occurred_at
            )
            for contact_id in sorted(set(contact_ids) - set(old))
        ]
    )
    return {"contact_ids": (old, contact_ids)}


@transaction.atomic
def interaction_create(*, actor: Actor, data: Data) -> Interaction:
    require_create(actor, Interaction, data)
    errors = FieldErrors()
    fields = _interaction_fields(actor, data, instance=None, errors=errors)
    contact_ids = _clean_contact_ids(actor, data, errors)
    errors.raise_if_any()
    interaction = record_create(Interaction(**fields), actor=actor, data=data)
    _set_participants(interaction, contact_ids)
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: Actor, instance: Interaction, data: Data, expected_version: int | None = None
) -> Interaction:
    """Update an interaction; a new ``occurred_at`` is copied to every participant row in the same
    transaction, because contact timelines read the copy (one index range per contact)."""
    interaction = record_locked(Interaction, instance, expected_version, actor=actor, data=data)
    errors = FieldErrors()
    fields = _interaction_fields(actor, data, instance=interaction, errors=errors)
    contact_ids = _clean_contact_ids(actor, data, errors)
    errors.raise_if_any()
    participants = _set_participants(interaction, contact_ids)
    moved = "occurred_at" in fields and fields["occurred_at"] != interaction.occurred_at
    record_save(interaction, fields, actor=actor, extra=participants)
    if moved:
        interaction.participants.update(occurred_at=interaction.occurred_at)
    return interaction


@transaction.atomic
def interaction_delete(*, actor: Actor, instance: Interaction, expected_version: int | None = None) -> None:
    record_delete(Interaction, instance, actor=actor, expected_version=expected_version)


# ---------------------------------------------------------------- tasks


def _completion(status: str, instance: Task | None) -> dict[str, Any]:
    """``completed_at`` is the server's clock when a task becomes done, and cleared when it is not done."""
    if status != Task.Status.DONE:
        return {"completed_at": None}
    if instance is None or instance.status != Task.Status.DONE:
        return {"completed_at": timezone.now()}
    return {}


def _task_fields(actor: Actor, data: Data, *, instance: Task | None, errors: FieldErrors) -> dict[str, Any]:
    _not_null(data, ("title",), errors, required=instance is None)
    _not_null(data, ("notes", "priority", "status"), errors)
    fields = _choices(data, {"priority": Task.Priority, "status": Task.Status}, errors)
    if data.get("title") is not None:
        fields["title"] = data["title"].strip()
        if not fields["title"]:
            errors.add("title", "A task needs a title.")
    if data.get("notes") is not None:
        fields["notes"] = data["notes"]
    fields.update(_aware(data, "due_at", errors))
    if "assignee_id" not in data and instance is None:
        # A task nobody is assigned to tends to be forgotten: by default it is the creator's.
        fields["assignee_id"] = actor.user_id
    active_users = get_user_model().objects.filter(is_active=True)
    links = {
        "assignee_id": active_users,
        "contact_id": Contact.objects.all(),
        "company_id": Company.objects.all(),
        "deal_id": Deal.objects.all(),
        "lead_id": Lead.objects.all(),
    }
    fields.update(_references(actor, data, links, errors))
    status = fields.get("status", instance.status if instance else Task.Status.OPEN)
    fields.update(_completion(status, instance))
    return fields


@transaction.atomic
def task_create(*, actor: Actor, data: Data) -> Task:
    require_create(actor, Task, data)
    return record_create(Task(**validated(_task_fields, actor, data, instance=None)), actor=actor, data=data)


@transaction.atomic
def task_update(*, actor: Actor, instance: Task, data: Data, expected_version: int | None = None) -> Task:
    task = record_locked(Task, instance, expected_version, actor=actor, data=data)
    record_save(task, validated(_task_fields, actor, data, instance=task), actor=actor)
    return task


@transaction.atomic
def task_delete(*, actor: Actor, instance: Task, expected_version: int | None = None) -> None:
    record_delete(Task, instance, actor=actor, expected_version=expected_version)
