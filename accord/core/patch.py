"""What ``null`` means in a PATCH body: the field is cleared, as in JSON Merge Patch (RFC 7396).

A field left out keeps its value. ``null`` empties it the way its column allows: NULL for a nullable
column or link, "" for optional text, no items for a list (tags, emails, a deal's contacts, a team's
members), false for a flag, an empty mapping for optional settings (a role's permissions). A field that
cannot be empty (a name, a deal's stage) answers 422 naming the field, rather than being ignored or
failing in the database. So do custom field values: they are merged key by key, and a key sent as
``null`` clears that one value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from accord.core.errors import FieldErrors

CANNOT_BE_EMPTY = "This field cannot be emptied: leave it out to keep its value."
# Merged into the stored value rather than replacing it, so an empty value would not clear anything.
MERGED_FIELDS = frozenset({"custom_fields"})


def nulls_as_cleared(model: type[models.Model], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each ``null`` replaced by the field's empty value; ValidationFailed for fields that
    have none."""
    errors = FieldErrors()
    cleared: dict[str, Any] = {}
    for name, value in data.items():
        if value is not None:
            cleared[name] = value
            continue
        empty = _empty_value(model, name)
        if empty is _NO_EMPTY_VALUE:
            errors.add(name, CANNOT_BE_EMPTY)
        else:
            cleared[name] = empty
    errors.raise_if_any()
    return cleared


_NO_EMPTY_VALUE = object()


def _empty_value(model: type[models.Model], name: str) -> Any:
    if name in MERGED_FIELDS:
        return _NO_EMPTY_VALUE
    if name.endswith("_ids"):
        return []  # a list of links sent by id (a team's member_ids)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return _NO_EMPTY_VALUE
    if field.one_to_many or field.many_to_many:
        return []
    if getattr(field, "null", False):
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.JSONField) and field.blank:
        return field.get_default()
    return _NO_EMPTY_VALUE
