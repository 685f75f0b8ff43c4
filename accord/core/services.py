"""Write helpers every domain service uses: versioned updates, deletes and the audit entry with them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import Conflict, FieldErrors, PreconditionFailed, ValidationFailed
from accord.core.models import Tag
from accord.core.permissions import require_create, require_delete, require_edit, visible_to
from accord.core.search import search_index_remove

ModelT = TypeVar("ModelT", bound=models.Model)


def check_version(instance: models.Model, expected_version: int | None) -> None:
    """Optimistic concurrency: a client that read an older version may not overwrite a newer one."""
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise PreconditionFailed(
            f"This record changed since you read it (you have version {expected_version}, "
            f"it is now at version {current}). Reload it and apply your change again."
        )


def lock_for_update(model: type[ModelT], pk: int) -> ModelT:
    """The row, locked until the transaction ends (PostgreSQL); SQLite's IMMEDIATE transactions
    already serialise writers, so the version check that follows cannot race."""
    return model._default_manager.select_for_update().get(pk=pk)


def assign_fields(instance: models.Model, data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the given attributes and return the ones whose value really changed as (old, new)."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in data.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    return changes


def save_changes(
    instance: ModelT, changes: Mapping[str, tuple[Any, Any]], *, actor: Actor, action: str = "update"
) -> ModelT:
    """Persist a versioned change and its audit entry; no-op (and no version bump) when nothing changed."""
    if not changes:
        return instance
    instance.version += 1  # type: ignore[attr-defined]
    instance.updated_at = timezone.now()  # type: ignore[attr-defined]
    save_unique(instance)
    audit_write(actor=actor, action=action, instance=instance, changes=changes)
    return instance


def save_unique(instance: models.Model) -> None:
    """Save, turning a uniqueness violation into a 409 instead of a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise Conflict(
            f"This {instance._meta.verbose_name} conflicts with an existing record: {error}"
        ) from error


def create_audited(instance: ModelT, *, actor: Actor, data: Iterable[str] = ()) -> ModelT:
    """Insert a record the actor's role may create (setting the fields named in ``data``), audited."""
    require_create(actor, type(instance), data)
    save_unique(instance)
    audit_write(actor=actor, action="create", instance=instance)
    return instance


def delete_audited(instance: models.Model, *, actor: Actor, expected_version: int | None = None) -> None:
    require_delete(actor, instance)
    check_version(instance, expected_version)
    audit_write(actor=actor, action="delete", instance=instance)
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as error:
        names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise Conflict(f"Cannot delete: it is still used by {', '.join(names)}.") from error


def get_related(actor: Actor, queryset: QuerySet[ModelT], pk: int | None, *, field: str) -> ModelT | None:
    """A referenced record the actor may see, or a validation error naming the field."""
    if pk is None:
        return None
    instance = visible_to(actor, queryset).filter(pk=pk).first()
    if instance is None:
        raise ValidationFailed({field: [f"No {queryset.model._meta.verbose_name} with id {pk}."]})
    return instance


def check_references(
    actor: Actor,
    queryset: QuerySet[ModelT],
    ids: list[int],
    *,
    field: Callable[[int], str],
    errors: FieldErrors,
) -> list[bool]:
    """For a list of referenced ids, whether each may be kept: a record the actor may see, listed once.
    Errors name ``field(index)``; one query however long the list."""
    known = set(visible_to(actor, queryset.filter(pk__in=ids)).values_list("pk", flat=True))
    name = queryset.model._meta.verbose_name
    seen: set[int] = set()
    accepted: list[bool] = []
    for index, pk in enumerate(ids):
        if pk not in known:
            errors.add(field(index), f"No {name} with id {pk}.")
        elif pk in seen:
            errors.add(field(index), f"This {name} is listed twice.")
        accepted.append(pk in known and pk not in seen)
        seen.add(pk)
    return accepted


def tags_from_names(names: list[str] | None) -> list[Tag]:
    """The tags with these names, created when new; names are trimmed and deduplicated."""
    cleaned = sorted({name.strip() for name in names or [] if name.strip()})
    if any(len(name) > 60 for name in cleaned):
        raise ValidationFailed({"tags": ["A tag is at most 60 characters long."]})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=name) for name in cleaned if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    return [existing[name] for name in cleaned]


def set_tags(instance: models.Model, names: list[str] | None) -> tuple[list[str], list[str]] | None:
    """Replace the tags of a record; (old names, new names) when they changed, for the audit entry."""
    if names is None:
        return None
    tags = tags_from_names(names)
    old = sorted(tag.name for tag in instance.tags.all())  # type: ignore[attr-defined]
    new = [tag.name for tag in tags]
    if old == new:
        return None
    instance.tags.set(tags)  # type: ignore[attr-defined]
    return old, new


# ------------------------------------------------------------------ the steps every service shares


def validated(build: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The fields ``build(..., errors=)`` cleans, or one ValidationFailed that names every bad field."""
    errors = FieldErrors()
    fields = build(*args, errors=errors, **kwargs)
    errors.raise_if_any()
    return fields


def record_create(
    record: ModelT, *, actor: Actor, data: Iterable[str] = (), tags: list[str] | None = None
) -> ModelT:
    """Insert a validated record with its audit entry (and its tags, for models that have them);
    ``data`` names the fields the client set, which the actor's role must be allowed to set."""
    create_audited(record, actor=actor, data=data)
    set_tags(record, tags)
    return record


def record_locked(
    model: type[ModelT],
    instance: ModelT,
    expected_version: int | None,
    *,
    actor: Actor,
    data: Iterable[str] = (),
) -> ModelT:
    """The current row, locked for this transaction, once the actor's right to change it (and the
    fields named in ``data``) and the client's version were checked against it."""
    record = lock_for_update(model, instance.pk)
    require_edit(actor, record, data)
    check_version(record, expected_version)
    return record


def record_save(
    record: models.Model,
    fields: Mapping[str, Any],
    *,
    actor: Actor,
    tags: list[str] | None = None,
    extra: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """Apply validated fields, tags and ``extra`` changes (child rows) as one versioned, audited change."""
    changes = assign_fields(record, fields)
    changes.update(extra or {})
    tag_change = set_tags(record, tags)
    if tag_change:
        changes["tags"] = tag_change
    save_changes(record, changes, actor=actor)


def record_delete(
    model: type[ModelT],
    instance: ModelT,
    *,
    actor: Actor,
    expected_version: int | None,
    search_kind: str = "",
) -> None:
    """Delete with its audit entry (and its search entry); 409 while other records still need it."""
    record = lock_for_update(model, instance.pk)
    if search_kind:
        search_index_remove(kind=search_kind, object_id=record.pk)
    delete_audited(record, actor=actor, expected_version=expected_version)
