"""Validation and filtering of administrator-defined custom fields (see ``CustomField``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import Q

from accord.core.actors import Actor
from accord.core.errors import Conflict, FieldErrors, ValidationFailed
from accord.core.models import CustomField
from accord.core.permissions import require_admin
from accord.core.services import (
    assign_fields,
    check_version,
    create_audited,
    delete_audited,
    lock_for_update,
    save_changes,
)

FILTER_PREFIX = "cf."


# Definitions read once per object type inside ``definitions_read_once``; None outside it.
_read_once: ContextVar[dict[str, dict[str, CustomField]] | None] = ContextVar("custom_fields", default=None)


@contextmanager
def definitions_read_once() -> Iterator[None]:
    """Within the block, each object type's definitions are read with one query: a bulk write (an import
    batch) validates thousands of records with the same rules, and one query per record was its N+1."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _definitions(object_type: str) -> dict[str, CustomField]:
    cache = _read_once.get()
    if cache is not None and object_type in cache:
        return cache[object_type]
    definitions = {field.key: field for field in CustomField.objects.filter(object_type=object_type)}
    if cache is not None:
        cache[object_type] = definitions
    return definitions


def _coerce(field: CustomField, value: Any) -> tuple[Any, str | None]:
    """The stored form of a value, or an error message."""
    kind = CustomField.FieldType
    if value is None or value == "":
        return None, None
    if field.field_type == kind.TEXT:
        return (value, None) if isinstance(value, str) else (None, "Must be text.")
    if field.field_type == kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "Must be a number."
        return value, None
    if field.field_type == kind.BOOLEAN:
        return (value, None) if isinstance(value, bool) else (None, "Must be true or false.")
    if field.field_type == kind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return None, "Must be a date as YYYY-MM-DD."
    if value not in field.choices:
        return None, f"Must be one of: {', '.join(map(str, field.choices))}."
    return value, None


def validate_custom_fields(
    object_type: str, values: Mapping[str, Any] | None, *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Merge ``values`` into ``current`` after checking every key and type; errors name the field."""
    definitions = _definitions(object_type)
    merged = dict(current or {})
    errors: dict[str, list[str]] = {}
    for key, value in (values or {}).items():
        field = definitions.get(key)
        if field is None:
            errors[f"custom_fields.{key}"] = [f"There is no custom field '{key}' on {object_type}s."]
            continue
        stored, message = _coerce(field, value)
        if message:
            errors[f"custom_fields.{key}"] = [message]
        elif stored is None:
            merged.pop(key, None)
        else:
            merged[key] = stored
    for key, field in definitions.items():
        if field.is_required and merged.get(key) in (None, "") and f"custom_fields.{key}" not in errors:
            errors[f"custom_fields.{key}"] = ["This field is required."]
    if errors:
        raise ValidationFailed(errors)
    return merged


def custom_fields_from(
    object_type: str, data: Mapping[str, Any], instance: Any, errors: FieldErrors
) -> dict[str, Any]:
    """``{"custom_fields": merged values}`` for a write that sends them, and for every new record (whose
    required fields must be checked even when none are sent); ``{}`` otherwise. Errors go to ``errors``."""
    with errors.collect():
        if data.get("custom_fields") is not None:
            current = instance.custom_fields if instance is not None else None
            return {
                "custom_fields": validate_custom_fields(object_type, data["custom_fields"], current=current)
            }
        if instance is None:
            return {"custom_fields": validate_custom_fields(object_type, {})}
    return {}


def _parse_filter_value(field: CustomField, raw: str) -> Any:
    if field.field_type == CustomField.FieldType.NUMBER:
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError:
            raise ValidationFailed({f"{FILTER_PREFIX}{field.key}": ["Must be a number."]}) from None
    if field.field_type == CustomField.FieldType.BOOLEAN:
        if raw.lower() not in {"true", "false"}:
            raise ValidationFailed({f"{FILTER_PREFIX}{field.key}": ["Must be true or false."]})
        return raw.lower() == "true"
    stored, message = _coerce(field, raw)
    if message:
        raise ValidationFailed({f"{FILTER_PREFIX}{field.key}": [message]})
    return stored


def custom_field_filter(object_type: str, params: Mapping[str, str]) -> Q:
    """Turn query parameters ``cf.<key>=<value>`` into a JSON lookup on ``custom_fields``."""
    wanted = {
        name[len(FILTER_PREFIX) :]: value for name, value in params.items() if name.startswith(FILTER_PREFIX)
    }
    if not wanted:
        return Q()
    definitions = _definitions(object_type)
    condition = Q()
    for key, raw in wanted.items():
        field = definitions.get(key)
        if field is None:
            raise ValidationFailed(
                {f"{FILTER_PREFIX}{key}": [f"There is no custom field '{key}' on {object_type}s."]}
            )
        condition &= Q(**{f"custom_fields__{key}": _parse_filter_value(field, raw)})
    return condition


def _definition_fields(data: Mapping[str, Any], *, field_type: str) -> dict[str, Any]:
    choices = data.get("choices")
    if field_type == CustomField.FieldType.CHOICE:
        if not choices or not all(isinstance(choice, str) and choice for choice in choices):
            raise ValidationFailed({"choices": ["A choice field needs a list of non-empty choices."]})
        if len(set(choices)) != len(choices):
            raise ValidationFailed({"choices": ["Each choice may appear only once."]})
    elif choices:
        raise ValidationFailed({"choices": ["Only choice fields have choices."]})
    # A null is the same as leaving the field out: none of these columns can hold one.
    return {name: data[name] for name in ("label", "choices", "is_required") if data.get(name) is not None}


@transaction.atomic
def custom_field_create(*, actor: Actor, data: Mapping[str, Any]) -> CustomField:
    require_admin(actor)
    fields = _definition_fields(data, field_type=data["field_type"])
    if CustomField.objects.filter(object_type=data["object_type"], key=data["key"]).exists():
        raise Conflict(f"A {data['object_type']} field with this key already exists.")
    field = CustomField(
        object_type=data["object_type"], key=data["key"], field_type=data["field_type"], **fields
    )
    return create_audited(field, actor=actor)


@transaction.atomic
def custom_field_update(
    *, actor: Actor, instance: CustomField, data: Mapping[str, Any], expected_version: int | None = None
) -> CustomField:
    """Label, choices and whether required can change; key, object type and type cannot (values depend on them)."""
    require_admin(actor)
    field = lock_for_update(CustomField, instance.pk)
    check_version(field, expected_version)
    changes = assign_fields(field, _definition_fields({**data}, field_type=field.field_type))
    return save_changes(field, changes, actor=actor)


@transaction.atomic
def custom_field_delete(*, actor: Actor, instance: CustomField, expected_version: int | None = None) -> None:
    """Removes the definition; values already stored on records stay in their JSON until next edited."""
    require_admin(actor)
    delete_audited(lock_for_update(CustomField, instance.pk), actor=actor, expected_version=expected_version)
